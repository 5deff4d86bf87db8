import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, maskPii, type Analyzer } from '../../../src/analysis/index.ts';
import { isValidMyNumber } from '../../../src/analysis/pii.ts';

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

function found(text: string): [string, string][] {
  return analyzer.detectPii(text).map((p) => [p.type, text.slice(p.start, p.end)]);
}

describe('PII detection', () => {
  it('finds phone numbers: mobile, landline, international, full width', () => {
    expect(found('携帯は090-1234-5678です')).toEqual([['phone', '090-1234-5678']]);
    expect(found('電話 03-1234-5678 まで')).toEqual([['phone', '03-1234-5678']]);
    expect(found('代表 0312345678')).toEqual([['phone', '0312345678']]);
    expect(found('+81-90-1234-5678')).toEqual([['phone', '+81-90-1234-5678']]);
    expect(found('携帯：０８０－９８７６－５４３２')).toEqual([['phone', '０８０－９８７６－５４３２']]);
  });

  it('skips toll-free business numbers and wrong digit counts', () => {
    expect(found('0120-123-456 にお電話ください')).toEqual([]);
    expect(found('03-1234-567')).toEqual([]);
  });

  it('finds e-mail addresses, postal codes with 〒 or 住所, street addresses', () => {
    expect(found('連絡先 taro.y@example.co.jp')).toEqual([['email', 'taro.y@example.co.jp']]);
    expect(found('〒160-0023 に引っ越し')).toEqual([['postal_code', '〒160-0023']]);
    expect(found('住所は 160-0023 です')).toEqual([['postal_code', '160-0023']]);
    expect(found('番号 160-0023 です')).toEqual([]);
    expect(found('東京都新宿区西新宿2-8-1に住む')).toEqual([['address', '東京都新宿区西新宿2-8-1']]);
    expect(found('大阪市北区梅田3丁目1-1です')).toEqual([['address', '大阪市北区梅田3丁目1-1']]);
    expect(found('住所は新宿区西新宿二丁目です')).toEqual([['address', '新宿区西新宿二丁目']]);
    expect(found('横浜市中区山下町3番5号')).toEqual([['address', '横浜市中区山下町3番5号']]);
    expect(found('新宿区に住んでます')).toEqual([]);
  });

  it('does not call a prefecture or a match score an address', () => {
    expect(found('東京都の病院')).toEqual([]);
    expect(found('地区大会で3-2で勝った')).toEqual([]);
  });

  it('needs the keyword for マイナンバー, and a valid check digit unless the number follows the word', () => {
    expect(isValidMyNumber('123456789018')).toBe(true);
    expect(isValidMyNumber('123456789012')).toBe(false);
    expect(found('マイナンバーは1234-5678-9018です')).toEqual([['my_number', '1234-5678-9018']]);
    // Labelled as one by its writer: masked even with a wrong check digit (a typo is still theirs).
    expect(found('マイナンバーは123456789012です')).toEqual([['my_number', '123456789012']]);
    expect(found('マイナンバーカードを作りました。注文番号は 123456789012 です')).toEqual([]);
    expect(found('注文番号 123456789018')).toEqual([]);
  });

  it('finds insurance numbers, patient IDs and birth dates only with their keywords', () => {
    expect(found('保険者番号 06139012 です')).toEqual([['insurance_number', '06139012']]);
    expect(found('記号 1234 番号 56')).toEqual([['insurance_number', '記号 1234 番号 56']]);
    expect(found('診察券番号: A123456')).toEqual([['patient_id', 'A123456']]);
    expect(found('生年月日は1985年4月12日')).toEqual([['birth_date', '1985年4月12日']]);
    expect(found('昭和60年4月12日生まれ')).toEqual([['birth_date', '昭和60年4月12日']]);
    expect(found('2026年11月3日に受診')).toEqual([]);
  });

  it('finds personal names next to an honorific, a title or a given name, not alone', () => {
    expect(found('田中さんに会った')).toEqual([['person_name', '田中']]);
    expect(found('担当は鈴木先生')).toEqual([['person_name', '鈴木']]);
    expect(found('看護師の高橋が来た')).toEqual([['person_name', '高橋']]);
    expect(found('佐藤花子が受付にいた')).toEqual([['person_name', '佐藤花子']]);
    expect(found('受付さんが親切')).toEqual([]);
    expect(found('明るい希望を持って')).toEqual([]);
  });

  it('leaves allow-listed staff names alone', () => {
    const pii = analyzer.detectPii('院長の山田先生と田中さん', { allowNames: new Set(['山田']) });
    expect(pii.map((p) => p.type)).toEqual(['person_name']);
  });

  it('maps offsets back to the original text across URLs, width changes and repeats', () => {
    const text = 'ｗｗｗ https://example.com/x 見て！！！ ＴＥＬ０９０ー１２３４ー５６７８ と 鈴木さん';
    const spans = found(text);
    expect(spans).toContainEqual(['person_name', '鈴木']);
    expect(spans.map((s) => s[0])).toEqual(['person_name']);
    const text2 = 'ｗｗｗ https://example.com/x 見て！！！ ＴＥＬ：０９０－１２３４－５６７８ と 鈴木さん';
    expect(found(text2)).toEqual([
      ['phone', '０９０－１２３４－５６７８'],
      ['person_name', '鈴木'],
    ]);
  });

  it('is part of analyze() with the same offsets', () => {
    const text = '山田花子さんの電話は090-1111-2222';
    expect(analyzer.analyze(text).pii).toEqual(analyzer.detectPii(text));
  });
});

describe('maskPii', () => {
  it('replaces spans with type labels', () => {
    const text = '鈴木さんの電話は090-1234-5678、住所は東京都新宿区西新宿2-8-1';
    expect(maskPii(text, analyzer.detectPii(text))).toBe('[氏名]さんの電話は[電話番号]、住所は[住所]');
  });

  it('ignores out-of-range and overlapping spans and uses *** for unknown types', () => {
    expect(
      maskPii('abcdef', [
        { type: 'phone', start: 4, end: 99 },
        { type: 'x', start: 0, end: 2 },
        { type: 'email', start: 1, end: 3 },
      ]),
    ).toBe('***cdef');
  });
});
