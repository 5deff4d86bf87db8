import { maskPii, type PiiSpan } from '../analysis/pii.ts';
import type { Queryable } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { buildBucketSignal, type BucketSignal } from '../detection/index.ts';
import { MENTION_BUCKET_MS, type StoredMention } from '../mention.ts';
import type { TextAnalysis } from '../analysis/types.ts';

/** The mention's columns detection reads, and the parts of its analysis it needs (null when not analysed). */
type SignalRow = Pick<Row<'mentions'>, 'id' | 'posted_at' | 'text' | 'likes' | 'reposts' | 'quotes' | 'replies' | 'is_private'> & {
  sentiment: TextAnalysis['sentiment'] | null;
  risks: TextAnalysis['risks'] | null;
  terms: TextAnalysis['terms'] | null;
  pii: PiiSpan[] | null;
  shares_report: boolean | null;
};

/**
 * One signal per bucket in [from, to) for the org (watchTargetId null) or one target, empty
 * buckets included. Private messages count, but their text never becomes an alert sample; PII in
 * sample texts is masked.
 */
export async function loadBucketSignals(
  sql: Queryable,
  q: { orgId: string; watchTargetId: string | null; from: Date; to: Date; institutionNames: string[] },
): Promise<BucketSignal[]> {
  const rows = await sql<SignalRow[]>`
    select id, posted_at, text, likes, reposts, quotes, replies, is_private,
      analysis -> 'sentiment' as sentiment, analysis -> 'risks' as risks, analysis -> 'terms' as terms, analysis -> 'pii' as pii,
      (analysis ->> 'sharesReport')::boolean as shares_report
    from mentions
    where org_id = ${q.orgId}
      ${q.watchTargetId ? sql`and watch_target_id = ${q.watchTargetId}` : sql``}
      and posted_at >= ${q.from} and posted_at < ${q.to}
    order by posted_at`;
  const byBucket = new Map<number, StoredMention[]>();
  for (const r of rows) {
    const b = Math.floor(r.posted_at.getTime() / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
    let list = byBucket.get(b);
    if (!list) byBucket.set(b, (list = []));
    list.push({
      id: r.id,
      externalId: '',
      orgId: q.orgId,
      sourceId: '',
      watchTargetId: q.watchTargetId,
      postedAt: r.posted_at,
      // Samples travel into alert e-mail and the alert API: PII is masked before it leaves (the
      // offsets refer to the whole text, so mask first, then shorten).
      text: r.is_private ? '（非公開メッセージ）' : maskPii(r.text, r.pii ?? []).slice(0, 280),
      metrics: { likes: r.likes, reposts: r.reposts, quotes: r.quotes, replies: r.replies },
      analysis: r.sentiment
        ? { sentiment: r.sentiment, risks: r.risks ?? [], pii: [], terms: r.terms ?? [], sharesReport: r.shares_report === true }
        : null,
    });
  }
  // Diffusion is the engagement negative posts *gained* in a bucket (kept by the ingest path as
  // deltas when metrics refresh), not the running totals of the posts written in it.
  const reachRows = await sql<Pick<Row<'mention_counts'>, 'bucket_start' | 'negative_reposts' | 'negative_quotes' | 'negative_replies'>[]>`
    select bucket_start, negative_reposts, negative_quotes, negative_replies
    from mention_counts
    where org_id = ${q.orgId} and watch_target_id is not distinct from ${q.watchTargetId}
      and bucket_start >= ${q.from} and bucket_start < ${q.to}`;
  const reachByBucket = new Map(
    reachRows.map((r) => [
      r.bucket_start.getTime(),
      { reposts: Number(r.negative_reposts), quotes: Number(r.negative_quotes), replies: Number(r.negative_replies) },
    ]),
  );
  const signals: BucketSignal[] = [];
  for (let t = q.from.getTime(); t < q.to.getTime(); t += MENTION_BUCKET_MS) {
    const signal = buildBucketSignal(new Date(t), byBucket.get(t) ?? [], { institutionNames: q.institutionNames });
    signal.reach = reachByBucket.get(t) ?? { reposts: 0, quotes: 0, replies: 0 };
    signals.push(signal);
  }
  return signals;
}

/** Term counts per hour over a range, for the emerging-terms part of an alert's explanation. */
export async function hourlyTermCounts(
  sql: Queryable,
  q: { orgId: string; watchTargetId: string | null; from: Date; to: Date },
): Promise<Map<number, Map<string, number>>> {
  const rows = await sql<{ hour: Date; term: string; n: number }[]>`
    select date_bin('1 hour', m.posted_at, timestamptz '2000-01-01T00:00:00Z') as hour, t.term, count(*)::int as n
    from mentions m, jsonb_array_elements_text(coalesce(m.analysis -> 'terms', '[]'::jsonb)) as t(term)
    where m.org_id = ${q.orgId}
      ${q.watchTargetId ? sql`and m.watch_target_id = ${q.watchTargetId}` : sql``}
      -- An alert's terms are mailed and shown to every role: private messages' words stay out.
      and not m.is_private
      and m.posted_at >= ${q.from} and m.posted_at < ${q.to}
    group by 1, 2`;
  const out = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const h = r.hour.getTime();
    let m = out.get(h);
    if (!m) out.set(h, (m = new Map<string, number>()));
    m.set(r.term, r.n);
  }
  return out;
}
