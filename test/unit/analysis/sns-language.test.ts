import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';

// SNS language (issue 16 item 5): everyday feelings in net slang, and kaomoji the lexicon does not
// list, read by their eyes and mouths. Made-up posts; the corpus this is measured on is not ours.

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

const label = (text: string) => analyzer.analyze(text).sentiment.label;

describe('SNS language', () => {
  it.each([
    ['月曜から憂鬱', 'negative'],
    ['メンタルやられた', 'negative'],
    ['テンション下がる', 'negative'],
    ['ふざけんな', 'negative'],
    ['もう心折れそう', 'negative'],
    ['来週の旅行ワクワクする', 'positive'],
    ['合格おめでとう！', 'positive'],
    ['テンション上がる', 'positive'],
  ])('%s → %s', (text, expected) => {
    expect(label(text)).toBe(expected);
  });

  it.each([
    ['今日も残業(#ﾟДﾟ)', 'negative'],
    ['もう帰りたい(;_;)', 'negative'],
    ['やっと週末(≧∇≦)', 'positive'],
    ['疲れた(ﾟ´Д｀ﾟ)ﾟ｡', 'negative'],
  ])('kaomoji the lexicon does not list: %s → %s', (text, expected) => {
    expect(label(text)).toBe(expected);
  });

  it('brackets that are not faces carry no feeling', () => {
    expect(label('会議は10時(本社)')).toBe('neutral');
    expect(label('さくら皮膚科（渋谷）に予約')).toBe('neutral');
  });

  it('symptoms are not complaints: why someone came to a clinic is not how they judge it', () => {
    expect(label('頭痛で受診しました')).toBe('neutral');
  });
});
