import type { DetectorSettings } from './settings.ts';
import type { BucketSignal } from './signal.ts';

// Crisis or notice, decided from evidence rather than from one bucket's share. The question is
// whether the posts of the last hour hold more negative ones than good news would: the analyser
// itself calls some posts about good news negative (the lexicon misreads 14–19 % of them on real
// positive bursts), so a burst of praise with a fifth of its posts "negative" is still praise.
// Negative evidence is the lexicon's negative posts plus the posts that share or react to a
// report of trouble (a news or まとめ link, 「炎上してる」) whatever their own wording. The share
// is judged by a Wilson lower bound, so 2 of 5 proves nothing and 60 of 150 proves a lot, and
// the kind of a running episode changes only when the other verdict holds for a sustained spell.

export type AlertKind = 'crisis' | 'notice';

export type KindReason =
  /** A critical term (医療ミス, 個人情報流出 …) named with the institution: crisis at once, for the whole episode. */
  | 'critical-terms'
  /** A plain volume series: no sentiment to judge by, so a surge is treated as a possible 炎上. */
  | 'unknown-sentiment'
  /** Negative evidence significantly above what good news produces. */
  | 'negative-evidence'
  /** Negative evidence significantly within what good news produces. */
  | 'within-good-news'
  /** Too few posts, or too close a share, to tell either way: good news until shown otherwise. */
  | 'not-significant'
  /** Significant, but not yet for a sustained spell: a notice until it holds. */
  | 'unconfirmed';

export interface KindEvidence {
  /** Which posts were judged: the last hour's, or those since the negative share started running high. */
  span: 'hour' | 'run';
  /** Negative evidence (lexicon-negative posts plus news-sharing reactions), discounted over about an hour. */
  negative: number;
  /** The news-sharing part of `negative`. */
  reported: number;
  total: number;
  /** Lower and upper bounds of the negative share at the settings' confidence. */
  lowerBound: number;
  upperBound: number;
  /** The share good news stays under: max(good-news misreading, the target's baseline) + margin. */
  nullShare: number;
}

export interface KindVerdict {
  kind: AlertKind;
  reason: KindReason;
  evidence: KindEvidence;
  /** What this bucket's evidence alone says, before the sustain rule (a cold start may alert on it). */
  signalled: AlertKind;
}

/** Discounted sums of negative evidence, its news-sharing part and all posts. */
interface EvidenceWindow {
  negative: number;
  reported: number;
  total: number;
  /**
   * The same as effective sample sizes: posts in one bucket are not independent (a quote chain, a
   * misread phrase copied a hundred times), so a bucket of n counts as n / (1 + (n − 1)ρ) posts,
   * ρ = 1 / (concentration + 1) from the sentiment detector's beta-binomial. Optional: older state loads as none.
   */
  effectiveNegative?: number;
  effectiveTotal?: number;
}

export interface KindState extends EvidenceWindow {
  /** The kind the evidence last settled on (what a new episode opens as). */
  settled: AlertKind;
  settledReason: KindReason;
  /** Consecutive buckets whose verdict disagrees with `settled`. */
  against: number;
  /** Consecutive buckets whose own verdict was crisis: a new episode opens as one only after a sustained spell. */
  crisisStreak?: number;
  /** A critical term was seen since the series last went quiet: crisis until it does. */
  criticalLock: boolean;
}

export const initialKindState = (): KindState => ({
  negative: 0,
  reported: 0,
  total: 0,
  settled: 'notice',
  settledReason: 'not-significant',
  against: 0,
  crisisStreak: 0,
  criticalLock: false,
});

/** Wilson score interval for k successes in n trials ([0, 1] when n is 0). */
export function wilsonInterval(k: number, n: number, z: number): { lower: number; upper: number } {
  if (n <= 0) return { lower: 0, upper: 1 };
  const p = Math.min(1, Math.max(0, k / n));
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, (centre - spread) / (1 + z2 / n)), upper: Math.min(1, (centre + spread) / (1 + z2 / n)) };
}

