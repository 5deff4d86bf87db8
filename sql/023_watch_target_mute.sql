-- Muting a watch target for a while (issue 14 item 4): a TV appearance or a known campaign makes
-- a clinic's name busy for a day, and the notices it raises are noise the staff already know
-- about. Until muted_until, notices about the target are not mailed; a suspected 炎上 still is
-- (marked as about a muted target), because a crisis is never silenced. Who muted it and why are
-- here for the pages and in the audit log for history.
alter table watch_targets
  add column muted_until timestamptz,
  add column mute_reason text check (length(mute_reason) between 1 and 500),
  add column muted_by bigint,
  add foreign key (org_id, muted_by) references users (org_id, id),
  add check ((muted_until is null) = (mute_reason is null));
