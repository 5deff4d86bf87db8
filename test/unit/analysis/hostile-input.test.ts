import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, maxAnalyzedChars, type Analyzer } from '../../../src/analysis/index.ts';

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

describe('analyze() on hostile input', () => {
  it.each([
    ['empty', ''],
    ['whitespace', ' \n\t\u3000'],
    ['control characters', '\u0000\u0001\u001b[31m良い\u007f'],
    ['lone surrogates', '\ud800最悪\udc00'],
    ['repeated NUL and surrogates', '\u0000\u0000\u0000\ud800\ud800\ud800\ud800'],
    ['only emoji', '😡😡😡😡🤮'],
    ['regex bait', '('.repeat(500) + '*'.repeat(500) + '\\'.repeat(500)],
    ['digits', '0'.repeat(3000)],
    ['many @ signs', '@'.repeat(2000) + 'a@b'.repeat(500)],
    ['RTL and combining marks', '\u202e良い\u0301\u0301\u0301'],
  ])('%s: returns a valid result without throwing', (_name, text) => {
    const a = analyzer.analyze(text);
    expect(['positive', 'neutral', 'negative']).toContain(a.sentiment.label);
    expect(Math.abs(a.sentiment.score)).toBeLessThanOrEqual(1);
    for (const p of a.pii) {
      expect(p.start).toBeGreaterThanOrEqual(0);
      expect(p.end).toBeLessThanOrEqual(text.length);
      expect(p.start).toBeLessThan(p.end);
    }
  });

  // What keeps a huge post fast is that only its first part is analysed (speed itself is
  // measured by `npm run bench:analyze`, not by a timed test).
  it('analyses only the first part of a huge post', () => {
    const text = '待ち時間が長すぎる。'.repeat(100_000) + '連絡先 090-1234-5678';
    const a = analyzer.analyze(text);
    expect(a.pii.every((p) => p.end <= maxAnalyzedChars)).toBe(true);
    expect(analyzer.analyze('連絡先 090-1234-5678').pii.length).toBeGreaterThan(0);
    expect(a.sentiment.label).toBe('negative');
    expect(a.terms.length).toBeLessThanOrEqual(30);
    expect(maxAnalyzedChars).toBeLessThan(text.length);
  });

  it('tolerates a non-string from untyped callers', () => {
    expect(analyzer.analyze(undefined as unknown as string).sentiment.label).toBe('neutral');
    expect(analyzer.detectPii(42 as unknown as string)).toEqual([]);
  });
});
