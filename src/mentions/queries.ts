import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { idInRange, timeInRange } from '../validation.ts';
import type { SentimentLabel, TextAnalysis } from '../analysis/types.ts';

export interface MentionView {
  id: string;
  orgId: string;
  sourceId: string;
  sourceType: string;
  sourceName: string;
  watchTargetId: string | null;
  watchTargetName: string | null;
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
  triage: MentionTriage;
}

export const triageStatuses = ['open', 'needs_reply', 'handled', 'ignored'] as const;
export type TriageStatus = (typeof triageStatuses)[number];

/** People's work on a post (sql/022_mention_triage.sql); a post nobody touched is open. */
export interface MentionTriage {
  status: TriageStatus;
  assignee: { id: string; name: string } | null;
  /** The clinic's first reply: its own post answering this one, or a reply staff recorded. */
  firstReplyAt: Date | null;
  /** The reply time staff recorded (a reply outside the platforms we read). */
  recordedReplyAt: Date | null;
  notes: number;
  updatedAt: Date | null;
}

export interface MentionFilter {
  orgId: string;
  sourceId?: string;
  watchTargetId?: string;
  from?: Date;
  to?: Date;
  sentiment?: SentimentLabel;
  riskCategory?: string;
  hasPii?: boolean;
  /** A triage state, or 'unhandled': open or needing a reply. */
  triage?: TriageStatus | 'unhandled';
  assigneeId?: string;
  /** Search words (the query split by the analyzer): posts holding all of them. */
  words?: readonly string[];
  /** Private messages (LINE) are left out unless the viewer may see them. */
  includePrivate: boolean;
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

/** Words as a tsquery asking for all of them, each quoted as a lexeme (no parser runs on them). */
export function allWordsQuery(words: readonly string[]): string {
  return words.map((w) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' & ');
}

/** The most posts one request reads (a CSV export reads several pages of this). */
export const maxPageSize = 1000;

export async function listMentions(sql: Sql, f: MentionFilter): Promise<MentionPage> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), maxPageSize);
  const after = f.cursor ? decodeCursor(f.cursor) : null;
  // In the text, not a parameter (an integer from the clamp above): a generic plan (AppContext.readGenericSql) for LIMIT $n expects a tenth of the table.
  const pageLimit = sql.unsafe(String(limit + 1));
  const triageIs = (condition: ReturnType<Sql>) =>
    sql`exists (select 1 from mention_triage t where t.org_id = m.org_id and t.mention_id = m.id and ${condition})`;
  // A state other than open, or an assignee, is a few thousand posts of a million: the page walks
  // their triage rows newest first (sql/022_mention_triage.sql) instead of every post.
  const byTriage = (f.triage && f.triage !== 'open' && f.triage !== 'unhandled') || f.assigneeId !== undefined;
  const postFilters = sql`
    ${f.includePrivate ? sql`` : sql`and not m.is_private`}
    ${f.sourceId ? sql`and m.source_id = ${f.sourceId}` : sql``}
    ${f.watchTargetId ? sql`and m.watch_target_id = ${f.watchTargetId}` : sql``}
    ${f.sentiment ? sql`and m.sentiment_label = ${f.sentiment}` : sql``}
    ${f.from ? sql`and m.posted_at >= ${f.from}` : sql``}
    ${f.to ? sql`and m.posted_at < ${f.to}` : sql``}
    ${f.riskCategory ? sql`and m.analysis -> 'risks' @> ${sql.json([{ category: f.riskCategory }])}::jsonb` : sql``}
    ${f.hasPii === true ? sql`and jsonb_array_length(m.analysis -> 'pii') > 0` : sql``}
    ${f.hasPii === false ? sql`and jsonb_array_length(m.analysis -> 'pii') = 0` : sql``}
    ${f.words && f.words.length > 0 ? sql`and m.search @@ ${allWordsQuery(f.words)}::tsquery` : sql``}`;
  // The page's ids first (filters, order, limit: what the indexes answer), then everything shown
  // about those rows only — the reply lookup and note count must not run for every match.
  const page = byTriage
    ? sql`
      select t.mention_id as id, m.posted_at from mention_triage t
      join mentions m on m.org_id = t.org_id and m.id = t.mention_id
      where t.org_id = ${f.orgId}
        ${f.triage && f.triage !== 'open' && f.triage !== 'unhandled' ? sql`and t.status = ${f.triage}` : sql``}
        ${f.triage === 'unhandled' ? sql`and t.status in ('open', 'needs_reply')` : sql``}
        ${f.triage === 'open' ? sql`and t.status = 'open'` : sql``}
        ${f.assigneeId ? sql`and t.assignee_id = ${f.assigneeId}` : sql``}
        ${postFilters}
        ${after ? sql`and (t.posted_at, t.mention_id) < (${after.postedAt}, ${after.id}::bigint)` : sql``}
      order by t.posted_at desc, t.mention_id desc
      limit ${pageLimit}`
    : sql`
      select m.id, m.posted_at from mentions m
      where m.org_id = ${f.orgId}
        ${postFilters}
        ${f.triage === 'open' ? sql`and not ${triageIs(sql`t.status <> 'open'`)}` : sql``}
        ${f.triage === 'unhandled' ? sql`and not ${triageIs(sql`t.status in ('handled', 'ignored')`)}` : sql``}
        ${after ? sql`and (m.posted_at, m.id) < (${after.postedAt}, ${after.id}::bigint)` : sql``}
      order by m.posted_at desc, m.id desc
      limit ${pageLimit}`;
  const rows = await sql<MentionRowOut[]>`
    with page as (${page})
    select ${mentionColumns(sql)}
    ${mentionJoins(sql, sql`page join mentions m on m.org_id = ${f.orgId} and m.id = page.id and m.posted_at = page.posted_at`)}
    order by m.posted_at desc, m.id desc`;
  const items = rows.slice(0, limit).map(toView);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.postedAt, last.id) : null };
}

