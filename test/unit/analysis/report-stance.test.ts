import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';

// Posts that pass on a report of trouble about the clinic (issue 16): made-up posts of the kinds
// seen in news-sharing 炎上, and the good-news posts shared the same way that must not count.

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

const shares = (text: string) => analyzer.analyze(text).sharesReport;

describe('sharesReport: passing on a report of trouble', () => {
  it.each([
    '〇〇クリニックの件、ニュースになってる',
    '〇〇クリニック炎上してるじゃん',
    'さくら皮膚科、大炎上中らしい',
    '例の医院の問題、まとめられてた',
    'https://news.yahoo.co.jp/articles/abc123 〇〇病院で医療事故',
    '〇〇病院の不祥事 https://www.asahi.com/articles/XYZ.html',
    'これ拡散してください 〇〇クリニックの対応',
    '〇〇クリニック叩かれてるね',
    'togetterにまとめられてる騒動 https://togetter.com/li/123',
  ])('%s', (text) => {
    expect(shares(text)).toBe(true);
  });

  it.each([
    '〇〇クリニックがテレビで紹介されてた！',
    'https://news.yahoo.co.jp/articles/abc123 〇〇クリニックの新しい院長インタビュー',
    '先生が新聞の取材を受けてた、すごい',
    '問題なく終わりました、ありがとうございます',
    '今日は〇〇クリニックで予防接種',
    'ニュースで見た新しい治療、気になる',
  ])('%s — not a report of trouble', (text) => {
    expect(shares(text)).toBe(false);
  });

  it('is independent of the sentiment label: a neutral news share stays neutral in wording', () => {
    const a = analyzer.analyze('〇〇クリニックの件ニュースになってる https://www3.nhk.or.jp/news/html/x.html');
    expect(a.sharesReport).toBe(true);
    expect(a.sentiment.label).not.toBe('positive');
  });
});
