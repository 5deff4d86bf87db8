import { countSurprise } from './count-tails.ts';
import type { Detector, DetectorReading } from './detector.ts';
import { ewmaWeight, strengthFromSurprise, type DetectorSettings } from './settings.ts';

// Mention volume against a seasonal expectation: level (with a damped trend) × hour-of-day
// factor × day-of-week factor, all learned online, judged by a negative-binomial tail so that
// sparse streams (0–5 a day) and busy ones (thousands an hour) use one rule.

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
}

/**
 * Calibrates the count model's surprise against this target's own history of bursts
 * (peaks over threshold with an exponential tail, as in streaming EVT / SPOT): a series that
 * bursts 20-fold every day is judged against that, a quiet clinic keeps the model's verdict.
 * Calibration only ever lowers the surprise — never more trigger-happy than the count model.
 */
export function calibratedSurprise(raw: number, state: VolumeState, settings: DetectorSettings): number {
  const v = settings.volume;
  if (raw <= v.tailThreshold) return raw;
  const modelRate = Math.pow(10, -v.tailThreshold);
  const modelExcess = 1 / Math.LN10;
  const rate = (state.tailExceedances + modelRate * v.tailPriorBuckets) / (state.tailBuckets + v.tailPriorBuckets);
  const priorExceedances = 2;
  const meanExcess = (state.tailExcess + modelExcess * priorExceedances) / (state.tailExceedances + priorExceedances);
  const calibrated = -Math.log10(Math.max(rate, modelRate)) + (raw - v.tailThreshold) / (Math.max(meanExcess, modelExcess) * Math.LN10);
  return Math.min(raw, calibrated);
}

function seasonalFactor(observed: number, expected: number, prior: number): number {
  return (observed + prior) / (expected + prior);
}

function dispersion(state: VolumeState, settings: DetectorSettings): number {
  const v = settings.volume;
  // Shrink the estimate to the prior until a few days of buckets have been seen.
  const evidence = state.seen / (state.seen + v.dispersionHalfLifeBuckets);
  const raw = state.squaredMean > 0 ? state.excessVariance / state.squaredMean : v.dispersionPrior;
  const phi = evidence * raw + (1 - evidence) * v.dispersionPrior;
  return Math.min(v.dispersionMax, Math.max(v.dispersionMin, phi));
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
    seen: 0, level: 0, trend: 0, longLevel: 0,
    hourObserved: new Array<number>(24).fill(0), hourExpected: new Array<number>(24).fill(0),
    dayObserved: new Array<number>(7).fill(0), dayExpected: new Array<number>(7).fill(0),
    excessVariance: 0, squaredMean: 0,
    tailBuckets: 0, tailExceedances: 0, tailExcess: 0,
  }),

  step(state, signal, { hourOfDay, dayOfWeek }, settings) {
    const v = settings.volume;
    const x = signal.count;
    const { mean, hourFactor, dayFactor, phi } = expectedVolume(state, hourOfDay, dayOfWeek, settings);
    const sd = Math.sqrt(mean + phi * mean * mean);

    const rawSurprise = x > mean ? countSurprise(x, mean, phi) : 0;
    let reading: DetectorReading;
    if (state.seen < v.warmupBuckets || x < settings.floors.minCount || x <= mean) {
      reading = { fired: false, strength: 0, surprise: 0, observed: x, expected: mean };
    } else {
      const surprise = calibratedSurprise(rawSurprise, state, settings);
      const strength = strengthFromSurprise(surprise, settings.halfStrengthSurprise.volume);
      reading = { fired: strength >= settings.thresholds.fired, strength, surprise, observed: x, expected: mean };
    }

    // Learn from a clipped count: a flare-up must not become the new normal within hours.
    const clipped = Math.min(x, mean + Math.max(1, v.clipSigmas * sd));
    const seasonal = Math.max(1e-6, hourFactor * dayFactor);
    const alpha = Math.max(ewmaWeight(v.levelHalfLifeBuckets), 1 / (state.seen + 1));
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
    const w = ewmaWeight(v.dispersionHalfLifeBuckets);
    const residual = clipped - mean;
    const tailDecay = Math.pow(0.5, 1 / v.tailHalfLifeBuckets);
    const exceeded = rawSurprise > v.tailThreshold && state.seen >= v.warmupBuckets;
    return {
      reading,
      state: {
        seen: Math.min(state.seen + 1, 1e9),
        level, trend, longLevel, hourObserved, hourExpected, dayObserved, dayExpected,
        excessVariance: (1 - w) * state.excessVariance + w * (residual * residual - mean),
        squaredMean: (1 - w) * state.squaredMean + w * mean * mean,
        tailBuckets: tailDecay * state.tailBuckets + 1,
        tailExceedances: tailDecay * state.tailExceedances + (exceeded ? 1 : 0),
        tailExcess: tailDecay * state.tailExcess + (exceeded ? Math.min(v.tailExcessCap, rawSurprise - v.tailThreshold) : 0),
      },
    };
  },
};
