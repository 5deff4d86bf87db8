import { describe, expect, it } from 'vitest';
import { rankEmergingTerms } from '../../../src/analysis/index.ts';

const quietWeek = Array.from({ length: 7 }, (_, d) => ({ 待ち時間: 3 + (d % 2), 駐車場: 1, 受付: d === 3 ? 2 : 1 }));

describe('rankEmergingTerms', () => {
  it('does not call a term seen twice after never being seen rising', () => {
    expect(rankEmergingTerms({ current: { 誤診: 2 }, baseline: quietWeek })).toEqual([]);
  });

  it('calls fifteen against about one rising, with its numbers', () => {
    const [top, ...rest] = rankEmergingTerms({ current: { 受付: 15, 待ち時間: 4 }, baseline: quietWeek });
    expect(rest).toEqual([]);
    expect(top).toMatchObject({ term: '受付', count: 15, baselineMean: 1.143 });
    expect(top!.score).toBeGreaterThan(3);
    expect(top!.ratio).toBeGreaterThan(5);
  });

  it('does not flag a term at its usual level', () => {
    expect(rankEmergingTerms({ current: { 待ち時間: 5 }, baseline: quietWeek })).toEqual([]);
  });

  it('needs more for terms whose history is volatile', () => {
    const steady = Array.from({ length: 6 }, () => ({ a: 5 }));
    const bursty = [{ a: 0 }, { a: 15 }, { a: 0 }, { a: 15 }, { a: 0 }, { a: 0 }];
    const now = { a: 14 };
    expect(rankEmergingTerms({ current: now, baseline: steady })).toHaveLength(1);
    expect(rankEmergingTerms({ current: now, baseline: bursty })).toEqual([]);
  });

  it('sorts by score, respects limit and accepts Maps', () => {
    const result = rankEmergingTerms({
      current: new Map([
        ['x', 10],
        ['y', 30],
        ['z', 20],
      ]),
      baseline: [new Map(), new Map([['y', 1]])],
      limit: 2,
    });
    expect(result.map((r) => r.term)).toEqual(['y', 'z']);
  });

  it('works with no history and ignores junk counts', () => {
    const result = rankEmergingTerms({
      current: { ok: 9, nan: Number.NaN, neg: -5, inf: Number.POSITIVE_INFINITY },
      baseline: [{ ok: Number.NaN }],
    });
    expect(result.map((r) => r.term)).toEqual(['ok']);
    expect(rankEmergingTerms({ current: { ok: 9 }, baseline: [] })[0]).toMatchObject({ baselineMean: 0 });
  });

  it('honours minCount and minScore', () => {
    expect(rankEmergingTerms({ current: { a: 6 }, baseline: [], minCount: 7 })).toEqual([]);
    expect(rankEmergingTerms({ current: { a: 6 }, baseline: [], minScore: 10 })).toEqual([]);
  });
});
