import { betaBinomialSurprise } from './count-tails.ts';
import { quietReading, type Detector, type DetectorReading } from './detector.ts';
import { strengthFromSurprise } from './settings.ts';

// Negative share against its own baseline, beta-binomial so that small buckets prove little:
// 2 negatives out of 3 is noise, 60 out of 80 is a shift. Judged on the bucket and on a short
// discounted window, so a slow build-up (a few angry posts an hour for a day) is seen too.

export interface SentimentState {
  /** Discounted sums over the long baseline. */
  negative: number;
  total: number;
  /** Discounted sums over the recent window. */
  recentNegative: number;
  recentTotal: number;
}

export const sentimentDetector: Detector<SentimentState> = {
  initial: () => ({ negative: 0, total: 0, recentNegative: 0, recentTotal: 0 }),

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
    const recentSurprise = recentNegativeCount >= settings.floors.minNegative
      ? betaBinomialSurprise(recentNegativeCount, recentCount, alpha, beta) : 0;
    const surprise = Math.max(bucketSurprise, recentSurprise);
    if (surprise > 0) {
      const strength = strengthFromSurprise(surprise, settings.halfStrengthSurprise.sentiment);
      reading = { fired: strength >= settings.thresholds.fired, strength, surprise, observed: observedShare, expected: baseline };
    }

    // While the share looks even mildly elevated the baseline learns a tenth as much and does
    // not age: otherwise a complaint that builds over a week teaches the baseline faster than
    // it shows up against it, and a week-long 炎上 becomes the normal share.
    const elevated = surprise >= 1;
    const decay = elevated ? 1 : Math.pow(0.5, 1 / s.baselineHalfLifeBuckets);
    const learn = elevated ? 0.1 : 1;
    return {
      reading,
      state: {
        negative: decay * state.negative + learn * k,
        total: decay * state.total + learn * n,
        recentNegative,
        recentTotal,
      },
    };
  },
};
