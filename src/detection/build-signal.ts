import type { StoredMention } from '../mention.ts';
import type { BucketSignal, BucketSample } from './signal.ts';

// Folds one bucket's stored mentions (already analysed) into the plain signal the detectors
// read. Pure, so the collector hook, `hinoko backtest` and tests build signals the same way.

export interface BuildSignalOptions {
  /**
   * Risk categories whose terms count as critical: their first appearance alerts even at one
   * post. Default: malpractice, privacy leaks, staff misconduct, threats.
   */
  criticalCategories?: readonly string[];
  /** A category's match counts as critical only from this score (1 − e^−weights): one strong term (医療ミス 1.5 → 0.78), not "ヤブ" alone. */
  minCriticalScore?: number;
  /** When given, critical terms count only in posts that also name the institution (NFKC, case-folded). */
  institutionNames?: readonly string[];
  maxSamples?: number;
  maxTopTerms?: number;
}

export const defaultCriticalCategories = ['医療過誤・誤診', '個人情報・プライバシー', '職員の不適切投稿', '誹謗中傷・脅迫'] as const;

const fold = (s: string) => s.normalize('NFKC').toLowerCase();

function engagement(m: StoredMention): number {
  const x = m.metrics ?? {};
  const n = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  return n(x.reposts) + n(x.quotes) + n(x.replies) + n(x.likes);
}

/**
 * The high-risk terms in posts that also name the institution: matches of a critical category
 * strong enough to count. The replay (src/detection-pass/aggregate-signals.ts) calls it on the
 * few posts that can carry one.
 */
export function criticalTermsIn(
  posts: readonly { text: string; risks: readonly { category: string; score: number; terms: readonly string[] }[] }[],
  options: Pick<BuildSignalOptions, 'criticalCategories' | 'minCriticalScore' | 'institutionNames'> = {},
): string[] {
  const critical = new Set<string>(options.criticalCategories ?? defaultCriticalCategories);
  const minScore = options.minCriticalScore ?? 0.7;
  const names = (options.institutionNames ?? []).map(fold).filter(Boolean);
  const terms = new Set<string>();
  for (const p of posts) {
    const strong = p.risks.filter((r) => critical.has(r.category) && r.score >= minScore);
    if (strong.length === 0) continue;
    if (names.length > 0 && !names.some((n) => fold(p.text).includes(n))) continue;
    for (const r of strong) for (const t of r.terms) terms.add(t);
  }
  return [...terms];
}

export function buildBucketSignal(start: Date, mentions: readonly StoredMention[], options: BuildSignalOptions = {}): BucketSignal {
  let negative = 0;
  let positive = 0;
  let reported = 0;
  let analysed = 0;
  const riskHits: Record<string, number> = {};
  const reach = { reposts: 0, quotes: 0, replies: 0 };
  const termCounts = new Map<string, number>();

  for (const m of mentions) {
    const a = m.analysis;
    if (!a) continue;
    analysed++;
    const isNegative = a.sentiment.label === 'negative';
    if (isNegative) {
      negative++;
      reach.reposts += Math.max(0, m.metrics.reposts ?? 0);
      reach.quotes += Math.max(0, m.metrics.quotes ?? 0);
      reach.replies += Math.max(0, m.metrics.replies ?? 0);
    } else if (a.sentiment.label === 'positive') positive++;
    // Passing on a report of trouble is negative evidence even in neutral words (episode-kind.ts).
    if (a.sentiment.label === 'neutral' && a.sharesReport) reported++;
    for (const r of a.risks) riskHits[r.category] = (riskHits[r.category] ?? 0) + 1;
    for (const t of new Set(a.terms)) termCounts.set(t, (termCounts.get(t) ?? 0) + 1);
  }

  const samples: BucketSample[] = [...mentions]
    .sort((x, y) => engagement(y) - engagement(x))
    .slice(0, options.maxSamples ?? 3)
    .map((m) => ({
      id: m.id,
      text: m.text.slice(0, 280),
      engagement: engagement(m),
      negative: m.analysis?.sentiment.label === 'negative',
    }));

  return {
    start,
    count: mentions.length,
    // Unknown, not zero, when nothing in the bucket has been analysed yet.
    negative: analysed === 0 && mentions.length > 0 ? null : negative,
    positive: analysed === 0 && mentions.length > 0 ? null : positive,
    reported,
    riskHits,
    reach,
    criticalTerms: criticalTermsIn(
      mentions.flatMap((m) => (m.analysis ? [{ text: m.text, risks: m.analysis.risks }] : [])),
      options,
    ),
    topTerms: [...termCounts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.maxTopTerms ?? 10)
      .map(([term, count]) => ({ term, count })),
    samples,
  };
}

/** Start of the bucket containing `at` (buckets aligned to the Unix epoch, UTC). */
export function bucketStartFor(at: Date, bucketMs: number): Date {
  return new Date(Math.floor(at.getTime() / bucketMs) * bucketMs);
}