/** The bucket's own verdict, before any sustain rule: what the evidence of the last hour says. */
function verdictFor(
  signal: BucketSignal,
  criticalFired: boolean,
  evidence: Omit<KindEvidence, 'lowerBound' | 'upperBound' | 'nullShare' | 'span'>,
  /** The counts the test uses (effective sample sizes for the hour window). */
  tested: { negative: number; total: number },
  span: KindEvidence['span'],
  baselineShare: number,
  settings: DetectorSettings,
): KindVerdict {
  const k = settings.kind;
  const nullShare = Math.min(0.95, Math.max(k.goodNewsNegativeShare, baselineShare) + k.margin);
  const { lower, upper } = wilsonInterval(tested.negative, tested.total, k.z);
  const full = { span, ...evidence, lowerBound: round(lower), upperBound: round(upper), nullShare: round(nullShare) };
  const verdict = (kind: AlertKind, reason: KindReason): KindVerdict => ({ kind, reason, evidence: full, signalled: kind });
  if (criticalFired) return verdict('crisis', 'critical-terms');
  if (signal.negative === null) return verdict('crisis', 'unknown-sentiment');
  if (evidence.negative >= settings.floors.minNegative && lower > nullShare) return verdict('crisis', 'negative-evidence');
  return verdict('notice', upper < nullShare ? 'within-good-news' : 'not-significant');
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

/**
 * Steps the evidence window by one bucket and returns the kind to act on. `episodeActive` says
 * whether an alert episode is running (or cooling down): while none is, the kind follows the
 * evidence at once (an episode opens as what its first buckets say); while one is, the kind
 * changes only after `sustainBuckets` (to crisis) or `relaxBuckets` (back to notice) buckets
 * in a row say so. A critical term makes it a crisis at once and keeps it one until the series
 * is quiet again.
 */
export function stepKind(
  state: KindState,
  signal: BucketSignal,
  /** The critical-terms detector fired on this bucket. */
  criticalFired: boolean,
  baselineShare: number,
  settings: DetectorSettings,
  episodeActive: boolean,
  /**
   * The posts since the negative share started running high (the sentiment detector's CUSUM run),
   * given only when that CUSUM is itself significant — a run starts on a chance streak, so on its
   * own it would flatter any noise: a complaint that builds over days at 3 posts a day shows
   * there, not in an hour.
   */
  run: { negative: number; total: number } | null = null,
): { state: KindState; verdict: KindVerdict } {
  const k = settings.kind;
  const known = signal.negative !== null;
  const reported = known ? Math.min(signal.reported ?? 0, signal.count - (signal.negative ?? 0) - (signal.positive ?? 0)) : 0;
  const n = known ? signal.count : 0;
  const negative = known ? (signal.negative ?? 0) + reported : 0;
  const designEffect = 1 + Math.max(0, n - 1) / (settings.sentiment.concentration + 1);
  const decay = Math.pow(0.5, 1 / k.windowHalfLifeBuckets);
  const hour: EvidenceWindow = {
    negative: decay * state.negative + negative,
    reported: decay * state.reported + reported,
    total: decay * state.total + n,
    effectiveNegative: decay * (state.effectiveNegative ?? 0) + negative / designEffect,
    effectiveTotal: decay * (state.effectiveTotal ?? 0) + n / designEffect,
  };
  const shown = { negative: round(hour.negative), reported: round(hour.reported), total: round(hour.total) };
  const tested = { negative: hour.effectiveNegative ?? 0, total: hour.effectiveTotal ?? 0 };
  const hourVerdict = verdictFor(signal, criticalFired, shown, tested, 'hour', baselineShare, settings);
  const runVerdict = run
    ? verdictFor(signal, criticalFired, { negative: run.negative, reported: 0, total: run.total }, run, 'run', baselineShare, settings)
    : hourVerdict;
  // Crisis when either proves it; good news only as the hour says it.
  const bucket = hourVerdict.kind === 'crisis' || runVerdict.kind === 'notice' ? hourVerdict : runVerdict;
  const crisisStreak = bucket.kind === 'crisis' ? (state.crisisStreak ?? 0) + 1 : 0;
  const criticalLock = (episodeActive && state.criticalLock) || bucket.reason === 'critical-terms';

  let settled = state.settled;
  let settledReason = state.settledReason;
  let against = 0;
  if (criticalLock) {
    settled = 'crisis';
    settledReason = 'critical-terms';
  } else if (bucket.reason === 'unknown-sentiment') {
    settled = bucket.kind;
    settledReason = bucket.reason;
  } else if (!episodeActive) {
    // An episode opens as a crisis on the same sustained evidence a running notice needs to become one.
    const sustained = bucket.kind === 'crisis' && crisisStreak >= k.sustainBuckets;
    settled = sustained ? 'crisis' : 'notice';
    settledReason = sustained ? bucket.reason : bucket.kind === 'crisis' ? 'unconfirmed' : bucket.reason;
  } else if (bucket.kind === state.settled) {
    // Agreement refreshes the reason (a crisis stays one on its evidence, not on a stale term).
    if (bucket.reason !== 'not-significant') settledReason = bucket.reason;
  } else if (bucket.kind === 'crisis' || bucket.reason === 'within-good-news') {
    // Only decisive evidence counts against the settled kind: a crisis winding down to a few
    // posts is "cannot tell", not good news.
    against = state.against + 1;
    if (against >= (bucket.kind === 'crisis' ? k.sustainBuckets : k.relaxBuckets)) {
      settled = bucket.kind;
      settledReason = bucket.reason;
      against = 0;
    }
  }
  return {
    state: { ...hour, settled, settledReason, against, crisisStreak, criticalLock },
    verdict: { kind: settled, reason: settledReason, evidence: bucket.evidence, signalled: bucket.kind },
  };
}
