import { describe, expect, it } from 'vitest';
import { betaBinomialSurprise, countSurprise } from '../../../src/detection/count-tails.ts';
import { logGamma } from '../../../src/detection/count-tails.ts';

function poissonTail(k: number, mean: number): number {
  let cdf = 0;
  let term = Math.exp(-mean);
  for (let i = 0; i < k; i++) {
    cdf += term;
    term *= mean / (i + 1);
  }
  return 1 - cdf;
}

function negBinTail(k: number, mean: number, phi: number): number {
  const r = 1 / phi;
  const p = r / (r + mean);
  // Summed upwards from k: 1 − CDF would cancel to nothing for tails near 1e-13.
  let tail = 0;
  for (let i = k; i < k + 20_000; i++)
    tail += Math.exp(logGamma(i + r) - logGamma(r) - logGamma(i + 1) + r * Math.log(p) + i * Math.log(1 - p));
  return tail;
}

function betaBinTail(k: number, n: number, a: number, b: number): number {
  const lb = (x: number, y: number) => logGamma(x) + logGamma(y) - logGamma(x + y);
  let tail = 0;
  for (let j = k; j <= n; j++) tail += Math.exp(logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1) + lb(j + a, n - j + b) - lb(a, b));
  return tail;
}

describe('count tails', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('Poisson surprise equals -log10 of the exact tail', () => {
    for (const [k, mean] of [
      [3, 1],
      [10, 2.5],
      [7, 0.3],
    ] as const) {
      expect(countSurprise(k, mean, 0)).toBeCloseTo(-Math.log10(poissonTail(k, mean)), 6);
    }
  });

  it('negative-binomial surprise equals -log10 of the exact tail', () => {
    for (const [k, mean, phi] of [
      [5, 1, 0.5],
      [40, 3, 0.2],
      [200, 60, 0.3],
    ] as const) {
      expect(countSurprise(k, mean, phi)).toBeCloseTo(-Math.log10(negBinTail(k, mean, phi)), 5);
    }
  });

  it('is zero at or below the mean and stays finite for enormous spikes', () => {
    expect(countSurprise(2, 3, 0.1)).toBe(0);
    expect(countSurprise(0, 3, 0.1)).toBe(0);
    const huge = countSurprise(13_479, 70, 0.3);
    expect(Number.isFinite(huge)).toBe(true);
    expect(huge).toBeGreaterThan(100);
  });

  it('0 → 2 is unremarkable, 3 → 40 is extreme', () => {
    expect(countSurprise(2, 0.1, 0.5)).toBeLessThan(2.5);
    expect(countSurprise(40, 3, 0.5)).toBeGreaterThan(6);
  });

  it('beta-binomial: 2 of 3 barely registers, 60 of 80 is a shift', () => {
    const [a, b] = [0.15 * 30, 0.85 * 30];
    expect(betaBinomialSurprise(2, 3, a, b)).toBeCloseTo(-Math.log10(betaBinTail(2, 3, a, b)), 6);
    expect(betaBinomialSurprise(60, 80, a, b)).toBeCloseTo(-Math.log10(betaBinTail(60, 80, a, b)), 4);
    expect(betaBinomialSurprise(2, 3, a, b)).toBeLessThan(1.5);
    expect(betaBinomialSurprise(60, 80, a, b)).toBeGreaterThan(8);
    expect(betaBinomialSurprise(1, 10, a, b)).toBe(0);
  });
});
