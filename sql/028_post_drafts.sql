-- Issue 17: the clinic's own posts, checked before publishing and approved by N colleagues who did
-- not write them. A post's text has versions; approvals name the version they read, so a change
-- after approval (a new version) leaves the earlier approvals behind — they no longer count.
alter table organizations
  add column post_reviewers_required integer not null default 2 check (post_reviewers_required between 1 and 5),
  -- What the institution publishes about itself and may appear in its posts: {phones, addresses, names}.
  add column published_identifiers jsonb not null default '{}';

create table post_drafts (
  org_id          bigint not null references organizations (id) on delete cascade,
  id              bigint generated always as identity,
  channel         text not null check (channel in ('x', 'instagram', 'facebook', 'line', 'blog', 'google_review_reply')),
  text            text not null check (length(text) between 1 and 100000),
  -- [{alt, description}] and [{name, mimeType, bytes}]: what reviewers need to judge images and files.
  images          jsonb not null default '[]',
  attachments     jsonb not null default '[]',
  planned_at      timestamptz,
  status          text not null check (status in ('draft', 'in_review', 'approved', 'scheduled', 'published', 'withdrawn')),
  version         integer not null default 1 check (version >= 1),
  -- AuditActor ids of users ('user' actors), as statements.author_id.
  author_id       text not null,
  -- The checker's findings on the current version and the rules they were found with.
  findings        jsonb not null default '[]',
  rules_version   text not null,
  checked_at      timestamptz not null,
  published_at    timestamptz,
  published_url   text,
  withdrawn_at    timestamptz,
  withdraw_reason text,
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  primary key (org_id, id),
  unique (id),
  check (status <> 'published' or published_at is not null),
  check (status <> 'scheduled' or planned_at is not null),
  check (status <> 'withdrawn' or withdrawn_at is not null)
);
create index post_drafts_list on post_drafts (org_id, updated_at desc, id desc);

create table post_draft_versions (
  org_id     bigint not null,
  post_id    bigint not null,
  version    integer not null,
  text       text not null,
  images     jsonb not null,
  edited_by  text not null,
  edited_at  timestamptz not null,
  primary key (org_id, post_id, version),
  foreign key (org_id, post_id) references post_drafts (org_id, id) on delete cascade
);

create table post_approvals (
  org_id      bigint not null,
  post_id     bigint not null,
  version     integer not null,
  reviewer_id text not null,
  -- Blocking findings this reviewer overrode, each with its reason: [{findingId, rule, excerpt, reason}].
  overrides   jsonb not null default '[]',
  approved_at timestamptz not null,
  primary key (org_id, post_id, version, reviewer_id),
  foreign key (org_id, post_id, version) references post_draft_versions (org_id, post_id, version) on delete cascade
);
