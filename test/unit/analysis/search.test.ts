import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

/** Whether a query finds a post: every word of the query is among the post's lexemes (what tsquery AND asks). */
function finds(query: string, post: string): boolean {
  const lexemes = new Set(analyzer.analyze(post).lexemes);
  const words = analyzer.queryLexemes(query);
  return words.length > 0 && words.every((w) => lexemes.has(w));
}

describe('search lexemes', () => {
  it('finds a post by a word or a compound inside it, in any width or case', () => {
    const post = '受付の説明不足で待ち時間が2時間。ＡＢＣ検査も最悪でした';
    expect(finds('説明不足', post)).toBe(true);
    expect(finds('待ち時間', post)).toBe(true);
    expect(finds('abc検査', post)).toBe(true);
    expect(finds('最悪', post)).toBe(true);
    expect(finds('丁寧', post)).toBe(false);
    // All words must be there, not any.
    expect(finds('説明不足 丁寧', post)).toBe(false);
  });

  it('matches inflected forms through the dictionary form', () => {
    expect(finds('怒る', '看護師さんに怒られました')).toBe(true);
    expect(finds('長い', '待ち時間が長かった')).toBe(true);
  });

  it('leaves out punctuation, symbols and blanks, and the words inside personal data', () => {
    const { lexemes, pii } = analyzer.analyze('山田花子さんの電話は090-1234-5678です！！ 予約の件');
    expect(pii.length).toBeGreaterThan(0);
    expect(lexemes).toContain('予約');
    expect(lexemes.some((l) => l.includes('山田') || l.includes('花子'))).toBe(false);
    expect(lexemes.some((l) => l.includes('090') || l.includes('5678'))).toBe(false);
    expect(lexemes.some((l) => /^[\s!！-]+$/u.test(l))).toBe(false);
  });

  it('stays bounded on hostile input: no empty, huge or unbounded lists', () => {
    const { lexemes } = analyzer.analyze(`${'あいうえおかきくけこ'.repeat(400)} ${'x'.repeat(300)}`);
    expect(lexemes.length).toBeLessThanOrEqual(1000);
    expect(lexemes.every((l) => l.length > 0 && l.length <= 64)).toBe(true);
    expect(analyzer.queryLexemes('　、。！')).toEqual([]);
    expect(analyzer.queryLexemes('a b c d e f g h i j k l m n o p q r s t u v').length).toBe(16);
  });
});
