-- Leases replace session-level advisory locks for work that outlives one transaction (a source's
-- collection run, the analysis backlog sweep). A session lock needed a connection reserved for the
-- whole run, and when that connection's backend died, postgres.js crashed the process (a known bug
-- in its reserved connections). A lease is a row: taken and renewed by ordinary pooled queries,
-- it expires on its own when its holder stops renewing (crash, network split, outage).
create table leases (
  name        text primary key check (length(name) between 1 and 200),
  -- The holder's instance id (host:pid:random), so a holder on the same host that has died can be
  -- recognised at once instead of after the expiry.
  holder      text not null,
  acquired_at timestamptz not null default now(),
  expires_at  timestamptz not null
);
