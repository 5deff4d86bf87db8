import { describe, expect, it } from 'vitest';
import {
  defaultDetectorSettings,
  describeAlert,
  initialDetectorState,
  stepDetector,
  type BucketSignal,
  type DetectorState,
} from '../../../src/detection/index.ts';
import { clinicRate, hourlyStream, poisson } from './synthetic.ts';

const settings = defaultDetectorSettings(3_600_000);
const from = Date.UTC(2026, 8, 1, 15);
const onset = 20 * 24 + 10;
const stream = hourlyStream(7, from, 30, (ms, i, r) => {
  const k = i - onset;
  if (k >= 0 && k < 12)
    return {
      count: poisson(r, [5, 20, 60][Math.min(k, 2)]!),
      negativeShare: 0.7,
      reachPerNegative: 4,
      criticalTerms: k === 1 ? ['医療ミス'] : [],
    };
  return { count: poisson(r, clinicRate(ms, 4)), negativeShare: 0.15 };
});

describe('stepDetector', () => {
  it('state survives a JSON round trip at every bucket: a restart loses nothing', () => {
    let live = initialDetectorState(settings);
    let restored = JSON.parse(JSON.stringify(live)) as DetectorState;
    for (const signal of stream) {
      const a = stepDetector(live, signal, settings);
      const b = stepDetector(restored, signal, settings);
      expect(b.result).toEqual(a.result);
      live = a.state;
      restored = JSON.parse(JSON.stringify(b.state)) as DetectorState;
    }
    expect(JSON.stringify(restored)).toBe(JSON.stringify(live));
  });

  it('is pure and keeps a bounded state: same shape at every bucket, bounded term memory', () => {
    let state = initialDetectorState(settings);
    const shapes = new Set<string>();
    for (const signal of stream) {
      const before = JSON.stringify(state);
      const next = stepDetector(state, signal, settings).state;
      expect(JSON.stringify(state)).toBe(before);
      state = next;
      // Numbers blanked out: what is left is the structure, which must never grow.
      const { criticalTerms, ...fixed } = state.detectors;
      shapes.add(JSON.stringify(fixed, (_k, v: unknown) => (typeof v === 'number' ? 0 : v)));
      expect(criticalTerms.seen.length).toBeLessThanOrEqual(settings.criticalTerms.memory);
    }
    expect(shapes.size).toBe(1);
    expect(JSON.stringify(state).length).toBeLessThan(4000);
  });

  it('detects the flare-up within two buckets with one opening notification and explains it', () => {
    let state = initialDetectorState(settings);
    const results = stream.map((s) => {
      const r = stepDetector(state, s, settings);
      state = r.state;
      return r.result;
    });
    const opened = results.flatMap((r, i) => (r.alert?.action === 'open' ? [i] : []));
    expect(opened).toHaveLength(1);
    expect(opened[0]! - onset).toBeLessThanOrEqual(2);
    const first = results[opened[0]!]!;
    expect(first.kind).toBe('crisis');
    expect(first.score).toBeGreaterThanOrEqual(0);
    expect(first.score).toBeLessThanOrEqual(1);
    const text = describeAlert(results.find((r) => r.explanation.criticalTerms.new.length > 0)!);
    expect(text).toContain('重大ワードの初出: 医療ミス');
    expect(text).toMatch(/通常 1時間あたり/);
  });

  it('ignores buckets that are older than or equal to the last one', () => {
    let state = initialDetectorState(settings);
    for (const s of stream.slice(0, 100)) state = stepDetector(state, s, settings).state;
    const replayed = stepDetector(state, { ...stream[50]!, count: 500, negative: 400 }, settings);
    expect(replayed.state).toBe(state);
    expect(replayed.result.alert).toBeNull();
  });

  it('survives hostile signals without throwing or poisoning the state', () => {
    let state = initialDetectorState(settings);
    for (const s of stream.slice(0, 48)) state = stepDetector(state, s, settings).state;
    const hostile = {
      start: new Date(stream[48]!.start),
      count: Number.NaN,
      negative: -5,
      positive: Infinity,
      riskHits: { __proto__: 3, x: -1 },
      reach: { reposts: -1, quotes: 1e300, replies: Number.NaN },
      criticalTerms: ['a'.repeat(10_000), 42 as unknown as string],
      samples: [{ id: 'x', text: 'y'.repeat(100_000), engagement: 5 }],
    } as BucketSignal;
    const r = stepDetector(state, hostile, settings);
    expect(Number.isFinite(r.result.score)).toBe(true);
    const numbers: number[] = [];
    JSON.stringify(r.state, (_k, v: unknown) => {
      if (typeof v === 'number') numbers.push(v);
      return v;
    });
    expect(numbers.every(Number.isFinite)).toBe(true);
    // JSON turns NaN into null: no detector field may have become null.
    expect(JSON.stringify(r.state.detectors)).not.toContain('null');
    expect(r.result.explanation.samples[0]!.text.length).toBeLessThanOrEqual(280);
  });
});
