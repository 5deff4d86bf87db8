-- Grafana's database role (issue 15 item 3): it reads what the dashboards chart and nothing else —
-- no users, sessions, tokens, credentials, secrets, mail or posts' text. Created NOLOGIN; the
-- service lets it log in when HINOKO_READONLY_PASSWORD is set (src/db/roles.ts), which is how
-- docker-compose gives Grafana its password. Roles belong to the whole cluster: a second
-- database, or a migrating role that may not create roles (a managed database's app user), only
-- gets the grants, or a notice.
do $$
begin
  if not exists (select from pg_roles where rolname = 'hinoko_readonly') then
    if not (select rolsuper or rolcreaterole from pg_roles where rolname = current_user) then
      raise notice 'hinoko_readonly not created: % may not create roles (create it by hand, then migrate again)', current_user;
      return;
    end if;
    begin
      create role hinoko_readonly nologin;
    exception when duplicate_object then
      null; -- another database's migration made it a moment ago
    end;
  end if;
  execute format('grant connect on database %I to hinoko_readonly', current_database());
  grant usage on schema public to hinoko_readonly;
  grant select on organizations, watch_targets, sources, collector_runs, mention_counts, mention_source_counts,
    alerts, alert_events, incidents, postmortems to hinoko_readonly;
end
$$;