export async function getMention(sql: Sql, orgId: string, id: string): Promise<MentionView | null> {
  const rows = await sql<MentionRowOut[]>`
    select ${mentionColumns(sql)} ${mentionJoins(sql, sql`mentions m`)}
    where m.org_id = ${orgId} and m.id = ${id}`;
  return rows[0] ? toView(rows[0]) : null;
}

// What every read of a post selects: the post without its raw payload and bookkeeping, its
// source and watch target by name, and its triage with the clinic's first reply.
const mentionColumns = (sql: Sql) => sql`
  m.id, m.org_id, m.source_id, s.type as source_type, s.name as source_name, m.watch_target_id, w.name as watch_target_name,
  m.external_id, m.url, m.author_id, m.author_handle, m.author_name, m.text, m.language, m.posted_at, m.collected_at,
  m.likes, m.reposts, m.quotes, m.replies, m.views, m.reply_to_external_id, m.quote_of_external_id,
  m.repost_of_external_id, m.rating, m.is_private, m.is_demo, m.version, m.deleted_at,
  m.sentiment_label, m.sentiment_score, m.analysis,
  coalesce(t.status, 'open') as triage_status, t.assignee_id, u.name as assignee_name, t.updated_at as triage_updated_at,
  least(t.replied_at, own_reply.at) as first_reply_at, t.replied_at as recorded_reply_at,
  (select count(*)::int from mention_notes n where n.org_id = m.org_id and n.mention_id = m.id) as note_count`;

const mentionJoins = (sql: Sql, from: ReturnType<Sql>) => sql`
  from ${from}
  join sources s on s.org_id = m.org_id and s.id = m.source_id
  left join watch_targets w on w.org_id = m.org_id and w.id = m.watch_target_id
  left join mention_triage t on t.org_id = m.org_id and t.mention_id = m.id
  left join users u on u.org_id = t.org_id and u.id = t.assignee_id
  left join lateral (
    select min(r.posted_at) as at from mentions r
    where r.org_id = m.org_id and r.source_id = m.source_id and r.reply_to_external_id = m.external_id
      and ${isOwnReply(sql)}
  ) own_reply on true`;

/**
 * Whether `r`, a reply on source `s`, is the clinic's own: on Google only the owner can answer a
 * review; elsewhere its author is one of the watch targets' accounts on that network.
 */
const isOwnReply = (sql: Sql) => sql`
  (s.type = 'google_reviews' or exists (
    select 1 from watch_targets own
    where own.org_id = r.org_id
      and lower(ltrim(own.handles ->> s.type, '@')) in (lower(ltrim(r.author_handle, '@')), lower(r.author_id))))`;

