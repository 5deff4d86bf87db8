import { describe, expect, it } from 'vitest';
import { collectionGate, scheduleIntervalMs } from '../../../src/detection-pass/watermark.ts';

const min = 60_000;

describe('collectionGate', () => {
  const sources = [
    { name: 'X', coveredUntil: 100 * min },
    { name: 'RSS', coveredUntil: 90 * min },
  ];

  it('judges what every waited-for source has covered', () => {
    const gate = collectionGate(sources, { nowMs: 92 * min, waitFromMs: 0, waitMs: 5 * min });
    expect(gate.completeUntil).toBe(90 * min);
    expect(gate.judgeUntil).toBe(90 * min);
    expect(gate.lagging(95 * min)).toEqual(['RSS']);
    expect(gate.lagging(90 * min)).toEqual([]);
  });

  it('stops waiting once the wait has passed since the bucket ended', () => {
    const gate = collectionGate(sources, { nowMs: 120 * min, waitFromMs: 0, waitMs: 5 * min });
    expect(gate.judgeUntil).toBe(115 * min);
  });

  it('after a restart, collectors get the whole wait from the start to catch up, however old the gap', () => {
    const restarted = collectionGate(sources, { nowMs: 120 * min, waitFromMs: 118 * min, waitMs: 5 * min });
    expect(restarted.judgeUntil).toBe(90 * min);
    const later = collectionGate(sources, { nowMs: 123 * min, waitFromMs: 118 * min, waitMs: 5 * min });
    expect(later.judgeUntil).toBe(118 * min);
  });

  it('a source that never succeeded holds buckets back only for the wait; nothing to wait for judges at once', () => {
    const gate = collectionGate([{ name: 'new', coveredUntil: null }], { nowMs: 60 * min, waitFromMs: 0, waitMs: 5 * min });
    expect(gate.judgeUntil).toBe(55 * min);
    expect(gate.lagging(50 * min)).toEqual(['new']);
    expect(collectionGate([], { nowMs: 60 * min, waitFromMs: 59 * min, waitMs: 5 * min }).judgeUntil).toBe(Infinity);
  });
});

describe('scheduleIntervalMs', () => {
  it('reads cron intervals, seconds field included', () => {
    expect(scheduleIntervalMs('*/10 * * * * *')).toBe(10_000);
    expect(scheduleIntervalMs('*/5 * * * *')).toBe(5 * min);
    expect(scheduleIntervalMs('0 * * * *')).toBe(60 * min);
    expect(scheduleIntervalMs('not cron')).toBe(Infinity);
  });
});
