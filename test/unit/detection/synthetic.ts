import {
  defaultDetectorSettings,
  initialDetectorState,
  stepDetector,
  type BucketSignal,
  type DetectionResult,
  type DetectorSettings,
  type Sensitivity,
} from '../../../src/detection/index.ts';

// Seeded synthetic streams for scenario tests: deterministic, so a failure reproduces exactly.

import { mulberry32 as seededRandom } from '../../../src/random.ts';

export { seededRandom };

export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function binomial(random: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;

/** JST wall-clock parts of a UTC instant. */
export function jst(ms: number): { hour: number; dow: number; month: number; date: number } {
  const d = new Date(ms + 9 * hourMs);
  return { hour: d.getUTCHours(), dow: d.getUTCDay(), month: d.getUTCMonth() + 1, date: d.getUTCDate() };
}

export interface BucketPlan {
  count: number;
  negativeShare: number;
  positiveShare?: number;
  reachPerNegative?: number;
  criticalTerms?: string[];
}

export function signalFor(random: () => number, startMs: number, plan: BucketPlan): BucketSignal {
  const negative = binomial(random, plan.count, plan.negativeShare);
  const positive = Math.min(plan.count - negative, binomial(random, plan.count, plan.positiveShare ?? 0.3));
  const reach = Math.round(negative * (plan.reachPerNegative ?? 0.5));
  return {
    start: new Date(startMs),
    count: plan.count,
    negative,
    positive,
    riskHits: {},
    reach: {
      reposts: Math.round(reach * 0.6),
      quotes: Math.round(reach * 0.1),
      replies: reach - Math.round(reach * 0.6) - Math.round(reach * 0.1),
    },
    criticalTerms: plan.criticalTerms ?? [],
  };
}

export interface Replay {
  results: DetectionResult[];
  startMs: number;
  settings: DetectorSettings;
  /** Bucket indexes where someone would be notified. */
  notifications: number[];
}

export function replay(signals: BucketSignal[], bucketMs = hourMs, sensitivity: Sensitivity = 'balanced'): Replay {
  const settings = defaultDetectorSettings(bucketMs, sensitivity);
  let state = initialDetectorState(settings);
  const results: DetectionResult[] = [];
  for (const s of signals) {
    const step = stepDetector(state, s, settings);
    state = step.state;
    results.push(step.result);
  }
  const notifications = results.flatMap((r, i) => (r.alert?.notify ? [i] : []));
  return { results, startMs: signals[0]?.start.getTime() ?? 0, settings, notifications };
}

/** A clinic getting ~`perDay` mentions a day: daytime-heavy, quieter at weekends, closed 年末年始. */
export function clinicRate(ms: number, perDay: number): number {
  const { hour, dow, month, date } = jst(ms);
  const holiday = (month === 12 && date >= 29) || (month === 1 && date <= 3);
  if (holiday) return (perDay * 0.1) / 24;
  const dayShape = hour >= 8 && hour < 22 ? 1.5 : 0.2;
  const weekShape = dow === 0 ? 0.3 : dow === 6 ? 0.6 : dow === 1 ? 1.3 : 1;
  return ((perDay / 24) * dayShape * weekShape) / 1.06;
}

/** Hourly buckets from `fromMs` for `days` days, with `plan` deciding each bucket. */
export function hourlyStream(
  seed: number,
  fromMs: number,
  days: number,
  plan: (ms: number, i: number, random: () => number) => BucketPlan,
): BucketSignal[] {
  const random = seededRandom(seed);
  const out: BucketSignal[] = [];
  for (let i = 0; i < days * 24; i++) {
    const ms = fromMs + i * hourMs;
    out.push(signalFor(random, ms, plan(ms, i, random)));
  }
  return out;
}
