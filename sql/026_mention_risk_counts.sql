-- Risk-category hits per 5-minute bucket, kept by the ingest path beside mention_counts (issue 15:
-- the detection settings page replays 30 days for three sensitivities within 2 s; reading the
-- risks of a busy clinic's million posts took seconds, reading this takes milliseconds). Like
-- mention_counts, watch_target_id NULL is the org-wide row; a post counts once per category
-- match in the bucket it was posted in, and edits and re-analysis move the counts with it.
create table mention_risk_counts (
  org_id           bigint not null,
  watch_target_id  bigint,
  bucket_start     timestamptz not null,
  category         text not null,
  hits             integer not null default 0
);
create unique index mention_risk_counts_key on mention_risk_counts (org_id, watch_target_id, bucket_start, category) nulls not distinct;

-- The posts stored before: counted once, here.
insert into mention_risk_counts (org_id, watch_target_id, bucket_start, category, hits)
select org_id, null, b, category, count(*)::int
from (
  select m.org_id, date_bin('5 minutes', m.posted_at, timestamptz '1970-01-01T00:00:00Z') as b, r ->> 'category' as category
  from mentions m, jsonb_array_elements(case when jsonb_typeof(m.analysis -> 'risks') = 'array' then m.analysis -> 'risks' else '[]'::jsonb end) r
) x
group by org_id, b, category
union all
select org_id, watch_target_id, b, category, count(*)::int
from (
  select m.org_id, m.watch_target_id, date_bin('5 minutes', m.posted_at, timestamptz '1970-01-01T00:00:00Z') as b, r ->> 'category' as category
  from mentions m, jsonb_array_elements(case when jsonb_typeof(m.analysis -> 'risks') = 'array' then m.analysis -> 'risks' else '[]'::jsonb end) r
  where m.watch_target_id is not null
) y
group by org_id, watch_target_id, b, category;
