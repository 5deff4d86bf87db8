-- Issue 18 item 4: every tenant table's primary and unique keys include org_id, so the schema can
-- be distributed by org_id (Citus: a unique constraint on a distributed table must hold its
-- distribution column; README「Citus で動かす」, sql/citus/). Ids are still looked up alone — a
-- webhook names its source, a mail worker its outbox row, an e-mail link its nonce — so each keeps
-- a plain index; its uniqueness comes from the identity sequence (or 256 random bits) that made it.
alter table watch_targets drop constraint watch_targets_id_key;
create index watch_targets_id_idx on watch_targets (id);
alter table sources drop constraint sources_id_key;
create index sources_id_idx on sources (id);
alter table collector_runs drop constraint collector_runs_id_key;
create index collector_runs_id_idx on collector_runs (id);
alter table alerts drop constraint alerts_id_key;
create index alerts_id_idx on alerts (id);
alter table mail_outbox drop constraint mail_outbox_id_key;
create index mail_outbox_id_idx on mail_outbox (id);
alter table incidents drop constraint incidents_id_key;
create index incidents_id_idx on incidents (id);
alter table users drop constraint users_id_key;
create index users_id_idx on users (id);
alter table statements drop constraint statements_id_key;
create index statements_id_idx on statements (id);
alter table oncall_schedules drop constraint oncall_schedules_id_key;
create index oncall_schedules_id_idx on oncall_schedules (id);
alter table post_drafts drop constraint post_drafts_id_key;
create index post_drafts_id_idx on post_drafts (id);
alter table user_tokens drop constraint user_tokens_id_key;
create index user_tokens_id_idx on user_tokens (id);

-- Credentials found by their hash before the organisation is known (a bearer token, a session
-- cookie, a link in an e-mail): unique within the organisation, indexed on their own.
alter table user_tokens drop constraint user_tokens_token_hash_key;
alter table user_tokens add unique (org_id, token_hash);
create index user_tokens_token_hash_idx on user_tokens (token_hash);
alter table sessions drop constraint sessions_pkey;
alter table sessions add primary key (org_id, id_hash);
create index sessions_id_hash_idx on sessions (id_hash);
alter table ack_links drop constraint ack_links_pkey;
alter table ack_links add primary key (org_id, nonce);
create index ack_links_nonce_idx on ack_links (nonce);

-- The audit log holds the platform's chain (org_id null) beside each organisation's, so it is
-- distributed by its chain, not by org_id: its keys hold the chain.
alter table audit_log drop constraint audit_log_pkey;
alter table audit_log add primary key (chain, id);
create index audit_log_id_idx on audit_log (id);
