-- Append-only, tamper-evident audit log. One hash chain per organization (chain = org id) and
-- one for platform-wide actions (chain = 'platform'). Each row's hash covers its content and the
-- previous row's hash, so editing or deleting any row breaks every link after it; the database
-- itself refuses UPDATE, DELETE and TRUNCATE. `hinoko audit verify` walks the chains.

create table audit_log (
  id           bigint generated always as identity primary key,
  chain        text not null,
  seq          bigint not null,
  org_id       bigint,
  at           timestamptz not null,
  actor_type   text not null check (actor_type in ('api_token', 'cli', 'system', 'webhook', 'user')),
  actor_id     text,
  action       text not null,
  target_type  text,
  target_id    text,
  before       jsonb,
  after        jsonb,
  request_id   text,
  source_ip    text,
  prev_hash    bytea,
  hash         bytea not null,
  unique (chain, seq)
);
-- "Who did what to this organization", newest first.
create index audit_log_org_idx on audit_log (org_id, id desc);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only (% refused)', tg_op;
end;
$$;
create trigger audit_log_no_update_or_delete before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_is_append_only();
