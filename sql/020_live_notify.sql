-- Live pages (issue 14): every committed write of mentions, alert events and incident events tells
-- the listening instances which organisation changed, through NOTIFY — delivered on commit only,
-- to every instance (src/live/hub.ts), once per statement and organisation (a page of 500 posts is
-- one notification; Postgres folds identical payloads within a transaction). The payload names
-- the organisation and what changed, nothing a person wrote.
create function hinoko_live_notify() returns trigger language plpgsql as $$
declare
  org bigint;
begin
  for org in select distinct org_id from changed loop
    perform pg_notify('hinoko_live', json_build_object('o', org::text, 'k', tg_argv[0])::text);
  end loop;
  return null;
end
$$;

create trigger mentions_live_insert after insert on mentions
  referencing new table as changed for each statement execute function hinoko_live_notify('mentions');
create trigger mentions_live_update after update on mentions
  referencing new table as changed for each statement execute function hinoko_live_notify('mentions');
create trigger alert_events_live after insert on alert_events
  referencing new table as changed for each statement execute function hinoko_live_notify('alert');
create trigger incident_events_live after insert on incident_events
  referencing new table as changed for each statement execute function hinoko_live_notify('incident');
