import type { BucketSignal } from '../../../src/detection/index.ts';
import { binomial, clinicRate, poisson, seededRandom, type Replay } from './synthetic.ts';

// Issue 16's scenarios at the product's own setting — a clinic of about 3 posts a day, 5-minute
// buckets — shared by test/unit/detection/flare-up-realism.test.ts and bench/flare-realism.ts.

export const fiveMinutes = 300_000;
export const perHour = 12;
export const from = Date.UTC(2026, 8, 1, 15); // 2026-09-02 00:00 JST, a Wednesday
export const seeds = [1, 2, 3, 4, 5];

export interface Plan {
  count: number;
  /** Share of posts the lexicon calls negative. */
  negativeShare: number;
  positiveShare?: number;
  /** Share of posts that pass on a report of trouble without negative words. */
  reportedShare?: number;
  criticalTerms?: string[];
  reachPerNegative?: number;
}

export function bucket(random: () => number, ms: number, plan: Plan): BucketSignal {
  const negative = binomial(random, plan.count, plan.negativeShare);
  const reported = binomial(random, plan.count - negative, plan.reportedShare ?? 0);
  const positive = Math.min(plan.count - negative - reported, binomial(random, plan.count, plan.positiveShare ?? 0.3));
  const reach = Math.round(negative * (plan.reachPerNegative ?? 0.5));
  return {
    start: new Date(ms),
    count: plan.count,
    negative,
    positive,
    reported,
    riskHits: {},
    reach: {
      reposts: Math.round(reach * 0.7),
      quotes: Math.round(reach * 0.1),
      replies: reach - Math.round(reach * 0.7) - Math.round(reach * 0.1),
    },
    criticalTerms: plan.criticalTerms ?? [],
  };
}

/** Five-minute buckets of a 3-a-day clinic for `days`, with `event(k)` deciding bucket k after `onset`. */
export function clinicSeries(
  seed: number,
  days: number,
  onset: number,
  event: (k: number, random: () => number) => Plan | null,
): BucketSignal[] {
  const random = seededRandom(seed);
  return Array.from({ length: days * 24 * perHour }, (_, i) => {
    const ms = from + i * fiveMinutes;
    const planned = i >= onset ? event(i - onset, random) : null;
    return bucket(random, ms, planned ?? { count: poisson(random, clinicRate(ms, 3) / perHour), negativeShare: 0.15 });
  });
}

/** Share drawn around `mean` for each bucket (Beta with concentration 20): noise is lumpy, not binomial. */
export function lumpy(random: () => number, mean: number): number {
  // Sum of 20 Bernoulli draws is a cheap stand-in for a Beta(20·mean, 20·(1−mean)) draw.
  return binomial(random, 20, mean) / 20;
}

export const crisisNotifications = (r: Replay) => r.notifications.filter((i) => r.results[i]!.kind === 'crisis');

/** A positive burst of `scale` × a clinic-sized one (60 posts over six hours). */
export function positiveBurst(seed: number, scale: number, noise: number, onset: number) {
  const shape = (k: number) => (k < 6 ? (k + 1) / 6 : k < 18 ? 1 : Math.max(0, Math.exp(-(k - 18) / 12)));
  return clinicSeries(seed, 35, onset, (k, random) =>
    k < 72
      ? {
          count: poisson(random, scale * 1.4 * shape(k)),
          negativeShare: lumpy(random, noise),
          positiveShare: 0.6,
        }
      : null,
  );
}

/** 炎上 at clinic size: about 30 posts in its first hour, rising. */
export const rampPerBucket = (k: number) => Math.min(12, 0.6 + k * 0.35);

/** The three 炎上 of the proof, as plans for the buckets after onset. */
export const flareUps: Record<string, (k: number, random: () => number) => Plan> = {
  'staff post': (k, random) => ({
    count: Math.max(k === 0 ? 1 : 0, poisson(random, rampPerBucket(k))),
    negativeShare: 0.55,
    criticalTerms: k === 0 ? ['患者の写真'] : [],
    reachPerNegative: 3,
  }),
  誤診: (k, random) => ({ count: poisson(random, rampPerBucket(k)), negativeShare: 0.6, reachPerNegative: 2 }),
  'news-sharing': (k, random) => ({
    count: poisson(random, rampPerBucket(k)),
    negativeShare: 0.15,
    reportedShare: 0.65,
    positiveShare: 0.05,
  }),
};
