import { describe, expect, it } from 'vitest';
import { activity, demoSource, flareIntensity, generateSlot, SLOT_MS, type DemoConfig } from '../../../src/sources/demo/index.ts';
import { inMemoryRuntime } from '../../support/runtime.ts';

const cfg: DemoConfig = { seed: 42, postsPerHour: 30, flareAt: null, scenario: 'staff-post', backfillHours: 24, watchTargetId: '7' };

describe('demo stream', () => {
  it('is deterministic per slot, so re-collecting a slot reproduces the same posts', () => {
    const slot = Math.floor(Date.parse('2026-11-20T03:00:00Z') / SLOT_MS);
    const a = Array.from({ length: 50 }, (_, i) => generateSlot(cfg, slot + i)).flat();
    const b = Array.from({ length: 50 }, (_, i) => generateSlot(cfg, slot + i)).flat();
    expect(a).toEqual(b);
    expect(new Set(a.map((m) => m.externalId)).size).toBe(a.length);
    expect(a.every((m) => m.isDemo && m.watchTargetId === '7' && m.url?.includes('.invalid/'))).toBe(true);
  });

  it('follows the JST day: busier at 10:00 than at 03:00', () => {
    expect(activity(new Date('2026-11-20T01:00:00Z'))).toBeGreaterThan(activity(new Date('2026-11-19T18:00:00Z')) * 5);
    const count = (isoHour: string) => {
      const base = Math.floor(Date.parse(isoHour) / SLOT_MS);
      let n = 0;
      for (let d = 0; d < 14; d++) for (let i = 0; i < 360; i++) n += generateSlot(cfg, base + d * 8640 + i).length;
      return n / 14;
    };
    expect(count('2026-11-02T01:00:00Z')).toBeGreaterThan(count('2026-11-01T18:00:00Z') * 3);
  });

  it('brings a flare-up at the configured time: a burst of angry, reposted complaints around one origin post', () => {
    const flareAt = '2026-11-20T01:03:00Z';
    const flare = { ...cfg, flareAt };
    const t = Date.parse(flareAt);
    expect(flareIntensity(t - 1, t)).toBe(0);
    expect(flareIntensity(t + 8 * 60_000, t)).toBe(1);
    const slots = Array.from({ length: 240 }, (_, i) => Math.floor(t / SLOT_MS) - 10 + i);
    const posts = slots.flatMap((s) => generateSlot(flare, s));
    const origin = posts.find((m) => m.externalId.endsWith('-origin'));
    expect(origin?.text).toContain('#拡散希望');
    expect(origin?.postedAt.toISOString()).toBe(new Date(t).toISOString());
    const reposts = posts.filter((m) => m.repostOfExternalId === origin!.externalId);
    expect(reposts.length).toBeGreaterThan(100);
    expect(posts.filter((m) => m.postedAt.getTime() < t && m.externalId.includes('flare'))).toEqual([]);
  });

  it('collects whole slots and resumes from its cursor without gaps or repeats', async () => {
    const now = new Date('2026-11-20T01:00:05Z');
    const runtime = inMemoryRuntime(() => now);
    const pages = [];
    for await (const p of demoSource.collect!({ config: { ...cfg, backfillHours: 1 }, cursor: null, targets: [], runtime })) pages.push(p);
    const first = pages.flatMap((p) => p.mentions);
    const cursor = pages[pages.length - 1]!.cursor as { until: string };
    expect(cursor.until).toBe('2026-11-20T01:00:00.000Z');
    const later = new Date('2026-11-20T01:10:00Z');
    const runtime2 = inMemoryRuntime(() => later);
    const next = [];
    for await (const p of demoSource.collect!({ config: { ...cfg, backfillHours: 1 }, cursor, targets: [], runtime: runtime2 }))
      next.push(...p.mentions);
    const all = [...first, ...next];
    expect(new Set(all.map((m) => m.externalId)).size).toBe(all.length);
    expect(next.every((m) => m.postedAt >= new Date(cursor.until) && m.postedAt < later)).toBe(true);
  });

  it('validates its config with messages naming the field', () => {
    expect(() => demoSource.parseConfig({ postsPerHour: -1 })).toThrow(/postsPerHour/);
    expect(() => demoSource.parseConfig({ flareAt: 'soon' })).toThrow(/flareAt/);
    expect(() => demoSource.parseConfig({ scenario: 'fire' })).toThrow(/scenario/);
  });
});
