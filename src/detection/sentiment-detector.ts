import { betaBinomialSurprise, logBeta, maxSurprise } from './count-tails.ts';
import { quietReading, type Detector, type DetectorReading } from './detector.ts';
import { strengthFromSurprise, type DetectorSettings } from './settings.ts';

// Negative share against its own baseline, beta-binomial so that small buckets prove little:
// 2 negatives out of 3 is noise, 60 out of 80 is a shift. Judged on the bucket, on a short
// discounted window, and by a CUSUM that adds up the evidence of every post since the share
// started to run high — so a complaint that builds over days is caught while it builds,
// however slowly, instead of once it is loud enough for half a day on its own.

export interface SentimentState {
  /** Discounted sums over the long baseline. */
  negative: number;
  total: number;
  /** Discounted sums over the recent window. */
  recentNegative: number;
  recentTotal: number;
  /**
   * Page's CUSUM (nats) of the log-likelihood ratio "negative odds × cusumOddsRatio" against
   * "share as usual", per bucket under the beta-binomial, never below 0 nor above the cap.
   * Optional: state saved before it existed loads as 0.
   */
  cusum?: number;
  /** Negative posts since the CUSUM last stood at 0 (the minimum-count floor applies to them). */
  cusumNegative?: number;
  /** All posts since then: with cusumNegative, the posts of the run the CUSUM is adding up (episode-kind.ts judges them). */
  cusumTotal?: number;
}

/**
 * Evidence (nats) that `k` negatives of `n` come from a share shifted to odds × `oddsRatio`
 * rather than from `baseline`, both beta-binomial with the same concentration: each post counts,
 * but the 80th post of one bucket counts less than the first (shares vary from bucket to bucket).
 */
export function shareShiftLogLikelihoodRatio(k: number, n: number, baseline: number, settings: DetectorSettings): number {
  if (n <= 0) return 0;
  const c = settings.sentiment.concentration;
  const odds = (baseline / (1 - baseline)) * settings.sentiment.cusumOddsRatio;
  const shifted = odds / (1 + odds);
  const a0 = baseline * c;
  const b0 = (1 - baseline) * c;
  const a1 = shifted * c;
  const b1 = (1 - shifted) * c;
  return logBeta(k + a1, n - k + b1) - logBeta(a1, b1) - (logBeta(k + a0, n - k + b0) - logBeta(a0, b0));
}

export const sentimentDetector: Detector<SentimentState> = {
  initial: () => ({ negative: 0, total: 0, recentNegative: 0, recentTotal: 0, cusum: 0, cusumNegative: 0, cusumTotal: 0 }),

  step(state, signal, _context, settings) {
    const s = settings.sentiment;
    const baseline = (state.negative + s.priorShare * s.priorWeight) / (state.total + s.priorWeight);
    if (signal.negative === null) return { state, reading: quietReading(0, baseline) };
    const k = signal.negative;
    const n = signal.count;
    const recentDecay = Math.pow(0.5, 1 / s.recentHalfLifeBuckets);
    const recentNegative = recentDecay * state.recentNegative + k;
    const recentTotal = recentDecay * state.recentTotal + n;

    const alpha = baseline * s.concentration;
    const beta = (1 - baseline) * s.concentration;
    const observedShare = n > 0 ? k / n : 0;
    let reading: DetectorReading = quietReading(observedShare, baseline);
    const bucketSurprise = k >= settings.floors.minNegative ? betaBinomialSurprise(k, n, alpha, beta) : 0;
    // Whole counts for the tail, rounded so the share never rises by rounding alone (an empty
    // bucket must not make the window look worse).
    const recentCount = Math.floor(recentTotal);
    const recentNegativeCount = recentTotal > 0 ? Math.floor((recentNegative * recentCount) / recentTotal) : 0;
    const recentSurprise =
      recentNegativeCount >= settings.floors.minNegative ? betaBinomialSurprise(recentNegativeCount, recentCount, alpha, beta) : 0;
    // Wald: under the usual share one excursion of the CUSUM reaches h nats with probability at
    // most e^−h, and a target starts about one excursion per post; so the verdict is discounted by
    // the posts of a usual day, and false alarms stay as rare on a busy target as on a quiet one.
    const decay = Math.pow(0.5, 1 / s.baselineHalfLifeBuckets);
    const postsPerDay = state.total * (1 - decay) * (86_400_000 / settings.bucketMs);
    const discount = Math.log(Math.max(1, postsPerDay));
    const cusum = Math.min(
      s.cusumCapSurprise * Math.LN10 + discount,
      Math.max(0, (state.cusum ?? 0) + shareShiftLogLikelihoodRatio(k, n, baseline, settings)),
    );
    const cusumNegative = cusum > 0 ? (state.cusumNegative ?? 0) + k : 0;
    const cusumTotal = cusum > 0 ? (state.cusumTotal ?? 0) + n : 0;
    const cusumSurprise =
      cusumNegative >= settings.floors.minNegative ? Math.min(maxSurprise, Math.max(0, cusum - discount) / Math.LN10) : 0;
    const surprise = Math.max(bucketSurprise, recentSurprise, cusumSurprise);
    if (surprise > 0) {
      const strength = strengthFromSurprise(surprise, settings.halfStrengthSurprise.sentiment);
      reading = { fired: strength >= settings.thresholds.fired, strength, surprise, observed: observedShare, expected: baseline };
    }

    // While the share looks even mildly elevated the baseline learns a tenth as much and does
    // not age: otherwise a complaint that builds over a week teaches the baseline faster than
    // it shows up against it, and a week-long 炎上 becomes the normal share.
    const elevated = surprise >= 1;
    const learn = elevated ? 0.1 : 1;
    return {
      reading,
      state: {
        negative: (elevated ? 1 : decay) * state.negative + learn * k,
        total: (elevated ? 1 : decay) * state.total + learn * n,
        recentNegative,
        recentTotal,
        cusum,
        cusumNegative,
        cusumTotal,
      },
    };
  },
};
