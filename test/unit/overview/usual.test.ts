import { describe, expect, it } from 'vitest';
import { compareWithUsual } from '../../../src/overview/usual.ts';

describe('today against the usual', () => {
  it('says so when there is no history rather than calling a first day busy', () => {
    expect(compareWithUsual(40, [])).toMatchObject({ verdict: 'no_history', usual: null, ratio: null, days: 0 });
  });

  it('reads the middle half of the previous days as usual', () => {
    const days = [8, 10, 10, 12, 9, 11, 10];
    expect(compareWithUsual(10, days)).toMatchObject({ verdict: 'usual', usual: 10, days: 7 });
    expect(compareWithUsual(11, days).verdict).toBe('usual');
    expect(compareWithUsual(13, days).verdict).toBe('usual');
    expect(compareWithUsual(14, days).verdict).toBe('busier');
    expect(compareWithUsual(30, days)).toMatchObject({ verdict: 'much_busier', ratio: 3 });
    expect(compareWithUsual(7, days).verdict).toBe('usual');
    expect(compareWithUsual(5, days).verdict).toBe('quieter');
  });

  it('does not make news of small counts: 1 → 3 is usual, 1 → 4 busier, 1 → 6 much busier', () => {
    expect(compareWithUsual(3, [1, 1, 1, 1]).verdict).toBe('usual');
    expect(compareWithUsual(4, [1, 1, 1, 1]).verdict).toBe('busier');
    expect(compareWithUsual(6, [1, 1, 1, 1]).verdict).toBe('much_busier');
  });

  it('has no ratio against a usual of zero', () => {
    expect(compareWithUsual(4, [0, 0, 0])).toMatchObject({ ratio: null, usual: 0, verdict: 'busier' });
  });
});
