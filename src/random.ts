// Seeded randomness, for everything that must be reproducible: the demo stream, synthetic test
// streams, fault injection in the fakes.

export type Rng = () => number;

/** mulberry32: small, fast, good enough for synthetic text, jitter and fault injection. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
