-- Triage of posts (issue 14 item 3): PR staff mark a post handled, needing a reply or not needing
-- anything, assign it to a person and leave notes. Kept beside the post, not in it: collection
-- rewrites mentions (edits, metrics), triage is people's work and must never be overwritten by it.
-- A post without a row here is 未対応 (open).
create table mention_triage (
  org_id        bigint not null,
  mention_id    bigint not null,
  status        text not null check (status in ('open', 'needs_reply', 'handled', 'ignored')),
  -- The post's time, copied (it never changes): the feed filtered by state or assignee walks the
  -- indexes below newest first and stops at a page, instead of the posts' index and a probe each.
  posted_at     timestamptz not null,
  assignee_id   bigint,
  -- When the clinic replied, as staff recorded it (a reply on a platform we read is found in the
  -- data instead: a Google review's reply, or a post of the clinic's own account answering it).
  replied_at    timestamptz,
  updated_by    bigint,
  updated_at    timestamptz not null default now(),
  primary key (org_id, mention_id),
  foreign key (org_id, mention_id) references mentions (org_id, id) on delete cascade,
  foreign key (org_id, assignee_id) references users (org_id, id),
  foreign key (org_id, updated_by) references users (org_id, id)
);
-- The feed filtered by state or by assignee starts from these rows, newest first.
create index mention_triage_status_idx on mention_triage (org_id, status, posted_at desc, mention_id desc);
create index mention_triage_assignee_idx on mention_triage (org_id, assignee_id, posted_at desc, mention_id desc)
  where assignee_id is not null;

create table mention_notes (
  org_id      bigint not null,
  id          bigint generated always as identity,
  mention_id  bigint not null,
  author_id   bigint not null,
  body        text not null check (length(body) between 1 and 2000),
  created_at  timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, mention_id) references mentions (org_id, id) on delete cascade,
  foreign key (org_id, author_id) references users (org_id, id)
);
create index mention_notes_mention_idx on mention_notes (org_id, mention_id, created_at);

-- Replies found in the data (time to first reply): the posts answering a post, by its source and id.
create index mentions_reply_to_idx on mentions (org_id, source_id, reply_to_external_id) where reply_to_external_id is not null;
