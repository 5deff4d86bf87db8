import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { SentimentLabel, TextAnalysis } from '../analysis/types.ts';
import { bucketStart } from './normalise.ts';
import { applyRiskDeltas, RiskDeltas, type RiskDelta } from './risk-counts.ts';

// The per-bucket rollups the ingest path keeps beside the posts — counts and reach per watch
// target and org-wide (mention_counts), per source (mention_source_counts), risk hits
// (mention_risk_counts) — as deltas gathered while a page is stored and applied in its transaction.

/** mention_counts' counters: every column but the row's key. A new counter column fails to compile below until it is counted. */
type CountColumn = Exclude<keyof Row<'mention_counts'>, 'org_id' | 'watch_target_id' | 'bucket_start'>;

/** Increments to one mention_counts row (the org-wide one when targetId is null). */
type CountDelta = { targetId: string | null; bucket: number } & Record<CountColumn, number>;

const countFields = [
  'total',
  'negative',
  'positive',
  'reported',
  'reposts',
  'quotes',
  'replies',
  'negative_reposts',
  'negative_quotes',
  'negative_replies',
] as const satisfies readonly CountColumn[];

/** Increments to one mention_source_counts row. */
type SourceDelta = { sourceId: string; bucket: number; total: number; negative: number };

/** Accumulates per-bucket count changes for the org-wide row and the watch target's row, and per source. */
export class CountDeltas {
  private readonly byKey = new Map<string, CountDelta>();
  private readonly bySource = new Map<string, SourceDelta>();
  /** Risk-category hits per bucket (sql/026), applied with the counts. */
  readonly risks = new RiskDeltas();

  /** A post's risk matches moved from `before` (as stored) to `after`, in the bucket it was posted in. */
  moveRisks(targetId: string | null, at: Date, before: TextAnalysis['risks'] | null, after: TextAnalysis['risks'] | null): void {
    this.risks.move(targetId, bucketStart(at).getTime(), before, after);
  }

  /** The per-source rollup (the overview's chart by source): mentions and negative ones. */
  addSource(sourceId: string, at: Date, d: { total?: number; negative?: number }): void {
    const bucket = bucketStart(at).getTime();
    const key = `${sourceId}:${bucket}`;
    const row = this.bySource.get(key) ?? { sourceId, bucket, total: 0, negative: 0 };
    row.total += d.total ?? 0;
    row.negative += d.negative ?? 0;
    this.bySource.set(key, row);
  }

  sourceRows(): SourceDelta[] {
    return [...this.bySource.values()].filter((r) => r.total !== 0 || r.negative !== 0);
  }

  add(targetId: string | null, at: Date, d: Partial<Omit<CountDelta, 'targetId' | 'bucket'>>): void {
    for (const t of targetId === null ? [null] : [null, targetId]) {
      const bucket = bucketStart(at).getTime();
      const key = `${t ?? ''}:${bucket}`;
      let row = this.byKey.get(key);
      if (!row) {
        row = {
          targetId: t,
          bucket,
          total: 0,
          negative: 0,
          positive: 0,
          reported: 0,
          reposts: 0,
          quotes: 0,
          replies: 0,
          negative_reposts: 0,
          negative_quotes: 0,
          negative_replies: 0,
        };
        this.byKey.set(key, row);
      }
      for (const f of countFields) row[f] += d[f] ?? 0;
    }
  }

  /** Engagement growth, also counted as negative reach when the post is negative. */
  addReach(targetId: string | null, at: Date, growth: { reposts: number; quotes: number; replies: number }, negative: boolean): void {
    this.add(targetId, at, {
      ...growth,
      ...(negative ? { negative_reposts: growth.reposts, negative_quotes: growth.quotes, negative_replies: growth.replies } : {}),
    });
  }

  rows(): CountDelta[] {
    return [...this.byKey.values()].filter((r) => countFields.some((f) => r[f] !== 0));
  }
}

/**
 * What one post adds to its bucket's sentiment counters: negative, positive, and "reported" — it
 * passes on a report of trouble in neutral words of its own (src/analysis/report-stance.ts).
 */
export function labelCounts(
  label: SentimentLabel | null | undefined,
  sharesReport?: boolean | null,
): { negative: number; positive: number; reported: number } {
  return {
    negative: label === 'negative' ? 1 : 0,
    positive: label === 'positive' ? 1 : 0,
    reported: sharesReport && label === 'neutral' ? 1 : 0,
  };
}

export async function applyCountDeltas(
  tx: Tx,
  orgId: string,
  deltas: CountDelta[],
  sources: SourceDelta[] = [],
  risks: RiskDelta[] = [],
): Promise<void> {
  await applyRiskDeltas(tx, orgId, risks);
  if (sources.length > 0) {
    sources.sort((a, b) => a.bucket - b.bucket || a.sourceId.localeCompare(b.sourceId));
    await tx`
      insert into mention_source_counts as c (org_id, source_id, bucket_start, total, negative)
      select ${orgId}::bigint, t.source, t.bucket, t.total, t.negative
      from unnest(
        ${sources.map((d) => d.sourceId)}::bigint[],
        ${sources.map((d) => new Date(d.bucket).toISOString())}::timestamptz[],
        ${sources.map((d) => d.total)}::int[],
        ${sources.map((d) => d.negative)}::int[]
      ) as t(source, bucket, total, negative)
      on conflict (org_id, source_id, bucket_start) do update set
        total = c.total + excluded.total,
        negative = c.negative + excluded.negative`;
  }
  if (deltas.length === 0) return;
  // Sorted so concurrent transactions lock bucket rows in the same order and cannot deadlock.
  deltas.sort((a, b) => a.bucket - b.bucket || (a.targetId ?? '').localeCompare(b.targetId ?? ''));
  await tx`
    insert into mention_counts as c (org_id, watch_target_id, bucket_start, total, negative, positive, reported, reposts, quotes, replies,
      negative_reposts, negative_quotes, negative_replies)
    select ${orgId}::bigint, t.target, t.bucket, t.total, t.negative, t.positive, t.reported, t.reposts, t.quotes, t.replies, t.nr, t.nq, t.nrp
    from unnest(
      ${deltas.map((d) => d.targetId)}::bigint[],
      ${deltas.map((d) => new Date(d.bucket).toISOString())}::timestamptz[],
      ${deltas.map((d) => d.total)}::int[],
      ${deltas.map((d) => d.negative)}::int[],
      ${deltas.map((d) => d.positive)}::int[],
      ${deltas.map((d) => d.reported)}::int[],
      ${deltas.map((d) => d.reposts)}::bigint[],
      ${deltas.map((d) => d.quotes)}::bigint[],
      ${deltas.map((d) => d.replies)}::bigint[],
      ${deltas.map((d) => d.negative_reposts)}::bigint[],
      ${deltas.map((d) => d.negative_quotes)}::bigint[],
      ${deltas.map((d) => d.negative_replies)}::bigint[]
    ) as t(target, bucket, total, negative, positive, reported, reposts, quotes, replies, nr, nq, nrp)
    on conflict (org_id, watch_target_id, bucket_start) do update set
      total = c.total + excluded.total,
      negative = c.negative + excluded.negative,
      positive = c.positive + excluded.positive,
      reported = c.reported + excluded.reported,
      reposts = c.reposts + excluded.reposts,
      quotes = c.quotes + excluded.quotes,
      replies = c.replies + excluded.replies,
      negative_reposts = c.negative_reposts + excluded.negative_reposts,
      negative_quotes = c.negative_quotes + excluded.negative_quotes,
      negative_replies = c.negative_replies + excluded.negative_replies`;
}
