-- People (issue 6 item 1): users per organization with one role each, and the wider set of
-- timeline event kinds that on-call mail, statements and post-mortems add to an incident.
-- Sessions, per-user API tokens and login throttling are in this file too (src/auth/).

create table users (
  org_id         bigint not null references organizations (id) on delete cascade,
  id             bigint generated always as identity,
  name           text not null check (length(name) between 1 and 100),
  -- Stored normalised (domain lower-cased); unique across the platform so login needs no org.
  email          text not null check (length(email) between 3 and 254),
  role           text not null check (role in ('pr_staff', 'oncall_manager', 'director', 'admin')),
  -- scrypt$N$r$p$salt$hash (base64url); null for a user who has not set a password yet.
  password_hash  text,
  disabled_at    timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (org_id, id),
  unique (id)
);
create unique index users_email_idx on users (lower(email));
create index users_org_role_idx on users (org_id, role) where disabled_at is null;

alter table incident_events drop constraint incident_events_kind_check;
alter table incident_events add constraint incident_events_kind_check check (kind in (
  'opened', 'alert_attached', 'alert_updated', 'status_changed', 'severity_changed', 'tasks_added', 'task_updated',
  'roles_changed', 'note',
  -- on-call mail and escalation
  'mail_queued', 'mail_sent', 'mail_failed', 'acknowledged', 'escalated', 'task_overdue',
  -- statements
  'statement_drafted', 'statement_edited', 'statement_checked', 'statement_submitted', 'statement_approved',
  'statement_rejected', 'statement_published',
  -- post-mortems
  'postmortem_drafted', 'postmortem_edited', 'postmortem_approved'));
