-- Mentions per source per 5-minute bucket, beside mention_counts (which is per watch target): the
-- overview's per-source chart over a week read 230,000 mentions per request (~0.5 s at a million
-- mentions); from this rollup it reads at most 2,016 rows per source. Kept by the same
-- transactions that keep mention_counts (src/ingest/store-page.ts, analyze-stored.ts), counting
-- the same way: deleted posts stay counted, negative follows the current sentiment.
create table mention_source_counts (
  org_id        bigint not null,
  source_id     bigint not null,
  bucket_start  timestamptz not null,
  total         integer not null default 0,
  negative      integer not null default 0,
  primary key (org_id, source_id, bucket_start)
);

insert into mention_source_counts (org_id, source_id, bucket_start, total, negative)
select org_id, source_id, to_timestamp(floor(extract(epoch from posted_at) / 300) * 300), count(*),
  count(*) filter (where sentiment_label = 'negative')
from mentions
group by 1, 2, 3;
