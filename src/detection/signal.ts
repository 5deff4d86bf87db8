// What detection sees of one watch target (or a whole org) in one time bucket. Plain data so
// the ingest pipeline, the backtest and `hinoko detect` can all build it; hostile values
// (negative counts, NaN, huge term lists) are cleaned by `sanitizeSignal` before any detector
// reads them.

export interface BucketReach {
  reposts: number;
  quotes: number;
  replies: number;
}

export interface BucketTerm {
  term: string;
  count: number;
}

export interface BucketSample {
  id: string;
  text: string;
  url?: string | null;
  /** Reposts + quotes + replies (+ likes if the source has them) when the bucket was built. */
  engagement: number;
  negative?: boolean;
}

export interface BucketSignal {
  /** Bucket start, UTC. */
  start: Date;
  /** Mentions posted in the bucket (0 for an empty bucket — empty buckets must be stepped too). */
  count: number;
  /** Mentions classified negative; null when sentiment is unknown (plain volume series). */
  negative: number | null;
  /** Mentions classified positive; null when unknown. */
  positive: number | null;
  /**
   * Mentions neutral in their own words that share or react to a report of trouble about
   * the organisation (a news or まとめ link with a trouble word, 「炎上してる」, a quote of a
   * negative post): negative evidence for the organisation all the same. Absent when unknown.
   */
  reported?: number;
  /** Risk-category hits in the bucket, by category id. */
  riskHits: Record<string, number>;
  /** Engagement gained in this bucket by the bucket's negative posts (diffusion). */
  reach: BucketReach;
  /** High-risk terms seen together with the institution's name in this bucket. */
  criticalTerms: string[];
  /** Terms rising in this bucket (from the emerging-terms analyser), for the explanation. */
  topTerms?: BucketTerm[];
  /** The bucket's most-engaged posts, for the explanation. */
  samples?: BucketSample[];
}

const maxTerms = 20;
const maxTermChars = 40;
const maxSamples = 5;
const maxSampleChars = 280;
const maxRiskCategories = 32;

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), 1e9) : 0;
}

function text(s: unknown, cap: number): string {
  return typeof s === 'string' ? s.slice(0, cap) : '';
}

/** An empty bucket: what the lead steps for gaps with no mentions. */
export function emptyBucketSignal(start: Date): BucketSignal {
  return {
    start,
    count: 0,
    negative: 0,
    positive: 0,
    riskHits: {},
    reach: { reposts: 0, quotes: 0, replies: 0 },
    criticalTerms: [],
  };
}

/** Clamp and cap everything a stranger could have influenced. Never throws. */
export function sanitizeSignal(signal: BucketSignal): BucketSignal {
  const total = count(signal.count);
  const sentiment = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.min(count(n), total));
  const riskHits: Record<string, number> = {};
  for (const [k, v] of Object.entries(signal.riskHits ?? {}).slice(0, maxRiskCategories)) {
    const c = count(v);
    if (c > 0) riskHits[text(k, maxTermChars)] = c;
  }
  const terms = Array.isArray(signal.criticalTerms) ? signal.criticalTerms : [];
  const criticalTerms = [...new Set(terms.map((t) => text(t, maxTermChars).trim()).filter(Boolean))].slice(0, maxTerms);
  const out: BucketSignal = {
    start: signal.start instanceof Date && Number.isFinite(signal.start.getTime()) ? signal.start : new Date(0),
    count: total,
    negative: sentiment(signal.negative),
    positive: sentiment(signal.positive),
    ...(signal.reported === undefined ? {} : { reported: Math.min(count(signal.reported), total) }),
    riskHits,
    reach: {
      reposts: count(signal.reach?.reposts),
      quotes: count(signal.reach?.quotes),
      replies: count(signal.reach?.replies),
    },
    criticalTerms,
  };
  if (Array.isArray(signal.topTerms)) {
    out.topTerms = signal.topTerms
      .filter((t) => t && typeof t.term === 'string' && t.term.trim())
      .slice(0, maxTerms)
      .map((t) => ({ term: text(t.term, maxTermChars), count: count(t.count) }));
  }
  if (Array.isArray(signal.samples)) {
    out.samples = signal.samples
      .filter((s) => s && typeof s.id === 'string')
      .map((s) => ({
        id: text(s.id, 200),
        text: text(s.text, maxSampleChars),
        url: typeof s.url === 'string' ? s.url.slice(0, 2000) : null,
        engagement: count(s.engagement),
        negative: s.negative === true,
      }))
      .sort((a, b) => b.engagement - a.engagement)
      .slice(0, maxSamples);
  }
  return out;
}
