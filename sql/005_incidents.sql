-- Incidents (issue 6 items 2, 3, 6): the lifecycle of a flare-up people are working on, the
-- playbook versions its tasks come from, and its append-only timeline. Transitions live in
-- src/incidents/lifecycle.ts (one table); the database enforces the closed sets and append-only.

-- Per-org playbooks; each PUT adds a version. No row: the shipped defaults (version 0) apply.
create table playbook_versions (
  org_id      bigint not null references organizations (id) on delete cascade,
  version     integer not null check (version >= 1),
  steps       jsonb not null,
  created_at  timestamptz not null default now(),
  created_by  text,
  primary key (org_id, version)
);

create table incidents (
  org_id             bigint not null references organizations (id) on delete cascade,
  id                 bigint generated always as identity,
  title              text not null check (length(title) between 1 and 300),
  status             text not null check (status in ('triage', 'active', 'stable', 'resolved', 'closed', 'cancelled')),
  severity           smallint not null check (severity between 1 and 5),
  risk_categories    text[] not null default '{}',
  playbook_version   integer not null,
  commander_role     text check (commander_role in ('pr_staff', 'oncall_manager', 'director', 'admin')),
  communications_role text check (communications_role in ('pr_staff', 'oncall_manager', 'director', 'admin')),
  scribe_role        text check (scribe_role in ('pr_staff', 'oncall_manager', 'director', 'admin')),
  detected_at        timestamptz not null,
  acknowledged_at    timestamptz,
  first_response_at  timestamptz,
  mitigated_at       timestamptz,
  resolved_at        timestamptz,
  closed_at          timestamptz,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  primary key (org_id, id),
  unique (id),
  -- The invariants the verbs validate, kept by the database too.
  check (acknowledged_at is null or acknowledged_at >= detected_at),
  check (first_response_at is null or first_response_at >= detected_at),
  check (mitigated_at is null or mitigated_at >= detected_at),
  check (resolved_at is null or resolved_at >= detected_at),
  check (closed_at is null or closed_at >= detected_at)
);
-- Incident list, newest first, and "the open incident of this org" for auto-open dedupe.
create index incidents_org_detected_idx on incidents (org_id, detected_at desc, id desc);
create index incidents_org_open_idx on incidents (org_id, detected_at desc) where status in ('triage', 'active', 'stable');

-- An alert belongs to at most one incident: the primary key is what makes a replayed detection
-- pass (or a promote racing auto-open) attach or open only once.
create table incident_alerts (
  org_id       bigint not null,
  alert_id     bigint not null,
  incident_id  bigint not null,
  attached_at  timestamptz not null,
  primary key (org_id, alert_id),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade,
  foreign key (org_id, alert_id) references alerts (org_id, id) on delete cascade
);
-- Alerts of one incident (GET …/incidents/:id).
create index incident_alerts_incident_idx on incident_alerts (org_id, incident_id);

create table incident_tasks (
  org_id        bigint not null,
  id            bigint generated always as identity,
  incident_id   bigint not null,
  step_key      text not null,
  title         text not null,
  owner_role    text not null check (owner_role in ('pr_staff', 'oncall_manager', 'director', 'admin')),
  due_at        timestamptz not null,
  checklist     jsonb not null default '[]',
  status        text not null default 'open' check (status in ('open', 'done', 'skipped')),
  done_by       text,
  done_at       timestamptz,
  created_at    timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade,
  -- A playbook step becomes a task once per incident, however often severity rises.
  unique (org_id, incident_id, step_key)
);
-- Overdue open tasks of an org (GET …/incident-tasks/overdue).
create index incident_tasks_open_due_idx on incident_tasks (org_id, due_at) where status = 'open';

create table incident_events (
  org_id       bigint not null,
  id           bigint generated always as identity,
  incident_id  bigint not null,
  at           timestamptz not null,
  kind         text not null check (kind in ('opened', 'alert_attached', 'alert_updated', 'status_changed', 'severity_changed',
                 'tasks_added', 'task_updated', 'roles_changed', 'note')),
  actor_type   text not null,
  actor_id     text,
  data         jsonb not null default '{}',
  primary key (org_id, id),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade
);
-- An incident's timeline in order.
create index incident_events_incident_idx on incident_events (org_id, incident_id, id);

create function incident_events_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'incident_events is append-only (% refused)', tg_op;
end;
$$;
-- UPDATE is always refused; DELETE too, except the cascade when the organization itself goes
-- (an org deletion would otherwise be impossible). pg_trigger_depth() > 1 marks that cascade.
create function incident_events_refuse_delete() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() > 1 then return old; end if;
  raise exception 'incident_events is append-only (% refused)', tg_op;
end;
$$;
create trigger incident_events_no_update before update on incident_events
  for each row execute function incident_events_is_append_only();
create trigger incident_events_no_delete before delete on incident_events
  for each row execute function incident_events_refuse_delete();
create trigger incident_events_no_truncate before truncate on incident_events
  for each statement execute function incident_events_is_append_only();
