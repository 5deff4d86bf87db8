import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { idInRange, timeInRange } from '../validation.ts';
import type { SentimentLabel, TextAnalysis } from '../analysis/types.ts';

export interface MentionView {
  id: string;
  orgId: string;
  sourceId: string;
  sourceType: string;
  watchTargetId: string | null;
  externalId: string;
  url: string | null;
  author: { id: string | null; handle: string | null; name: string | null };
  text: string;
  language: string | null;
  postedAt: Date;
  collectedAt: Date;
  metrics: { likes: number; reposts: number; quotes: number; replies: number; views: number | null };
  replyToExternalId: string | null;
  quoteOfExternalId: string | null;
  repostOfExternalId: string | null;
  rating: number | null;
  isPrivate: boolean;
  isDemo: boolean;
  version: number;
  deletedAt: Date | null;
  sentiment: { label: SentimentLabel; score: number } | null;
  analysis: TextAnalysis | null;
}

export interface MentionFilter {
  orgId: string;
  sourceId?: string;
  watchTargetId?: string;
  from?: Date;
  to?: Date;
  sentiment?: SentimentLabel;
  /** Case-insensitive substring of the text. */
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface MentionPage {
  items: MentionView[];
  nextCursor: string | null;
}

// The cursor is the (posted_at, id) of the last item: keyset pagination stays fast at any depth
// and never skips or repeats rows when new mentions arrive between pages.
export function encodeCursor(postedAt: Date, id: string): string {
  return Buffer.from(`${postedAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { postedAt: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [at, id] = text.split('|');
  if (!at || !id || !idInRange(id) || !timeInRange(new Date(at))) throw new ValidationError('cursor is not valid');
  return { postedAt: new Date(at), id };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listMentions(sql: Sql, f: MentionFilter): Promise<MentionPage> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const after = f.cursor ? decodeCursor(f.cursor) : null;
  const rows = await sql<MentionRowOut[]>`
    select m.id, m.org_id, m.source_id, s.type as source_type, m.watch_target_id, m.external_id, m.url,
      m.author_id, m.author_handle, m.author_name, m.text, m.language, m.posted_at, m.collected_at,
      m.likes, m.reposts, m.quotes, m.replies, m.views, m.reply_to_external_id, m.quote_of_external_id,
      m.repost_of_external_id, m.rating, m.is_private, m.is_demo, m.version, m.deleted_at,
      m.sentiment_label, m.sentiment_score, m.analysis
    from mentions m
    join sources s on s.org_id = m.org_id and s.id = m.source_id
    where m.org_id = ${f.orgId}
      ${f.sourceId ? sql`and m.source_id = ${f.sourceId}` : sql``}
      ${f.watchTargetId ? sql`and m.watch_target_id = ${f.watchTargetId}` : sql``}
      ${f.sentiment ? sql`and m.sentiment_label = ${f.sentiment}` : sql``}
      ${f.from ? sql`and m.posted_at >= ${f.from}` : sql``}
      ${f.to ? sql`and m.posted_at < ${f.to}` : sql``}
      ${f.q ? sql`and m.text ilike ${'%' + escapeLike(f.q) + '%'}` : sql``}
      ${after ? sql`and (m.posted_at, m.id) < (${after.postedAt}, ${after.id}::bigint)` : sql``}
    order by m.posted_at desc, m.id desc
    limit ${limit + 1}`;
  const items = rows.slice(0, limit).map(toView);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.postedAt, last.id) : null };
}

export async function getMention(sql: Sql, orgId: string, id: string): Promise<MentionView | null> {
  const rows = await sql<MentionRowOut[]>`
    select m.*, s.type as source_type from mentions m join sources s on s.org_id = m.org_id and s.id = m.source_id
    where m.org_id = ${orgId} and m.id = ${id}`;
  return rows[0] ? toView(rows[0]) : null;
}

/** What both queries select: the mention without its raw payload and bookkeeping, and its source's type. */
type MentionRowOut = Omit<Row<'mentions'>, 'raw' | 'analysis_version' | 'updated_at'> & { source_type: Row<'sources'>['type'] };

function toView(r: MentionRowOut): MentionView {
  return {
    id: r.id,
    orgId: r.org_id,
    sourceId: r.source_id,
    sourceType: r.source_type,
    watchTargetId: r.watch_target_id,
    externalId: r.external_id,
    url: r.url,
    author: { id: r.author_id, handle: r.author_handle, name: r.author_name },
    text: r.text,
    language: r.language,
    postedAt: r.posted_at,
    collectedAt: r.collected_at,
    metrics: { likes: r.likes, reposts: r.reposts, quotes: r.quotes, replies: r.replies, views: r.views === null ? null : Number(r.views) },
    replyToExternalId: r.reply_to_external_id,
    quoteOfExternalId: r.quote_of_external_id,
    repostOfExternalId: r.repost_of_external_id,
    rating: r.rating,
    isPrivate: r.is_private,
    isDemo: r.is_demo,
    version: r.version,
    deletedAt: r.deleted_at,
    sentiment: r.sentiment_label ? { label: r.sentiment_label, score: r.sentiment_score ?? 0 } : null,
    analysis: r.analysis,
  };
}

export const bucketSizes = { '5m': 300, '15m': 900, '1h': 3600, '1d': 86400 } as const;
export type BucketSize = keyof typeof bucketSizes;
const MAX_BUCKETS = 10_000;

export interface CountBucket {
  start: Date;
  total: number;
  negative: number;
  positive: number;
  reposts: number;
  quotes: number;
  replies: number;
}

/**
 * Mention counts per bucket from the 5-minute rollup, with empty buckets filled in so charts and
 * detectors see the zeros. Days are aligned to midnight in Asia/Tokyo.
 */
export async function countMentions(
  sql: Sql,
  f: { orgId: string; watchTargetId?: string; from: Date; to: Date; bucket: BucketSize },
): Promise<CountBucket[]> {
  const seconds = bucketSizes[f.bucket];
  if (f.to <= f.from) throw new ValidationError('to must be after from');
  if ((f.to.getTime() - f.from.getTime()) / 1000 / seconds > MAX_BUCKETS) {
    throw new ValidationError(`that range has more than ${MAX_BUCKETS} buckets; use a larger bucket`);
  }
  const interval = `${seconds} seconds`;
  // JST has no daylight saving, so a fixed +09:00 origin aligns days for good.
  const origin = '2000-01-01T00:00:00+09:00';
  const rows = await sql<
    ({ start: Date } & Pick<Row<'mention_counts'>, 'total' | 'negative' | 'positive' | 'reposts' | 'quotes' | 'replies'>)[]
  >`
    with series as (
      select generate_series(
        date_bin(${interval}::interval, ${f.from}::timestamptz, ${origin}::timestamptz),
        ${f.to}::timestamptz - interval '1 microsecond',
        ${interval}::interval) as start
    ), counted as (
      select date_bin(${interval}::interval, bucket_start, ${origin}::timestamptz) as start,
        sum(total)::int as total, sum(negative)::int as negative, sum(positive)::int as positive,
        sum(reposts) as reposts, sum(quotes) as quotes, sum(replies) as replies
      from mention_counts
      where org_id = ${f.orgId}
        and watch_target_id ${f.watchTargetId ? sql`= ${f.watchTargetId}` : sql`is null`}
        and bucket_start >= date_bin(${interval}::interval, ${f.from}::timestamptz, ${origin}::timestamptz)
        and bucket_start < ${f.to}
      group by 1
    )
    select s.start, coalesce(c.total, 0) as total, coalesce(c.negative, 0) as negative, coalesce(c.positive, 0) as positive,
      coalesce(c.reposts, 0) as reposts, coalesce(c.quotes, 0) as quotes, coalesce(c.replies, 0) as replies
    from series s left join counted c using (start)
    order by s.start`;
  return rows.map((r) => ({
    start: r.start,
    total: r.total,
    negative: r.negative,
    positive: r.positive,
    reposts: Number(r.reposts),
    quotes: Number(r.quotes),
    replies: Number(r.replies),
  }));
}
