// Seeded randomness for the demo stream. Every time slot draws from its own generator seeded by
// (seed, slot), so the same slot always yields the same posts however often, and on however many
// instances, the collector runs: the demo is idempotent like a real API.

import { mulberry32, type Rng } from '../../random.ts';

export type { Rng };

export function slotRng(seed: number, slot: number, salt = 0): Rng {
  // Mix the three integers so neighbouring slots do not get correlated streams.
  let h =
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(slot | 0, 0xc2b2ae35) ^ Math.imul(Math.floor(slot / 2 ** 32), 0x27d4eb2f) ^ salt;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return mulberry32(h ^ (h >>> 16));
}

/** Knuth's method: fine for the small means used per slot. */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng();
  } while (p > limit);
  return k - 1;
}

export function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Picks by weight: entries are [weight, value]. */
export function weighted<T>(rng: Rng, entries: readonly (readonly [number, T])[]): T {
  const total = entries.reduce((s, [w]) => s + w, 0);
  let r = rng() * total;
  for (const [w, v] of entries) {
    r -= w;
    if (r < 0) return v;
  }
  return entries[entries.length - 1]![1];
}
