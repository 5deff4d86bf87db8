import { describe, expect, it } from 'vitest';
import { statementKinds } from '../../../src/statements/lifecycle.ts';
import { checkDocument } from '../../../src/statements/run-checker.ts';
import { fillTemplate, findTemplate, formatJstDate, statementTemplates, templateValues } from '../../../src/statements/templates.ts';

// What an author writes into the 【記入: …】 slots, in template order per kind.
const slots: Record<string, string[]> = {
  'holding-default': [
    '職員の対応に関する投稿',
    '11月24日夕方、受付で職員が大きな声で対応したとの投稿があったこと',
    '総務課（電話 0120-123-456、平日9時〜17時）',
  ],
  'apology-default': [
    '職員による不適切な投稿',
    '11月20日、当院職員が院内で撮影した写真を個人のSNSに投稿していた',
    '当院をご利用の皆さま',
    '11月20日に投稿、11月24日に当院が把握し、同日削除を指示しました。',
    'SNS利用に関する職員教育が不十分であったこと',
    '全職員を対象とした研修を12月中に実施し、院内規程を見直します。',
    '総務課（0120-123-456）',
  ],
  'review-reply-default': ['待ち時間のご案内方法の見直し', '受付（0120-123-456）'],
};

/** Title slots first, then the body's, from one list. */
function fillSlots(title: string, body: string, values: string[]): [string, string] {
  let i = 0;
  const next = () => values[i++] ?? 'x';
  return [title.replace(/【記入:[^】]*】/g, next), body.replace(/【記入:[^】]*】/g, next)];
}

describe('statement templates', () => {
  it('there is a template for every kind and findTemplate refuses a mismatch', () => {
    for (const kind of statementKinds) expect(findTemplate(kind).kind).toBe(kind);
    expect(() => findTemplate('apology', 'holding-default')).toThrow(/not apology/);
    expect(() => findTemplate('apology', 'nope')).toThrow(/no template/);
  });

  it('filled from the incident in JST, slots left for the author', () => {
    const values = templateValues('さくら内科', new Date('2026-11-24T15:30:00Z'), new Date('2026-11-25T01:00:00Z'));
    expect(values).toEqual({ orgName: 'さくら内科', detectedDate: '2026年11月25日', publishDate: '2026年11月25日' });
    const body = fillTemplate(findTemplate('holding').body, values);
    expect(body).toContain('2026年11月25日より');
    expect(body).not.toContain('{{');
    expect(body).toMatch(/【記入:/);
  });

  it('a value is never expanded twice (an org name is user input)', () => {
    expect(fillTemplate('{{orgName}} {{unknown}}', { orgName: '{{detectedDate}}', detectedDate: 'X', publishDate: 'Y' })).toBe(
      '{{detectedDate}} {{unknown}}',
    );
  });

  it('JST dates cross midnight at 15:00 UTC', () => {
    expect(formatJstDate(new Date('2026-11-24T14:59:59Z'))).toBe('2026年11月24日');
    expect(formatJstDate(new Date('2026-11-24T15:00:00Z'))).toBe('2026年11月25日');
  });

  it.each(statementTemplates.map((t) => [t.key, t] as const))(
    '%s: unfilled it blocks only on its slots; filled with facts it passes the checker',
    async (key, t) => {
      const values = templateValues('さくら内科クリニック', new Date('2026-11-24T09:00:00Z'), new Date('2026-11-25T01:00:00Z'));
      const title = fillTemplate(t.title, values);
      const body = fillTemplate(t.body, values);
      const raw = await checkDocument(title, body, t.kind);
      expect(raw.filter((f) => f.severity === 'block').every((f) => f.rule === 'unfilled_placeholder')).toBe(true);
      expect(raw.some((f) => f.rule === 'unfilled_placeholder')).toBe(true);

      const [filledTitle, filledBody] = fillSlots(title, body, slots[key]!);
      const filled = await checkDocument(filledTitle, filledBody, t.kind);
      expect(filled.filter((f) => f.severity === 'block')).toEqual([]);
    },
    30_000,
  );
});
