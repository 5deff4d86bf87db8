import { describe, expect, it } from 'vitest';
import riskData from '../../../src/analysis/data/risk-categories.json' with { type: 'json' };
import { alertTopic, shortTitle } from '../../../src/detection/short-title.ts';

describe('short titles', () => {
  it('name the leading risk category in words a person says, with the severity', () => {
    const explanation = {
      riskCategories: [
        { category: '接遇・態度', count: 3 },
        { category: '職員の不適切投稿', count: 9 },
      ],
      fired: ['volume'],
    };
    expect(shortTitle('crisis', 5, explanation)).toBe('職員の不適切投稿の疑い・深刻度5');
    expect(shortTitle('crisis', 3, { riskCategories: [{ category: '待ち時間・予約', count: 4 }] })).toBe('待ち時間・予約への不満・深刻度3');
  });

  it('have a phrase for every risk category we ship, short enough for a phone’s subject line', () => {
    for (const { category } of riskData.categories) {
      const title = shortTitle('crisis', 4, { riskCategories: [{ category, count: 1 }] });
      expect(title, category).not.toContain('に関する投稿の急増');
      expect(title.length, title).toBeLessThanOrEqual(30);
    }
  });

  it('fall back to what the detectors saw, and to 炎上の疑い', () => {
    expect(shortTitle('crisis', 4, { fired: ['volume', 'sentiment'] })).toBe('否定的な投稿の急増・深刻度4');
    expect(shortTitle('crisis', 5, { fired: ['criticalTerms', 'volume'] })).toBe('重大ワードの出現・深刻度5');
    expect(shortTitle('crisis', 2, { fired: ['volume'] })).toBe('投稿の急増・深刻度2');
    expect(shortTitle('crisis', 3, {})).toBe('炎上の疑い・深刻度3');
  });

  it('say good news is good news', () => {
    expect(shortTitle('notice', 2, { riskCategories: [{ category: '接遇・態度', count: 5 }] })).toBe(
      '炎上の兆候のない話題の急増（お知らせ）',
    );
  });

  it('survive a hostile or broken explanation', () => {
    for (const e of [null, 'x', 42, [], { riskCategories: 'no', fired: [null, 1] }, { riskCategories: [null, { category: 7 }] }]) {
      expect(shortTitle('crisis', 9, e)).toBe('炎上の疑い・深刻度5');
    }
    expect(alertTopic('crisis', { riskCategories: [{ category: '未知の分類'.repeat(10), count: 1 }] }).length).toBeLessThanOrEqual(24);
  });
});

describe('a title that carries the severity', () => {
  it('follows the incident’s severity; a title a person wrote stays as written', async () => {
    const { withSeverity } = await import('../../../src/detection/short-title.ts');
    expect(withSeverity('職員の不適切投稿の疑い・深刻度4', 5)).toBe('職員の不適切投稿の疑い・深刻度5');
    expect(withSeverity('院長の会見について', 5)).toBe('院長の会見について');
    expect(withSeverity('深刻度4の件・続報', 2)).toBe('深刻度4の件・続報');
  });
});
