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
    const recentSurprise = recentNegative >= settings.floors.minNegative && k > 0
      ? betaBinomialSurprise(recentNegative, recentTotal, alpha, beta) : 0;
    const surprise = Math.max(bucketSurprise, recentSurprise);
    if (surprise > 0) {
      const strength = strengthFromSurprise(surprise, settings.halfStrengthSurprise.sentiment);
      reading = { fired: strength >= settings.thresholds.fired, strength, surprise, observed: observedShare, expected: baseline };
    }

    // A shift under way teaches the baseline a tenth as much and does not age it: a week-long
    // 炎上 must not become the normal share.
    const decay = reading.fired ? 1 : Math.pow(0.5, 1 / s.baselineHalfLifeBuckets);
    const learn = reading.fired ? 0.1 : 1;
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
