import type { Queryable } from '../db/connect.ts';
import { criticalTermsIn, defaultCriticalCategories, type BucketSignal } from '../detection/index.ts';
import { MENTION_BUCKET_MS } from '../mention.ts';
import type { TextAnalysis } from '../analysis/types.ts';
import type { Series } from './apply-decision.ts';

// The signals of many buckets for every series of an organisation at once, for replays (the
// settings page's backtest over 30 days plus warm-up). Live detection reads each bucket's posts
// (signals.ts); a replay of a busy clinic would read a million rows, so here the counts and the
// risk hits come from the per-bucket rollups the ingest path keeps (mention_counts,
// mention_risk_counts), and only the few posts that can carry a critical term come back as rows. The fields the detectors read (count, negative, positive, risk
// hits, reach, critical terms) equal signals.ts's (test/integration/aggregate-signals.test.ts);
// the explanation's samples and top terms are left out: a replay only counts what would be raised.

const seriesKey = (watchTargetId: string | null) => watchTargetId ?? '';

export async function loadSeriesSignals(
  sql: Queryable,
  q: { orgId: string; series: readonly Series[]; from: Date; to: Date },
): Promise<Map<string, BucketSignal[]>> {
  const bucket = sql`date_bin(${`${MENTION_BUCKET_MS / 1000} seconds`}::interval, posted_at, timestamptz '1970-01-01T00:00:00Z')`;
  const range = sql`org_id = ${q.orgId} and posted_at >= ${q.from} and posted_at < ${q.to}`;
  // "Has a risk in one of these categories", as containment tests the GIN index on the risks answers.
  const anyOf = (categories: readonly string[]) =>
    categories.map((c) => sql`analysis -> 'risks' @> ${sql.json([{ category: c }])}`).reduce((a, b) => sql`${a} or ${b}`);
  const [counts, unanalysed, risks, critical] = await Promise.all([
    // The counts the ingest path keeps per bucket (the org-wide row has no watch target).
    sql<
      {
        b: Date;
        target: string | null;
        n: number;
        neg: number;
        pos: number;
        rep: number;
        reposts: string;
        quotes: string;
        replies: string;
      }[]
    >`
      select bucket_start as b, watch_target_id as target, total as n, negative as neg, positive as pos, reported as rep,
        negative_reposts as reposts, negative_quotes as quotes, negative_replies as replies
      from mention_counts where org_id = ${q.orgId} and bucket_start >= ${q.from} and bucket_start < ${q.to}`,
    // Posts not analysed yet (the partial index): a bucket of only these has unknown sentiment.
    sql<{ b: Date; target: string | null; whole: number; n: number }[]>`
      select ${bucket} as b, watch_target_id as target, grouping(watch_target_id) as whole, count(*)::int as n
      from mentions where ${range} and analysis is null
      group by grouping sets ((1), (1, watch_target_id))`,
    // Risk hits per bucket, kept by the ingest path (sql/026).
    sql<{ b: Date; target: string | null; category: string; n: number }[]>`
      select bucket_start as b, watch_target_id as target, category, hits as n
      from mention_risk_counts where org_id = ${q.orgId} and bucket_start >= ${q.from} and bucket_start < ${q.to} and hits <> 0`,
    // Posts with a critical category's match strong enough to count (criticalTermsIn decides the rest).
    sql<{ b: Date; target: string | null; text: string; risks: TextAnalysis['risks'] }[]>`
      select ${bucket} as b, watch_target_id as target, text, analysis -> 'risks' as risks
      from mentions
      where ${range} and (${anyOf(defaultCriticalCategories)}) and exists (
        select 1 from jsonb_array_elements(analysis -> 'risks') r
        where r ->> 'category' = any(${[...defaultCriticalCategories]}::text[]) and (r ->> 'score')::float8 >= 0.7)`,
  ]);

  const out = new Map<string, BucketSignal[]>();
  for (const s of q.series) {
    const key = seriesKey(s.watchTargetId);
    const mine = <T extends { target: string | null; whole?: number }>(r: T) =>
      s.watchTargetId === null ? r.whole === 1 : r.whole === 0 && r.target === s.watchTargetId;
    const byBucket = <T extends { b: Date }>(rows: T[]) => {
      const m = new Map<number, T[]>();
      for (const r of rows) {
        const list = m.get(r.b.getTime());
        if (list) list.push(r);
        else m.set(r.b.getTime(), [r]);
      }
      return m;
    };
    const countBy = new Map(counts.filter((r) => r.target === s.watchTargetId).map((r) => [r.b.getTime(), r]));
    const unanalysedBy = new Map(unanalysed.filter(mine).map((r) => [r.b.getTime(), r.n]));
    const riskBy = byBucket(risks.filter((r) => r.target === s.watchTargetId));
    const criticalBy = byBucket(critical.filter((r) => s.watchTargetId === null || r.target === s.watchTargetId));
    const signals: BucketSignal[] = [];
    for (let t = q.from.getTime(); t < q.to.getTime(); t += MENTION_BUCKET_MS) {
      const c = countBy.get(t);
      const n = c?.n ?? 0;
      const unknown = n > 0 && (unanalysedBy.get(t) ?? 0) >= n;
      const riskHits: Record<string, number> = {};
      for (const r of riskBy.get(t) ?? []) riskHits[r.category] = r.n;
      const crit = criticalBy.get(t);
      signals.push({
        start: new Date(t),
        count: n,
        negative: unknown ? null : (c?.neg ?? 0),
        positive: unknown ? null : (c?.pos ?? 0),
        reported: unknown ? 0 : (c?.rep ?? 0),
        riskHits,
        reach: c
          ? { reposts: Number(c.reposts), quotes: Number(c.quotes), replies: Number(c.replies) }
          : { reposts: 0, quotes: 0, replies: 0 },
        criticalTerms: crit ? criticalTermsIn(crit, { institutionNames: s.institutionNames }) : [],
      });
    }
    out.set(key, signals);
  }
  return out;
}
