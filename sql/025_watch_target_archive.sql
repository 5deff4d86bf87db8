-- Removing a watch target (issue 15 item 2) archives it: collection and detection stop using it,
-- the settings pages no longer list it, but the posts, alerts and incidents that name it keep
-- their name (a post-mortem written last year still says which target flared up). Its id is
-- never reused, so nothing that points at it can come to mean another target.
alter table watch_targets
  add column archived_at timestamptz,
  add column archived_by bigint,
  add foreign key (org_id, archived_by) references users (org_id, id);
