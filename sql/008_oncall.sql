-- On-call (issue 6 items 5, 6): schedules, escalation policies and their per-incident state,
-- signed acknowledgement links, and the mail ↔ incident link for the timeline. The pure parts
-- (holidays, who is on call, token format) are in src/oncall/; this file is the state.

-- Platform secrets generated once and shared by every instance (the ack-link HMAC key when
-- HINOKO_SECRET is not configured). First writer wins: insert … on conflict do nothing.
create table app_secrets (
  name        text primary key,
  value       bytea not null,
  created_at  timestamptz not null default now()
);

-- A schedule: a rotation and an optional holiday/weekend rotation, as validated JSON
-- (src/oncall/schedule.ts parseScheduleDefinition). Overrides are rows: they come and go.
create table oncall_schedules (
  org_id      bigint not null references organizations (id) on delete cascade,
  id          bigint generated always as identity,
  name        text not null check (length(name) between 1 and 100),
  definition  jsonb not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (org_id, id),
  unique (id)
);

create table oncall_overrides (
  org_id       bigint not null,
  id           bigint generated always as identity,
  schedule_id  bigint not null,
  user_id      bigint not null,
  starts_at    timestamptz not null,
  ends_at      timestamptz not null check (ends_at > starts_at),
  created_at   timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, schedule_id) references oncall_schedules (org_id, id) on delete cascade,
  foreign key (org_id, user_id) references users (org_id, id) on delete cascade
);
-- Overrides of a schedule around an instant (whoIsOnCall loads them by schedule).
create index oncall_overrides_schedule_idx on oncall_overrides (org_id, schedule_id, starts_at);

-- One escalation policy per org: levels [{timeoutMinutes, targets:[…]}] and how many rounds.
create table escalation_policies (
  org_id      bigint primary key references organizations (id) on delete cascade,
  levels      jsonb not null,
  repeat      integer not null check (repeat between 1 and 10),
  updated_at  timestamptz not null default now()
);

-- Per incident: where its escalation stands. The worker advances it with a conditional update on
-- (round, level), so a level is paged once however many instances race for it.
create table incident_escalations (
  org_id       bigint not null,
  incident_id  bigint not null,
  -- The policy as it was when the incident opened: editing the policy does not re-route pages in flight.
  levels       jsonb not null,
  repeat       integer not null,
  round        integer not null default 1,
  -- 1-based index of the level paged last.
  level        integer not null default 1,
  status       text not null default 'active' check (status in ('active', 'acknowledged', 'exhausted', 'closed')),
  -- When the next level is due (null once not active).
  next_at      timestamptz,
  created_at   timestamptz not null,
  primary key (org_id, incident_id),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade
);
-- The worker's due scan across orgs.
create index incident_escalations_due_idx on incident_escalations (next_at) where status = 'active';

-- One row per acknowledgement link mailed. The token carries (org, incident, nonce, expiry) and an
-- HMAC; the row makes it single-use (used_at) and records whom it was sent to.
create table ack_links (
  nonce        text primary key,
  org_id       bigint not null,
  incident_id  bigint not null,
  -- 'user:<id>' or 'address:<addr>': who acknowledged, when this link is used.
  recipient    text not null,
  expires_at   timestamptz not null,
  used_at      timestamptz,
  created_at   timestamptz not null default now(),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade
);
-- Cascade from incidents.
create index ack_links_incident_idx on ack_links (org_id, incident_id);

alter table mail_outbox add column incident_id bigint;
-- Threading: the Message-ID of the first mail about the incident (References / In-Reply-To).
alter table mail_outbox add column thread_root text;
-- An incident's mails (timeline, "who was paged", follow-ups to the paged only).
create index mail_outbox_incident_idx on mail_outbox (org_id, incident_id) where incident_id is not null;
-- Delivery outcomes reach the audit log after the fact (src/alerting/audit-deliveries.ts): the
-- mailer never waits on an org's audit chain between the SMTP server's answer and its own commit.
alter table mail_outbox add column audited_at timestamptz;
-- The severity a mail about an incident stated: a later alert about the same incident is mailed
-- only when it states more (src/alerting/enqueue-alert-mails.ts, the grouping rule).
alter table mail_outbox add column severity smallint;
create index mail_outbox_unaudited_idx on mail_outbox (org_id, id) where audited_at is null and status in ('sent', 'failed');

alter table incident_tasks add column assignee_id bigint;
alter table incident_tasks add constraint incident_tasks_assignee_fk foreign key (org_id, assignee_id) references users (org_id, id) on delete set null (assignee_id);
-- Set once the overdue mail is queued: the sweep notifies a task once.
alter table incident_tasks add column overdue_notified_at timestamptz;
