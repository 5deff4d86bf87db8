-- Alert e-mail: an outbox written in the same transaction as the alert event that asks for it,
-- and sent after commit by the mailer (src/alerting/mailer.ts). Network I/O never happens inside
-- a transaction; the row is the durable intent, its status the delivery record.

create table mail_outbox (
  org_id           bigint not null references organizations (id) on delete cascade,
  id               bigint generated always as identity,
  -- What this mail is for, stable across re-runs: alert, action, severity, bucket and recipient.
  -- A detection pass that steps the same bucket again finds the row and enqueues nothing.
  dedupe_key       text not null check (length(dedupe_key) between 1 and 400),
  alert_id         bigint,
  alert_event_id   bigint,
  to_address       text not null check (length(to_address) between 3 and 254),
  subject          text not null,
  text_body        text not null,
  html_body        text not null,
  -- The Message-ID header, derived from the dedupe key: a copy re-sent after a crash between the
  -- SMTP server's "250" and our commit carries the same id, so receivers can drop it.
  message_id       text not null,
  status           text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts         integer not null default 0,
  -- When the row is next due: the retry time while pending, the lease end while sending (so a
  -- worker that died after claiming is retried once its lease is over).
  next_attempt_at  timestamptz not null default now(),
  locked_by        text,
  locked_until     timestamptz,
  last_error       text,
  created_at       timestamptz not null default now(),
  sent_at          timestamptz,
  -- 'smtp' or 'preview' (an .eml file in <data dir>/mail-preview when SMTP_URL is unset).
  delivered_via    text check (delivered_via in ('smtp', 'preview')),
  -- The SMTP server's reply to DATA ("250 2.0.0 Ok: queued as …"), or the preview file name.
  delivery_detail  text,
  primary key (org_id, id),
  unique (id),
  foreign key (org_id, alert_id) references alerts (org_id, id) on delete cascade
);
create unique index mail_outbox_dedupe_key on mail_outbox (org_id, dedupe_key);
-- The mailer's claim: due rows across all orgs, oldest first.
create index mail_outbox_due_idx on mail_outbox (next_attempt_at, id) where status in ('pending', 'sending');
-- GET /api/v1/organizations/:orgId/mail-outbox, newest first.
create index mail_outbox_org_created_idx on mail_outbox (org_id, created_at desc, id desc);
-- An alert's mails: GET …/mail-outbox?alertId=, "mailed before?" when an alert escalates, and
-- the cascade when an alert is deleted.
create index mail_outbox_alert_idx on mail_outbox (org_id, alert_id);
