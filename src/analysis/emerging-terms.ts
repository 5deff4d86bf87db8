// Emerging terms: which nouns are rising in the current window against their own history.
// Counts are small and bursty, so the test is a smoothed Poisson-style z-score: a term seen twice
// where it was never seen is noise, fifteen times where it was seen about once is news.

export type TermCounts = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

export interface EmergingTermsInput {
  /** term → number of mentions containing it in the current window. */
  current: TermCounts;
  /**
   * The same counts for earlier windows of equal length (e.g. the 7 previous days for a
   * one-day window), any order. Missing terms count as 0. An empty list means no history.
   */
  baseline: readonly TermCounts[];
  /** Minimum count in the current window (default 5). */
  minCount?: number;
  /** Minimum z-score (default 3). */
  minScore?: number;
  /** Minimum smoothed ratio count / baseline mean (default 2). */
  minRatio?: number;
  /** At most this many terms are returned (default 20). */
  limit?: number;
}

export interface EmergingTerm {
  term: string;
  count: number;
  baselineMean: number;
  /** (count − mean − 1) / √(max(mean, variance) + 1): how unusual, in baseline deviations. */
  score: number;
  /** (count + 1) / (mean + 1). */
  ratio: number;
}

// Pseudo-count added to the baseline so terms with no history need real volume to rise.
const smoothing = 1;

function entries(counts: TermCounts): Iterable<[string, number]> {
  return counts instanceof Map ? counts.entries() : Object.entries(counts);
}

function countOf(counts: TermCounts, term: string): number {
  const v: unknown = counts instanceof Map ? counts.get(term) : Object.hasOwn(counts, term) ? (counts as Record<string, number>)[term] : 0;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

export function rankEmergingTerms(input: EmergingTermsInput): EmergingTerm[] {
  const minCount = input.minCount ?? 5;
  const minScore = input.minScore ?? 3;
  const minRatio = input.minRatio ?? 2;
  const limit = input.limit ?? 20;
  const windows = input.baseline.length;
  const rising: EmergingTerm[] = [];
  for (const [term, rawCount] of entries(input.current)) {
    if (typeof rawCount !== 'number' || !Number.isFinite(rawCount) || rawCount < minCount) continue;
    const count = rawCount;
    let mean = 0;
    let variance = 0;
    if (windows > 0) {
      let sum = 0;
      let sumSq = 0;
      for (const w of input.baseline) {
        const c = countOf(w, term);
        sum += c;
        sumSq += c * c;
      }
      mean = sum / windows;
      variance = Math.max(0, sumSq / windows - mean * mean);
    }
    const score = (count - mean - smoothing) / Math.sqrt(Math.max(mean, variance) + smoothing);
    const ratio = (count + smoothing) / (mean + smoothing);
    if (score < minScore || ratio < minRatio) continue;
    rising.push({
      term,
      count,
      baselineMean: Math.round(mean * 1000) / 1000,
      score: Math.round(score * 1000) / 1000,
      ratio: Math.round(ratio * 1000) / 1000,
    });
  }
  return rising.sort((a, b) => b.score - a.score || b.count - a.count || a.term.localeCompare(b.term)).slice(0, limit);
}
