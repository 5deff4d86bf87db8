import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.ts';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';
import { compileRiskRules, detectRisks, type RiskCategoryData } from '../../../src/analysis/risk.ts';

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

function categories(text: string): string[] {
  return analyzer.analyze(text).risks.map((r) => r.category);
}

describe('risk categories (data/risk-categories.json)', () => {
  it('defines exactly the ten categories of the issue', () => {
    const data = JSON.parse(
      readFileSync(new URL('../../../src/analysis/data/risk-categories.json', import.meta.url), 'utf8'),
    ) as RiskCategoryData;
    expect(data.categories.map((c) => c.category)).toEqual([
      '医療過誤・誤診',
      '接遇・態度',
      '待ち時間・予約',
      '費用・請求',
      '衛生・感染',
      '個人情報・プライバシー',
      '職員の不適切投稿',
      '差別・ハラスメント',
      '誹謗中傷・脅迫',
      '炎上シグナル',
    ]);
  });

  it.each([
    ['誤診されて別の病院で骨折が見つかった', '医療過誤・誤診'],
    ['看護師が高圧的で怒鳴られた', '接遇・態度'],
    ['予約したのに2時間待たされた', '待ち時間・予約'],
    ['説明もなく自由診療で高額請求された', '費用・請求'],
    ['器具を使い回していて不衛生', '衛生・感染'],
    ['待合室で病名を大声で言われて個人情報が筒抜け', '個人情報・プライバシー'],
    ['看護師がインスタに患者の写真を載せている', '職員の不適切投稿'],
    ['外国人だからと断られた、差別だ', '差別・ハラスメント'],
    ['院長死ね、潰してやる', '誹謗中傷・脅迫'],
    ['#拡散希望 保健所に通報した、謝罪しろ', '炎上シグナル'],
  ])('%s → %s', (text, category) => {
    const risks = analyzer.analyze(text).risks;
    const match = risks.find((r) => r.category === category);
    expect(match).toBeDefined();
    expect(match!.score).toBeGreaterThan(0.4);
    expect(match!.score).toBeLessThanOrEqual(1);
    expect(match!.terms.length).toBeGreaterThan(0);
  });

  it('returns nothing for ordinary posts', () => {
    expect(categories('先生がとても丁寧でした')).toEqual([]);
    expect(categories('明日は健康診断です')).toEqual([]);
  });

  it('needs more than one weak topic word (料金, 予約) to report a category', () => {
    expect(categories('料金はいくらですか')).toEqual([]);
    expect(categories('料金の明細も説明もなく請求された')).toContain('費用・請求');
  });

  it('does not mistake clinical wording for a threat to sue', () => {
    expect(categories('腹痛を訴えて受診した')).not.toContain('炎上シグナル');
    expect(categories('このクリニックを訴えてやる')).toContain('炎上シグナル');
  });

  it('matches English terms only at a word start', () => {
    expect(categories('I am on a diet and skill training')).toEqual([]);
    expect(categories('The receptionist was rude and arrogant')).toContain('接遇・態度');
  });

  it('reports matched terms once and sorts by score', () => {
    const risks = analyzer.analyze('待たされた、待たされた、3時間も待たされた。態度も悪い').risks;
    const waiting = risks.find((r) => r.category === '待ち時間・予約')!;
    expect(new Set(waiting.terms).size).toBe(waiting.terms.length);
    expect(risks.map((r) => r.score)).toEqual([...risks.map((r) => r.score)].sort((a, b) => b - a));
  });
});

describe('compileRiskRules', () => {
  it('rejects malformed data with a ValidationError', () => {
    expect(() => compileRiskRules({ minimumWeight: 0.5, categories: [{ category: 'x', terms: { a: -1 } }] })).toThrow(ValidationError);
    expect(() =>
      compileRiskRules({ minimumWeight: 0.5, categories: [{ category: 'x', terms: {}, patterns: [{ pattern: '(', weight: 1 }] }] }),
    ).toThrow(ValidationError);
    expect(() => compileRiskRules({ categories: [] } as unknown as RiskCategoryData)).toThrow(ValidationError);
  });

  it('lets one term count for several categories', () => {
    const rules = compileRiskRules({
      minimumWeight: 0.5,
      categories: [
        { category: 'a', terms: { 晒す: 1 } },
        { category: 'b', terms: { 晒す: 0.5 } },
      ],
    });
    expect(detectRisks('晒す', rules).map((r) => [r.category, r.score])).toEqual([
      ['a', 0.632],
      ['b', 0.393],
    ]);
  });
});
