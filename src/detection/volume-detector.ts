import { countSurprise } from './count-tails.ts';
import type { Detector, DetectorReading } from './detector.ts';
import { ewmaWeight, strengthFromSurprise, type DetectorSettings } from './settings.ts';

// Mention volume against a seasonal expectation: level (with a damped trend) × hour-of-day
// factor × day-of-week factor, all learned online, judged by a negative-binomial tail so that
// sparse streams (0–5 a day) and busy ones (thousands an hour) use one rule. Judged twice — on
// the bucket and on a short window (sustained rises) — and each verdict is calibrated against
// the target's own history of bursts.

export interface VolumeState {
  /** Buckets learned from (capped; only warm-up needs it). */
  seen: number;
  level: number;
  trend: number;
  longLevel: number;
  /** Discounted sums per slot: observed counts and what the rest of the model expected there. */
  hourObserved: number[];
  hourExpected: number[];
  dayObserved: number[];
  dayExpected: number[];
  /** EWMAs of (x − μ)² − μ and μ²: their ratio estimates the dispersion φ. */
  excessVariance: number;
  squaredMean: number;
  /** Discounted counts for tail calibration: buckets, exceedances, summed excess surprise. */
  tailBuckets: number;
  tailExceedances: number;
  tailExcess: number;
  /**
   * The same judgement over a short discounted window (observed and expected sums) with its own
   * dispersion and tail: three times normal for three hours is news even when no single bucket
   * stands out.
   */
  windowObserved: number;
  windowExpected: number;
  windowExcessVariance: number;
  windowSquaredMean: number;
  windowTailExceedances: number;
  windowTailExcess: number;
  /**
   * Posts the model expected over the current run of empty buckets. When a run was improbable
   * (collection stopped, a feed delivers nightly), the batch that ends it is judged against what
   * the whole stretch should have held, not as one bucket's surge. Optional: older state loads as 0.
   */
  emptyRunExpected?: number;
}

export interface TailHistory {
  buckets: number;
  exceedances: number;
  excess: number;
}

/**
 * Calibrates the count model's surprise against this target's own history of bursts
 * (peaks over threshold with an exponential tail, as in streaming EVT / SPOT): a series that
 * bursts 20-fold every day is judged against that, a quiet clinic keeps the model's verdict.
 * Calibration only ever lowers the surprise — never more trigger-happy than the count model.
 */
export function calibratedSurprise(raw: number, tail: TailHistory, settings: DetectorSettings): number {
  const v = settings.volume;
  if (raw <= 0) return 0;
  const modelRate = Math.pow(10, -v.tailThreshold);
  const modelExcess = 1 / Math.LN10;
  const rate = (tail.exceedances + modelRate * v.tailPriorBuckets) / (tail.buckets + v.tailPriorBuckets);
  // Below the threshold the target's history says only how far off the model's tail is at the
  // threshold itself; scale every tail probability by that factor, so the verdict is continuous
  // and monotone in the raw surprise (a raw 2.9 must never look more alarming than a raw 3.5).
  if (raw <= v.tailThreshold) return Math.max(0, raw - Math.max(0, Math.log10(rate / modelRate)));
  const priorExceedances = 2;
  const meanExcess = (tail.excess + modelExcess * priorExceedances) / (tail.exceedances + priorExceedances);
  const calibrated = -Math.log10(Math.max(rate, modelRate)) + (raw - v.tailThreshold) / (Math.max(meanExcess, modelExcess) * Math.LN10);
  return Math.min(raw, calibrated);
}

function seasonalFactor(observed: number, expected: number, prior: number): number {
  return (observed + prior) / (expected + prior);
}

function dispersion(
  state: VolumeState,
  settings: DetectorSettings,
  excessVariance = state.excessVariance,
  squaredMean = state.squaredMean,
  floorScale = 1,
): number {
  const v = settings.volume;
  // Shrink the estimate to the prior until a few days of buckets have been seen.
  const evidence = state.seen / (state.seen + v.dispersionHalfLifeBuckets);
  const raw = squaredMean > 0 ? excessVariance / squaredMean : v.dispersionPrior;
  const phi = evidence * raw + (1 - evidence) * v.dispersionPrior;
  return Math.min(v.dispersionMax, Math.max(v.dispersionMin * floorScale, phi));
}

/** Expected count for a bucket at this calendar position, before seeing it. */
export function expectedVolume(state: VolumeState, hourOfDay: number, dayOfWeek: number, settings: DetectorSettings) {
  const v = settings.volume;
  const hourFactor = seasonalFactor(state.hourObserved[hourOfDay] ?? 0, state.hourExpected[hourOfDay] ?? 0, v.seasonalPriorCount);
  const dayFactor = seasonalFactor(state.dayObserved[dayOfWeek] ?? 0, state.dayExpected[dayOfWeek] ?? 0, v.seasonalPriorCount);
  const base = Math.max(0, state.level + state.trend, v.longLevelFloorShare * state.longLevel);
  return { mean: Math.max(v.minExpected, base * hourFactor * dayFactor), hourFactor, dayFactor, phi: dispersion(state, settings) };
}

