-- Statements (issue 6 item 4): the holding statement, apology and review reply an incident's
-- communications lead drafts, the checker's findings, and two-person approval. Transitions live in
-- src/statements/lifecycle.ts (one table); the database keeps the closed sets and the invariants
-- the verbs validate, so a bug in a verb cannot store an approval by the author.

create table statements (
  org_id        bigint not null,
  id            bigint generated always as identity,
  incident_id   bigint not null,
  kind          text not null check (kind in ('holding', 'apology', 'review_reply')),
  title         text not null check (length(title) between 1 and 200),
  body          text not null check (length(body) between 1 and 10000),
  status        text not null check (status in ('draft', 'in_review', 'approved', 'rejected', 'published', 'withdrawn')),
  -- The current version (statement_versions); approve names the version it read.
  version       integer not null default 1 check (version >= 1),
  template_key  text,
  -- AuditActor ids of users ('user' actors); text like incident_events.actor_id.
  author_id     text not null,
  submitted_by  text,
  submitted_at  timestamptz,
  approved_by   text,
  approved_at   timestamptz,
  -- Blocking findings the approver overrode, each with its reason: [{findingId, rule, excerpt, reason}].
  overrides     jsonb not null default '[]',
  rejected_by   text,
  rejected_at   timestamptz,
  reject_reason text,
  published_at  timestamptz,
  withdrawn_at  timestamptz,
  withdraw_reason text,
  -- The checker's findings on the current body (src/statements/checker.ts), and when it ran.
  findings      jsonb not null default '[]',
  checked_at    timestamptz,
  created_at    timestamptz not null,
  updated_at    timestamptz not null,
  primary key (org_id, id),
  unique (id),
  foreign key (org_id, incident_id) references incidents (org_id, id) on delete cascade,
  -- Four eyes: whoever approved is not who wrote it (editors are checked by the verb, from versions).
  check (approved_by is null or (approved_by <> author_id and approved_by is distinct from submitted_by)),
  check ((approved_by is null) = (approved_at is null)),
  check (status not in ('approved', 'published') or approved_at is not null),
  check (status <> 'published' or published_at is not null),
  check (published_at is null or published_at >= approved_at)
);
-- Statements of an incident (GET …/incidents/:id/statements; the post-mortem reads them too).
create index statements_incident_idx on statements (org_id, incident_id, id);

-- Every body a statement had: edits append a version, so what was checked, approved and
-- published can be shown word for word later.
create table statement_versions (
  org_id        bigint not null,
  statement_id  bigint not null,
  version       integer not null check (version >= 1),
  title         text not null,
  body          text not null,
  edited_by     text not null,
  edited_at     timestamptz not null,
  primary key (org_id, statement_id, version),
  foreign key (org_id, statement_id) references statements (org_id, id) on delete cascade
);
