-- Flare-up detection: streaming detector state per series, and the alerts it raises.

-- One row per series: the org as a whole (watch_target_id NULL) and each watch target. The state
-- is the detectors' plain JSON; it is read FOR UPDATE and written in the same transaction as the
-- alerts a step raises, so a restart neither loses learning nor repeats an alert.
create table detector_states (
  org_id             bigint not null references organizations (id) on delete cascade,
  watch_target_id    bigint,
  bucket_ms          integer not null,
  state              jsonb not null,
  -- Start of the last bucket stepped; the next pass continues after it.
  last_bucket_start  timestamptz,
  updated_at         timestamptz not null default now()
);
create unique index detector_states_key on detector_states (org_id, watch_target_id) nulls not distinct;

create table alerts (
  org_id           bigint not null references organizations (id) on delete cascade,
  id               bigint generated always as identity,
  watch_target_id  bigint,
  -- Stable per series and episode: repeated spikes of one episode update this row.
  episode_id       text not null,
  kind             text not null check (kind in ('crisis', 'notice')),
  status           text not null check (status in ('open', 'closed')),
  severity         smallint not null check (severity between 1 and 5),
  peak_score       real not null,
  opened_at        timestamptz not null,
  updated_at       timestamptz not null,
  closed_at        timestamptz,
  summary_ja       text not null,
  explanation      jsonb not null,
  primary key (org_id, id),
  unique (id)
);
create unique index alerts_episode_key on alerts (org_id, watch_target_id, episode_id) nulls not distinct;
-- Alert list, newest first (GET /api/v1/organizations/:orgId/alerts).
create index alerts_org_opened_idx on alerts (org_id, opened_at desc, id desc);

-- Every change of an alert (opened, escalated, updated, re-opened, closed), for its history.
create table alert_events (
  org_id       bigint not null,
  id           bigint generated always as identity,
  alert_id     bigint not null,
  action       text not null check (action in ('open', 'escalate', 'reopen', 'update', 'close')),
  notify       boolean not null,
  severity     smallint not null,
  score        real not null,
  bucket_start timestamptz not null,
  summary_ja   text not null,
  created_at   timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, alert_id) references alerts (org_id, id) on delete cascade
);
create index alert_events_alert_idx on alert_events (org_id, alert_id, id);
-- One event per alert, action and bucket: replaying history (a rebuild) adds nothing twice.
create unique index alert_events_once on alert_events (org_id, alert_id, action, bucket_start);
