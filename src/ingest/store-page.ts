import { asJson, type Sql, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { AnalysedMention, CheckedMention } from './normalise.ts';
import type { TextAnalysis } from '../analysis/types.ts';
import type { StoredMention, Tombstone } from '../mention.ts';
import { linkOwnPosts } from './own-posts.ts';
import { stageMentions } from './mention-stage.ts';
import { markQuotesOfNegative } from './quote-evidence.ts';
import { applyCountDeltas, CountDeltas, labelCounts } from './rollups.ts';

/** A column of lexeme lists as JSON text, for hinoko_lexemes() in SQL (sql/021_mention_search.sql). */
export function lexemesJson(lexemes: string[] | null): string | null {
  return lexemes ? JSON.stringify(lexemes) : null;
}

export interface StorePageInput {
  orgId: string;
  sourceId: string;
  rows: AnalysedMention[];
  tombstones: Tombstone[];
  /** Omitted for webhook deliveries and imports, which have no cursor. */
  cursor?: { value: unknown };
  now: Date;
}

export interface StorePageResult {
  inserted: StoredMention[];
  /** Text changed: the previous text was kept as a version. */
  edited: number;
  /** Same text, fresher engagement metrics. */
  refreshed: number;
  tombstoned: number;
}

/** What an edit or a metrics refresh is compared against. */
type ExistingRow = Pick<
  Row<'mentions'>,
  'id' | 'external_id' | 'text' | 'watch_target_id' | 'posted_at' | 'sentiment_label' | 'likes' | 'reposts' | 'quotes' | 'replies'
> & { risks: TextAnalysis['risks'] | null; shares_report: boolean | null };

/** Inserts, edits and metric refreshes for rows with distinct external ids, inside `tx`. */
async function storeRows(
  tx: Tx,
  {
    orgId,
    sourceId,
    now,
    gen,
    rows,
    deltas,
  }: { orgId: string; sourceId: string; now: Date; gen: number; rows: AnalysedMention[]; deltas: CountDeltas },
): Promise<{ inserted: StoredMention[]; edited: number; refreshed: number }> {
  // Insert first: on a normal page most items are new, and "on conflict do nothing" returns
  // exactly the rows this transaction created, even against a concurrent instance. Only the
  // items that already existed are read back (locked) to find edits and fresher metrics.
  const inserted = await insertMentions(tx, orgId, sourceId, gen, rows, now);
  const insertedIds = new Set(inserted.map((m) => m.externalId));
  const seen = rows.filter((r) => !insertedIds.has(r.externalId));
  const existing =
    seen.length === 0
      ? []
      : await tx<ExistingRow[]>`
    select id, external_id, text, watch_target_id, posted_at, sentiment_label, likes, reposts, quotes, replies, analysis -> 'risks' as risks,
      (analysis ->> 'sharesReport')::boolean as shares_report
    from mentions
    where org_id = ${orgId} and source_id = ${sourceId} and external_id = any(${seen.map((r) => r.externalId)}::text[])
      -- Erased on its author's request (src/privacy/erase-person.ts): collecting it again brings nothing back.
      and erased_at is null
    for update`;
  const byExternalId = new Map(existing.map((e) => [e.external_id, e]));
  const edited: { row: AnalysedMention; prior: ExistingRow }[] = [];
  const refreshed: { row: AnalysedMention; prior: ExistingRow }[] = [];
  for (const row of seen) {
    const prior = byExternalId.get(row.externalId);
    if (!prior) continue;
    if (prior.text !== row.text) edited.push({ row, prior });
    else if (prior.likes !== row.likes || prior.reposts !== row.reposts || prior.quotes !== row.quotes || prior.replies !== row.replies) {
      refreshed.push({ row, prior });
    }
  }
  for (const m of inserted) {
    deltas.add(m.watchTargetId, m.postedAt, { total: 1, ...labelCounts(m.analysis?.sentiment.label, m.analysis?.sharesReport) });
    deltas.addSource(sourceId, m.postedAt, { total: 1, negative: labelCounts(m.analysis?.sentiment.label).negative });
    const reach = { reposts: m.metrics.reposts ?? 0, quotes: m.metrics.quotes ?? 0, replies: m.metrics.replies ?? 0 };
    deltas.addReach(m.watchTargetId, m.postedAt, reach, m.analysis?.sentiment.label === 'negative');
    deltas.moveRisks(m.watchTargetId, m.postedAt, null, m.analysis?.risks ?? null);
  }

  if (edited.length > 0) {
    const ids = edited.map((e) => e.prior.id);
    await tx`
      insert into mention_versions (org_id, mention_id, version, text, raw, observed_at)
      select org_id, id, version, text, raw, updated_at from mentions
      where org_id = ${orgId} and id = any(${ids}::bigint[])`;
    await tx`
      update mentions m set
        text = u.text, raw = u.raw::jsonb, analysis = u.analysis::jsonb, analysis_version = u.analysis_version,
        search = hinoko_lexemes(u.lexemes::jsonb), sentiment_label = u.label, sentiment_score = u.score,
        likes = u.likes, reposts = u.reposts, quotes = u.quotes, replies = u.replies,
        version = m.version + 1, updated_at = ${now}
      from unnest(
        ${ids}::bigint[], ${edited.map((e) => e.row.text)}::text[], ${edited.map((e) => e.row.rawJson)}::text[],
        ${edited.map((e) => (e.row.analysis ? JSON.stringify(e.row.analysis) : null))}::text[],
        ${edited.map((e) => e.row.analysisVersion)}::text[], ${edited.map((e) => lexemesJson(e.row.lexemes))}::text[],
        ${edited.map((e) => e.row.analysis?.sentiment.label ?? null)}::text[],
        ${edited.map((e) => e.row.analysis?.sentiment.score ?? null)}::real[],
        ${edited.map((e) => e.row.likes)}::int[], ${edited.map((e) => e.row.reposts)}::int[],
        ${edited.map((e) => e.row.quotes)}::int[], ${edited.map((e) => e.row.replies)}::int[]
      ) as u(id, text, raw, analysis, analysis_version, lexemes, label, score, likes, reposts, quotes, replies)
      where m.org_id = ${orgId} and m.id = u.id`;
    for (const { row, prior } of edited) {
      const before = labelCounts(prior.sentiment_label, prior.shares_report);
      const after = labelCounts(row.analysis?.sentiment.label, row.analysis?.sharesReport);
      // Sentiment is counted where the post's total is (its own bucket); spread, when seen.
      deltas.add(prior.watch_target_id, prior.posted_at, {
        negative: after.negative - before.negative,
        positive: after.positive - before.positive,
        reported: after.reported - before.reported,
      });
      deltas.addSource(sourceId, prior.posted_at, { negative: after.negative - before.negative });
      deltas.addReach(prior.watch_target_id, now, reachGrowth(prior, row), row.analysis?.sentiment.label === 'negative');
      deltas.moveRisks(prior.watch_target_id, prior.posted_at, prior.risks, row.analysis?.risks ?? null);
    }
  }

  if (refreshed.length > 0) {
    await tx`
      update mentions m set likes = u.likes, reposts = u.reposts, quotes = u.quotes, replies = u.replies, updated_at = ${now}
      from unnest(
        ${refreshed.map((r) => r.prior.id)}::bigint[],
        ${refreshed.map((r) => r.row.likes)}::int[], ${refreshed.map((r) => r.row.reposts)}::int[],
        ${refreshed.map((r) => r.row.quotes)}::int[], ${refreshed.map((r) => r.row.replies)}::int[]
      ) as u(id, likes, reposts, quotes, replies)
      where m.org_id = ${orgId} and m.id = u.id`;
    // Engagement first seen now is counted in the current bucket: that is when it spread.
    for (const { row, prior } of refreshed) {
      deltas.addReach(prior.watch_target_id, now, reachGrowth(prior, row), prior.sentiment_label === 'negative');
    }
  }
  return { inserted, edited: edited.length, refreshed: refreshed.length };
}

/**
 * Stores one page in one transaction: new mentions, edits (previous text kept as a version),
 * refreshed metrics, tombstones, the bucket counts, and the source cursor. Either all of it
 * commits or none of it does, so a crash between pages neither loses nor repeats anything.
 */
export async function storePage(sql: Sql, input: StorePageInput): Promise<StorePageResult> {
  const { orgId, sourceId, now } = input;
  // A page may carry one item several times (a webhook delivering a comment and then its edit,
  // an item repeated across a page edge). Each repetition is applied in order, so an edit inside
  // one page still keeps the earlier text as a version.
  const generations: AnalysedMention[][] = [];
  const occurrences = new Map<string, number>();
  for (const r of input.rows) {
    const k = occurrences.get(r.externalId) ?? 0;
    occurrences.set(r.externalId, k + 1);
    (generations[k] ??= []).push(r);
  }
  return sql.begin(async (tx) => {
    const negativeInPage = new Set(input.rows.filter((r) => r.analysis?.sentiment.label === 'negative').map((r) => r.externalId));
    await markQuotesOfNegative(tx, orgId, sourceId, input.rows, negativeInPage);
    const deltas = new CountDeltas();
    const inserted: StoredMention[] = [];
    let editedCount = 0;
    let refreshedCount = 0;
    await stageMentions(tx, generations);
    for (const [gen, rows] of generations.entries()) {
      const r = await storeRows(tx, { orgId, sourceId, now, gen, rows, deltas });
      inserted.push(...r.inserted);
      editedCount += r.edited;
      refreshedCount += r.refreshed;
    }
    const tombstoned = await storeTombstones(tx, orgId, sourceId, input.tombstones);
    await linkOwnPosts(
      tx,
      orgId,
      inserted.map((m) => m.id),
      now,
    );
    await applyCountDeltas(tx, orgId, deltas.rows(), deltas.sourceRows(), deltas.risks.rows());

    if (input.cursor) {
      await tx`
        insert into source_cursors (org_id, source_id, cursor, updated_at)
        values (${orgId}, ${sourceId}, ${tx.json(asJson(input.cursor.value))}, ${now})
        on conflict (org_id, source_id) do update set cursor = excluded.cursor, updated_at = excluded.updated_at`;
    }
    return { inserted, edited: editedCount, refreshed: refreshedCount, tombstoned };
  });
}

function reachGrowth(prior: ExistingRow, row: CheckedMention) {
  return {
    reposts: Math.max(0, row.reposts - prior.reposts),
    quotes: Math.max(0, row.quotes - prior.quotes),
    replies: Math.max(0, row.replies - prior.replies),
  };
}

async function insertMentions(
  tx: Tx,
  orgId: string,
  sourceId: string,
  gen: number,
  rows: AnalysedMention[],
  now: Date,
): Promise<StoredMention[]> {
  if (rows.length === 0) return [];
  // The page's rows wait in the staging table (mention-stage.ts). A post's identity is its key
  // (sql/034): a concurrent instance may have stored some of these since we looked, and "do
  // nothing" skips them, so only the keys we really created come back and get a row in mentions —
  // nothing is counted twice. A post whose month has expired keeps its key, and stays gone.
  const result = await tx<Pick<Row<'mentions'>, 'id' | 'external_id'>[]>`
    with fresh as (
      insert into mention_keys (org_id, source_id, external_id, posted_at)
      select ${orgId}::bigint, ${sourceId}::bigint, s.external_id, s.posted_at from hinoko_mention_stage s where s.gen = ${gen}
      on conflict (org_id, source_id, external_id) do nothing
      returning id, external_id
    )
    insert into mentions (
      org_id, id, source_id, watch_target_id, external_id, url, author_id, author_handle, author_name, text, language,
      posted_at, collected_at, updated_at, likes, reposts, quotes, replies, views,
      reply_to_external_id, quote_of_external_id, repost_of_external_id, rating, is_private, is_demo, raw,
      analysis, analysis_version, search, sentiment_label, sentiment_score)
    select ${orgId}::bigint, f.id, ${sourceId}::bigint, s.target, s.external_id, s.url, s.author_id, s.author_handle, s.author_name,
      s.text, s.language, s.posted_at, ${now}, ${now}, s.likes, s.reposts, s.quotes, s.replies, s.views,
      s.reply_to, s.quote_of, s.repost_of, s.rating, s.is_private, s.is_demo, s.raw::jsonb,
      s.analysis::jsonb, s.analysis_version, hinoko_lexemes(s.lexemes::jsonb), s.label, s.score
    from fresh f join hinoko_mention_stage s on s.gen = ${gen} and s.external_id = f.external_id
    returning id, external_id`;
  const byExternalId = new Map(rows.map((r) => [r.externalId, r]));
  return result.map(({ id, external_id }) => {
    const r = byExternalId.get(external_id)!;
    return {
      id,
      externalId: external_id,
      orgId,
      sourceId,
      watchTargetId: r.watchTargetId,
      postedAt: r.postedAt,
      text: r.text,
      metrics: { likes: r.likes, reposts: r.reposts, quotes: r.quotes, replies: r.replies },
      analysis: r.analysis,
    };
  });
}

async function storeTombstones(tx: Tx, orgId: string, sourceId: string, tombstones: Tombstone[]): Promise<number> {
  const valid = tombstones.filter(
    (t) =>
      typeof t.externalId === 'string' && t.externalId.length > 0 && t.externalId.length <= 512 && !Number.isNaN(t.deletedAt.getTime()),
  );
  if (valid.length === 0) return 0;
  const rows = await tx<Pick<Row<'mention_tombstones'>, 'external_id'>[]>`
    insert into mention_tombstones (org_id, source_id, external_id, mention_id, reason, deleted_at, raw)
    select ${orgId}::bigint, ${sourceId}::bigint, t.external_id,
      (select m.id from mentions m where m.org_id = ${orgId} and m.source_id = ${sourceId} and m.external_id = t.external_id),
      t.reason, t.deleted_at, t.raw::jsonb
    from unnest(
      ${valid.map((t) => t.externalId)}::text[], ${valid.map((t) => t.reason)}::text[],
      ${valid.map((t) => t.deletedAt.toISOString())}::timestamptz[],
      ${valid.map((t) => (t.raw === undefined ? null : JSON.stringify(t.raw).replace(/\\u0000/g, '\\\\u0000')))}::text[]
    ) as t(external_id, reason, deleted_at, raw)
    on conflict (org_id, source_id, external_id) do nothing
    returning external_id`;
  if (rows.length > 0) {
    await tx`
      update mentions set deleted_at = t.deleted_at
      from mention_tombstones t
      where mentions.org_id = ${orgId} and mentions.source_id = ${sourceId}
        and t.org_id = mentions.org_id and t.source_id = mentions.source_id and t.external_id = mentions.external_id
        and mentions.external_id = any(${rows.map((r) => r.external_id)}::text[]) and mentions.deleted_at is null`;
  }
  return rows.length;
}