export const volumeDetector: Detector<VolumeState> = {
  initial: () => ({
    seen: 0,
    level: 0,
    trend: 0,
    longLevel: 0,
    hourObserved: new Array<number>(24).fill(0),
    hourExpected: new Array<number>(24).fill(0),
    dayObserved: new Array<number>(7).fill(0),
    dayExpected: new Array<number>(7).fill(0),
    excessVariance: 0,
    squaredMean: 0,
    tailBuckets: 0,
    tailExceedances: 0,
    tailExcess: 0,
    windowObserved: 0,
    windowExpected: 0,
    windowExcessVariance: 0,
    windowSquaredMean: 0,
    windowTailExceedances: 0,
    windowTailExcess: 0,
    emptyRunExpected: 0,
  }),

  step(state, signal, { hourOfDay, dayOfWeek }, settings) {
    const v = settings.volume;
    const x = signal.count;
    const { mean, hourFactor, dayFactor, phi } = expectedVolume(state, hourOfDay, dayOfWeek, settings);
    const sd = Math.sqrt(mean + phi * mean * mean);

    // A batch after an improbably long empty stretch (e^−5: under 1 % by chance) is a collection
    // artefact: it carries the stretch's posts, so it is judged against the stretch's expectation.
    const gapExpected = state.emptyRunExpected ?? 0;
    const catchUp = x > 0 && gapExpected >= v.gapExpectedPosts;
    const judgedMean = catchUp ? mean + gapExpected : mean;
    const rawSurprise = x > judgedMean ? countSurprise(x, judgedMean, phi) : 0;
    const windowDecay = Math.pow(0.5, 1 / v.windowHalfLifeBuckets);
    const windowObserved = windowDecay * state.windowObserved + x;
    const windowExpected = windowDecay * state.windowExpected + mean;
    // A window sums ~1/(1 − decay) buckets, so its floor on relative variance is that much lower.
    const windowPhi = dispersion(state, settings, state.windowExcessVariance, state.windowSquaredMean, 1 - windowDecay);
    const windowRaw = windowObserved > windowExpected ? countSurprise(Math.floor(windowObserved), windowExpected, windowPhi) : 0;
    let surprise = 0;
    let expected = judgedMean;
    const provisional = state.seen < v.warmupBuckets;
    if (provisional) {
      // Cold start: no history to calibrate against yet, so the bucket is judged against a
      // clinic-sized profile blended with the little seen so far, and flagged provisional; the
      // step decides whether a provisional reading may alert (step-detector.ts).
      const prior = (v.priorPostsPerDay * settings.bucketMs) / 86_400_000;
      expected = Math.max(v.minExpected, (prior * v.priorWeightBuckets + state.level * state.seen) / (v.priorWeightBuckets + state.seen));
      const provisionalPhi = Math.max(phi, v.priorDispersion);
      // The window too: a clinic's 炎上 arrives a few posts per 5 minutes, never minCount in one bucket.
      const windowLength = (1 - Math.pow(windowDecay, state.seen + 1)) / (1 - windowDecay);
      const provisionalWindow = expected * windowLength;
      const windowCount = Math.floor(windowObserved);
      surprise = Math.max(
        x >= settings.floors.minCount && x > expected ? countSurprise(x, expected, provisionalPhi) : 0,
        windowCount >= settings.floors.minCount && windowCount > provisionalWindow
          ? countSurprise(windowCount, provisionalWindow, provisionalPhi)
          : 0,
      );
    } else if (x >= settings.floors.minCount && x > judgedMean) {
      surprise = Math.max(
        calibratedSurprise(
          rawSurprise,
          { buckets: state.tailBuckets, exceedances: state.tailExceedances, excess: state.tailExcess },
          settings,
        ),
        calibratedSurprise(
          windowRaw,
          { buckets: state.tailBuckets, exceedances: state.windowTailExceedances, excess: state.windowTailExcess },
          settings,
        ),
      );
    }
    const strength = strengthFromSurprise(surprise, settings.halfStrengthSurprise.volume);
    const reading: DetectorReading = {
      fired: strength >= settings.thresholds.fired,
      strength,
      surprise,
      observed: x,
      expected,
      ...(provisional ? { provisional: true } : {}),
      ...(catchUp ? { catchUp: true } : {}),
    };

    // Learn from a clipped count: a flare-up must not become the new normal within hours.
    const clipped = Math.min(x, mean + Math.max(1, v.clipSigmas * sd));
    const seasonal = Math.max(1e-6, hourFactor * dayFactor);
    // While the recent window looks anomalous the level and the dispersion learn a tenth as fast:
    // a rise that lasts hours must not be absorbed before it has been judged, nor teach the model
    // that counts swing that widely (three hours of a 15-fold surge would otherwise quintuple the
    // dispersion and leave the target deaf to a second wave days later).
    const windowAnomalous = windowRaw > v.tailThreshold && state.seen >= v.warmupBuckets;
    const learningRate = windowAnomalous ? 0.1 : 1;
    const alpha = Math.max(ewmaWeight(v.levelHalfLifeBuckets) * learningRate, 1 / (state.seen + 1));
    const beta = ewmaWeight(v.trendHalfLifeBuckets);
    const forecast = state.level + state.trend;
    const level = Math.max(0, forecast + alpha * (clipped / seasonal - forecast));
    const longAlpha = Math.max(ewmaWeight(v.longLevelHalfLifeBuckets), 1 / (state.seen + 1));
    const longLevel = state.longLevel + longAlpha * (clipped / seasonal - state.longLevel);
    // Damped trend: a slow complaint build-up must stay visible to the sentiment detector, not be
    // absorbed into "normal" growth, so the trend is both slow to learn and quick to fade.
    const trend = state.seen === 0 ? 0 : 0.98 * ((1 - beta) * state.trend + beta * (level - state.level));

    const hourDecay = Math.pow(0.5, 1 / v.hourSlotHalfLife);
    const dayDecay = Math.pow(0.5, 1 / v.daySlotHalfLife);
    const hourObserved = state.hourObserved.slice();
    const hourExpected = state.hourExpected.slice();
    const dayObserved = state.dayObserved.slice();
    const dayExpected = state.dayExpected.slice();
    if (state.seen > 0) {
      hourObserved[hourOfDay] = hourDecay * (hourObserved[hourOfDay] ?? 0) + clipped;
      hourExpected[hourOfDay] = hourDecay * (hourExpected[hourOfDay] ?? 0) + forecast * dayFactor;
      dayObserved[dayOfWeek] = dayDecay * (dayObserved[dayOfWeek] ?? 0) + clipped;
      dayExpected[dayOfWeek] = dayDecay * (dayExpected[dayOfWeek] ?? 0) + forecast * hourFactor;
    }
    const w = ewmaWeight(v.dispersionHalfLifeBuckets) * learningRate;
    const residual = clipped - mean;
    const tailDecay = Math.pow(0.5, 1 / v.tailHalfLifeBuckets);
    const exceeded = rawSurprise > v.tailThreshold && state.seen >= v.warmupBuckets;
    // The window's variance is learned from a clipped residual, or one spike would inflate it for days.
    const windowResidual = Math.min(
      windowObserved - windowExpected,
      v.clipSigmas * Math.sqrt(windowExpected + windowPhi * windowExpected * windowExpected),
    );
    return {
      reading,
      state: {
        seen: Math.min(state.seen + 1, 1e9),
        level,
        trend,
        longLevel,
        hourObserved,
        hourExpected,
        dayObserved,
        dayExpected,
        excessVariance: (1 - w) * state.excessVariance + w * (residual * residual - mean),
        squaredMean: (1 - w) * state.squaredMean + w * mean * mean,
        tailBuckets: tailDecay * state.tailBuckets + 1,
        // Every exceeding bucket counts, bursts are not declustered: each bucket of a burst is
        // another chance to alert, so the rate that bounds false alerts is the per-bucket one.
        tailExceedances: tailDecay * state.tailExceedances + (exceeded ? 1 : 0),
        tailExcess: tailDecay * state.tailExcess + (exceeded ? Math.min(v.tailExcessCap, rawSurprise - v.tailThreshold) : 0),
        windowObserved,
        windowExpected,
        windowExcessVariance: (1 - w) * state.windowExcessVariance + w * (windowResidual * windowResidual - windowExpected),
        windowSquaredMean: (1 - w) * state.windowSquaredMean + w * windowExpected * windowExpected,
        // Consecutive windows overlap, so one excursion exceeds for many buckets in a row: each
        // counts as 1/(window length) of an event (declustering), or the tail looks far fatter than it is.
        windowTailExceedances: tailDecay * state.windowTailExceedances + (windowAnomalous ? 1 - windowDecay : 0),
        windowTailExcess:
          tailDecay * state.windowTailExcess +
          (windowAnomalous ? (1 - windowDecay) * Math.min(v.tailExcessCap, windowRaw - v.tailThreshold) : 0),
        emptyRunExpected: x === 0 && state.seen >= v.warmupBuckets ? gapExpected + mean : 0,
      },
    };
  },
};
