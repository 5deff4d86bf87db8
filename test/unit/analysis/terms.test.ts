import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

function terms(text: string): string[] {
  return analyzer.analyze(text).terms;
}

describe('TextAnalysis.terms', () => {
  it('joins adjacent nouns into compounds', () => {
    expect(terms('説明不足で待ち時間も長い皮膚科')).toEqual(['説明不足', '待ち時間', '皮膚科']);
  });

  it('drops stop words, numbers, single kana and function nouns', () => {
    const t = terms('今日は3回目のこと。あの人の感じがいい。ね');
    expect(t).not.toContain('今日');
    expect(t).not.toContain('こと');
    expect(t).not.toContain('3');
    expect(t).not.toContain('人');
    expect(t.every((x) => x.length > 1)).toBe(true);
  });

  it('deduplicates and adds hashtags', () => {
    expect(terms('誤診 誤診 誤診 #拡散希望')).toEqual(['誤診', '拡散希望']);
  });

  it('never lists personal names (they are PII)', () => {
    expect(terms('鈴木先生に誤診された')).toEqual(['先生', '誤診']);
  });

  it('does not list laughter or kaomoji fragments', () => {
    expect(terms('待合室ｗｗｗ (T_T)')).toEqual(['待合室']);
  });
});
