import { describe, expect, it } from 'vitest';
import { foldWidth, normalizeText } from '../../../src/analysis/normalize.ts';

function originalOf(original: string, n: ReturnType<typeof normalizeText>, start: number, end: number): string {
  return original.slice(n.origin[start], n.origin[end - 1]! + 1);
}

describe('normalizeText', () => {
  it('folds full-width letters and digits (NFKC) and keeps a map to the original', () => {
    const original = 'ＡＢＣ１２３です';
    const n = normalizeText(original);
    expect(n.text).toBe('ABC123です');
    expect(originalOf(original, n, 3, 6)).toBe('１２３');
  });

  it('composes half-width katakana with its voicing mark into one character', () => {
    const n = normalizeText('ｶﾞｯｶﾘ');
    expect(n.text).toBe('ガッカリ');
    expect([...n.origin]).toEqual([0, 2, 3, 4, 5]);
  });

  it('shortens runs of three or more identical characters but never digits', () => {
    expect(normalizeText('草ｗｗｗｗ').text).toBe('草w');
    expect(normalizeText('すごーーーい！！！').text).toBe('すごーい!');
    expect(normalizeText('10000円').text).toBe('10000円');
    expect(normalizeText('よかった').text).toBe('よかった');
  });

  it('replaces URLs and @handles with a space but leaves e-mail addresses alone', () => {
    const original = '見て https://example.com/a?b=1 @hinoko_bot へ、連絡は a.b@example.jp';
    const n = normalizeText(original);
    expect(n.text).not.toContain('example.com');
    expect(n.text).not.toContain('hinoko_bot');
    expect(n.text).toContain('a.b@example.jp');
    const at = n.text.indexOf('a.b@');
    expect(original.slice(n.origin[at], n.origin[at]! + 4)).toBe('a.b@');
  });

  it('ends a URL at Japanese text glued to it', () => {
    expect(normalizeText('https://x.jp/p最悪でした').text).toBe(' 最悪でした');
  });

  it('keeps hashtags in the text and lists them', () => {
    const n = normalizeText('#拡散希望 ひどい #拡散希望 #ＡＢＣクリニック');
    expect(n.text).toContain('#拡散希望');
    expect(n.hashtags).toEqual(['拡散希望', 'ABCクリニック']);
  });

  it('handles empty text and lone surrogates without throwing', () => {
    expect(normalizeText('').text).toBe('');
    expect(() => normalizeText('\ud800abc\udfff')).not.toThrow();
  });
});

describe('foldWidth', () => {
  it('is the identity (and cheap) when the text is already normal', () => {
    const f = foldWidth('090-1234-5678');
    expect(f.text).toBe('090-1234-5678');
    expect(f.origin[5]).toBe(5);
  });

  it('maps expanded characters back to their source character', () => {
    const original = '㈱ＡＢ';
    const f = foldWidth(original);
    expect(f.text).toBe('(株)AB');
    expect([...f.origin]).toEqual([0, 0, 0, 1, 2, 3]);
  });
});