type MentionRowOut = Omit<Row<'mentions'>, 'raw' | 'analysis_version' | 'updated_at' | 'search'> & {
  source_type: Row<'sources'>['type'];
  source_name: Row<'sources'>['name'];
  watch_target_name: string | null;
  triage_status: TriageStatus;
  assignee_id: string | null;
  assignee_name: string | null;
  triage_updated_at: Date | null;
  first_reply_at: Date | null;
  recorded_reply_at: Date | null;
  note_count: number;
};

function toView(r: MentionRowOut): MentionView {
  return {
    id: r.id,
    orgId: r.org_id,
    sourceId: r.source_id,
    sourceType: r.source_type,
    sourceName: r.source_name,
    watchTargetId: r.watch_target_id,
    watchTargetName: r.watch_target_name,
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
    triage: {
      status: r.triage_status,
      assignee: r.assignee_id && r.assignee_name ? { id: r.assignee_id, name: r.assignee_name } : null,
      firstReplyAt: r.first_reply_at,
      recordedReplyAt: r.recorded_reply_at,
      notes: r.note_count,
      updatedAt: r.triage_updated_at,
    },
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

export interface MentionHistory {
  /** Earlier texts, oldest first: version n is the text before edit n+1. */
  versions: { version: number; text: string; observedAt: Date; replacedAt: Date }[];
  tombstone: { reason: Row<'mention_tombstones'>['reason']; deletedAt: Date; recordedAt: Date } | null;
  notes: { id: string; author: string; body: string; createdAt: Date }[];
  /** The clinic's replies found in the data, oldest first. */
  replies: { id: string; text: string; postedAt: Date; author: string | null }[];
}

export async function mentionHistory(sql: Sql, m: Pick<MentionView, 'orgId' | 'id' | 'sourceId' | 'externalId'>): Promise<MentionHistory> {
  const [versions, tombstones, notes, replies] = await Promise.all([
    sql<Pick<Row<'mention_versions'>, 'version' | 'text' | 'observed_at' | 'replaced_at'>[]>`
      select version, text, observed_at, replaced_at from mention_versions
      where org_id = ${m.orgId} and mention_id = ${m.id} order by version`,
    sql<Pick<Row<'mention_tombstones'>, 'reason' | 'deleted_at' | 'recorded_at'>[]>`
      select reason, deleted_at, recorded_at from mention_tombstones
      where org_id = ${m.orgId} and source_id = ${m.sourceId} and external_id = ${m.externalId}`,
    sql<{ id: string; author: string; body: string; created_at: Date }[]>`
      select n.id, u.name as author, n.body, n.created_at from mention_notes n
      join users u on u.org_id = n.org_id and u.id = n.author_id
      where n.org_id = ${m.orgId} and n.mention_id = ${m.id} order by n.created_at, n.id`,
    sql<{ id: string; text: string; posted_at: Date; author_name: string | null }[]>`
      select r.id, r.text, r.posted_at, coalesce(r.author_name, r.author_handle) as author_name from mentions r
      join sources s on s.org_id = r.org_id and s.id = r.source_id
      where r.org_id = ${m.orgId} and r.source_id = ${m.sourceId} and r.reply_to_external_id = ${m.externalId}
        and ${isOwnReply(sql)}
      order by r.posted_at limit 20`,
  ]);
  const t = tombstones[0];
  return {
    versions: versions.map((v) => ({ version: v.version, text: v.text, observedAt: v.observed_at, replacedAt: v.replaced_at })),
    tombstone: t ? { reason: t.reason, deletedAt: t.deleted_at, recordedAt: t.recorded_at } : null,
    notes: notes.map((n) => ({ id: n.id, author: n.author, body: n.body, createdAt: n.created_at })),
    replies: replies.map((r) => ({ id: r.id, text: r.text, postedAt: r.posted_at, author: r.author_name })),
  };
}

/** The payload as the platform sent it (admins only, and on record). */
export async function mentionRaw(sql: Sql | Tx, orgId: string, id: string): Promise<unknown> {
  const [row] = await sql<Pick<Row<'mentions'>, 'raw'>[]>`select raw from mentions where org_id = ${orgId} and id = ${id}`;
  return row?.raw ?? null;
}
