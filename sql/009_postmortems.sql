-- Post-mortems (issue 6 item 8) and incident roles held by people (item 2).
--
-- A post-mortem is drafted in the transaction that resolves its incident: the facts (timeline,
-- impact, metrics, deadlines, statements) are generated and stored as JSON; the prose (summary,
-- what went well / badly) is seeded from them and then edited by people. `version` is the
-- optimistic-concurrency counter every edit names; approval names the version the director read.
-- Action items are incident_tasks with step_key 'action:<n>' (owner role, assignee, due time).

create table postmortems (
  org_id            bigint not null,
  incident_id       bigint not null,
  status            text not null check (status in ('draft', 'approved')),
  version           integer not null default 1 check (version >= 1),
  facts             jsonb not null,
  summary           text not null check (length(summary) <= 20000),
  went_well         text not null check (length(went_well) <= 20000),
  went_badly        text not null check (length(went_badly) <= 20000),
  -- Prose fields a person has edited: regenerating refreshes the facts and re-seeds only the others.
  edited_fields     text[] not null default '{}',
  generated_at      timestamptz not null,
  created_at        timestamptz not null,
  updated_at        timestamptz not null,
  -- AuditActor refs ('user:12', 'system:hinoko'): type and id, as in incident_events.
  updated_by        text,
  approved_by       text,
  approved_at       timestamptz,
  approved_version  integer,
  primary key (org_id, incident_id),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade,
  check ((approved_by is null) = (approved_at is null)),
  check ((status = 'approved') = (approved_at is not null))
);

-- Roles on an incident become people. The *_role columns stay (a role to fill before anyone is
-- named); the ids must be users of the incident's organization, so the foreign keys include org_id.
alter table incidents add column commander_id bigint;
alter table incidents add column communications_id bigint;
alter table incidents add column scribe_id bigint;
alter table incidents add constraint incidents_commander_fk
  foreign key (org_id, commander_id) references users (org_id, id) on delete set null (commander_id);
alter table incidents add constraint incidents_communications_fk
  foreign key (org_id, communications_id) references users (org_id, id) on delete set null (communications_id);
alter table incidents add constraint incidents_scribe_fk
  foreign key (org_id, scribe_id) references users (org_id, id) on delete set null (scribe_id);
