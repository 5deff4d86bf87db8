-- Detection judges a bucket only once collection has caught up with it (src/alerts/watermark.ts):
-- a run records the moment up to which it collected (its clock at the start of the run), and a
-- series keeps the state it had after each recent bucket, so a bucket that receives posts late
-- (within the notify window) is judged again from the state before it.
alter table collector_runs add column covers_until timestamptz;

alter table detector_states add column rejudge_from timestamptz;

create table detector_snapshots (
  org_id           bigint not null references organizations (id) on delete cascade,
  watch_target_id  bigint,
  -- The state after stepping this bucket.
  bucket_start     timestamptz not null,
  state            jsonb not null
);
create unique index detector_snapshots_key on detector_snapshots (org_id, watch_target_id, bucket_start) nulls not distinct;
