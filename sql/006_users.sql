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

-- Login sessions (cookie). The cookie carries a random 32-byte id; only its SHA-256 is stored, so a
-- leaked table does not hand out sessions. Idle expiry is last_seen_at + the configured idle time;
-- expires_at is the absolute end.
create table sessions (
  id_hash       bytea primary key,
  org_id        bigint not null,
  user_id       bigint not null,
  csrf_token    text not null,
  created_at    timestamptz not null,
  last_seen_at  timestamptz not null,
  expires_at    timestamptz not null,
  source_ip     text,
  foreign key (org_id, user_id) references users (org_id, id) on delete cascade
);
-- Serves logout-everywhere (password reset, disable) by user.
create index sessions_user_idx on sessions (user_id);
-- Serves the purge of expired sessions.
create index sessions_expires_idx on sessions (expires_at);

-- Per-user API tokens. Only the SHA-256 of the token is stored; the token is shown once.
create table user_tokens (
  org_id        bigint not null,
  id            bigint generated always as identity,
  user_id       bigint not null,
  label         text not null check (length(label) between 1 and 100),
  token_hash    bytea not null unique,
  scopes        text[] not null check (scopes <@ array['read', 'read_pii', 'write', 'approve', 'manage']::text[]),
  created_at    timestamptz not null,
  expires_at    timestamptz,
  last_used_at  timestamptz,
  primary key (org_id, id),
  unique (id),
  foreign key (org_id, user_id) references users (org_id, id) on delete cascade
);
-- Serves the token list of a user.
create index user_tokens_user_idx on user_tokens (org_id, user_id);

-- Failed-login counters, one row per key ('account:<email>' or 'ip:<address>'), in Postgres so a
-- lockout holds across instances. A fixed window: the first failure opens it, later failures in it
-- count up; reaching the limit sets locked_until.
create table login_throttle (
  key           text primary key,
  window_start  timestamptz not null,
  failures      integer not null,
  locked_until  timestamptz
);
-- Serves the sweep of finished windows (src/auth/login.ts), so keys of one-off typos do not pile up.
create index login_throttle_window_idx on login_throttle (window_start);

-- The platform's single API token is replaced by per-user tokens.
drop table api_tokens;

alter table incident_events drop constraint incident_events_kind_check;
alter table incident_events add constraint incident_events_kind_check check (kind in (
  'opened', 'alert_attached', 'alert_updated', 'status_changed', 'severity_changed', 'tasks_added', 'task_updated',
  'roles_changed', 'note',
  -- on-call mail and escalation
  'mail_queued', 'mail_sent', 'mail_failed', 'acknowledged', 'escalated', 'task_overdue',
  -- statements
  'statement_drafted', 'statement_edited', 'statement_checked', 'statement_submitted', 'statement_approved',
  'statement_rejected', 'statement_published', 'statement_withdrawn',
  -- post-mortems
  'postmortem_drafted', 'postmortem_edited', 'postmortem_approved'));
