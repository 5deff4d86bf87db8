-- Hinoko platform schema.
-- Every tenant table carries org_id and leads its primary key with it: org_id is the distribution
-- key if a deployment outgrows one Postgres (Citus shards by it), so every query filters on it.
-- Timestamps are timestamptz and stored in UTC; display converts to Asia/Tokyo.

create table organizations (
  id          bigint generated always as identity primary key,
  name        text not null check (length(name) between 1 and 200),
  slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  is_demo     boolean not null default false,
  settings    jsonb not null default '{}',
  created_at  timestamptz not null default now()
);

-- A facility or brand we watch: the names people use for it, extra keywords, its own accounts,
-- and terms that mark a false match (another さくら内科 elsewhere).
create table watch_targets (
  org_id      bigint not null references organizations (id) on delete cascade,
  id          bigint generated always as identity,
  name        text not null check (length(name) between 1 and 200),
  names       text[] not null default '{}',
  keywords    text[] not null default '{}',
  handles     jsonb not null default '{}',
  exclusions  text[] not null default '{}',
  created_at  timestamptz not null default now(),
  primary key (org_id, id),
  unique (id)
);

create table sources (
  org_id          bigint not null references organizations (id) on delete cascade,
  id              bigint generated always as identity,
  type            text not null,
  name            text not null check (length(name) between 1 and 200),
  config          jsonb not null default '{}',
  enabled         boolean not null default true,
  schedule        text not null,
  health          text not null default 'unknown' check (health in ('unknown', 'ok', 'failing', 'unhealthy')),
  health_message  text,
  last_run_at     timestamptz,
  last_success_at timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (org_id, id),
  unique (id)
);

-- Where the next collection resumes. Written in the same transaction as the rows it covers.
create table source_cursors (
  org_id      bigint not null,
  source_id   bigint not null,
  cursor      jsonb,
  updated_at  timestamptz not null default now(),
  primary key (org_id, source_id),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);

create table mentions (
  org_id                bigint not null,
  id                    bigint generated always as identity,
  source_id             bigint not null,
  watch_target_id       bigint,
  external_id           text not null check (length(external_id) between 1 and 512),
  url                   text,
  author_id             text,
  author_handle         text,
  author_name           text,
  text                  text not null,
  language              text,
  posted_at             timestamptz not null,
  collected_at          timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  likes                 integer not null default 0,
  reposts               integer not null default 0,
  quotes                integer not null default 0,
  replies               integer not null default 0,
  views                 bigint,
  reply_to_external_id  text,
  quote_of_external_id  text,
  repost_of_external_id text,
  rating                smallint check (rating between 1 and 5),
  is_private            boolean not null default false,
  is_demo               boolean not null default false,
  raw                   jsonb not null,
  -- Analysis results (sentiment, risks, PII offsets, terms). NULL until analysed.
  analysis              jsonb,
  analysis_version      text,
  sentiment_label       text check (sentiment_label in ('positive', 'neutral', 'negative')),
  sentiment_score       real,
  version               integer not null default 1,
  deleted_at            timestamptz,
  primary key (org_id, id),
  -- Dedupe key: re-collecting an item updates it instead of storing it twice.
  unique (org_id, source_id, external_id),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);
-- Mention list, newest first (GET /api/v1/mentions); keyset pagination on (posted_at, id).
create index mentions_org_posted_idx on mentions (org_id, posted_at desc, id desc);
-- The same list filtered by source.
create index mentions_org_source_posted_idx on mentions (org_id, source_id, posted_at desc, id desc);
-- The same list filtered by sentiment (the dashboard's「ネガティブのみ」).
create index mentions_org_sentiment_posted_idx on mentions (org_id, sentiment_label, posted_at desc, id desc);

-- Earlier texts of edited mentions: version n holds the text as it was before edit n+1.
create table mention_versions (
  org_id       bigint not null,
  id           bigint generated always as identity,
  mention_id   bigint not null,
  version      integer not null,
  text         text not null,
  raw          jsonb not null,
  observed_at  timestamptz not null,
  replaced_at  timestamptz not null default now(),
  primary key (org_id, id),
  unique (org_id, mention_id, version),
  foreign key (org_id, mention_id) references mentions (org_id, id) on delete cascade
);

-- The platform deleted or the sender unsent a mention. The mention row (the evidence) stays.
create table mention_tombstones (
  org_id       bigint not null,
  source_id    bigint not null,
  external_id  text not null,
  mention_id   bigint,
  reason       text not null check (reason in ('deleted', 'unsent', 'hidden', 'unavailable')),
  deleted_at   timestamptz not null,
  recorded_at  timestamptz not null default now(),
  raw          jsonb,
  primary key (org_id, source_id, external_id),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);

-- Platform events that are not posts (LINE follow/unfollow, media messages, Instagram mentions
-- to fetch). Unique on the platform's event id, so webhook redeliveries are stored once.
create table source_activities (
  org_id       bigint not null,
  source_id    bigint not null,
  event_id     text not null check (length(event_id) between 1 and 512),
  kind         text not null,
  occurred_at  timestamptz not null,
  actor_id     text,
  is_private   boolean not null default false,
  raw          jsonb,
  received_at  timestamptz not null default now(),
  primary key (org_id, source_id, event_id),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);

create table collector_runs (
  org_id         bigint not null,
  id             bigint generated always as identity,
  source_id      bigint not null,
  -- The cron tick this run belongs to (NULL for manual runs). Unique, so when several instances
  -- fire the same tick only the first insert wins and the run happens once.
  scheduled_for  timestamptz,
  trigger        text not null check (trigger in ('schedule', 'manual', 'webhook')),
  instance_id    text not null,
  status         text not null check (status in ('running', 'succeeded', 'failed', 'skipped')),
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  pages          integer not null default 0,
  fetched        integer not null default 0,
  inserted       integer not null default 0,
  updated        integer not null default 0,
  tombstoned     integer not null default 0,
  rejected       integer not null default 0,
  error          text,
  primary key (org_id, id),
  unique (id),
  unique (org_id, source_id, scheduled_for),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);
-- "Latest runs of a source" for sources list and health.
create index collector_runs_source_idx on collector_runs (org_id, source_id, started_at desc);

-- Mention counts per 5-minute bucket, maintained in the ingest transaction. Detection and the
-- volume chart read these instead of counting mentions: a day is 288 rows however busy the day.
-- watch_target_id NULL is the org-wide row.
create table mention_counts (
  org_id           bigint not null,
  watch_target_id  bigint,
  bucket_start     timestamptz not null,
  total            integer not null default 0,
  negative         integer not null default 0,
  positive         integer not null default 0,
  reposts          bigint not null default 0,
  quotes           bigint not null default 0,
  replies          bigint not null default 0,
  -- Engagement gained by negative posts, counted in the bucket it was first seen: the diffusion
  -- the velocity detector watches.
  negative_reposts bigint not null default 0,
  negative_quotes  bigint not null default 0,
  negative_replies bigint not null default 0
);
-- Serves the per-bucket count query (org, target, time range) and the upsert's conflict target.
create unique index mention_counts_key on mention_counts (org_id, watch_target_id, bucket_start) nulls not distinct;

-- The platform API token (until user login arrives). Only a hash is stored.
create table api_tokens (
  id          bigint generated always as identity primary key,
  label       text not null,
  token_hash  bytea not null unique,
  created_at  timestamptz not null default now()
);
