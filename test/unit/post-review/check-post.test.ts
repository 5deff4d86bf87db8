import { describe, expect, it } from 'vitest';
import { xWeightedLength, channelLength, hashtagCount } from '../../../src/post-review/channels.ts';
import { blockingPostFindings, checkPost, loadPostRules, postRulesVersion, type PostDraft } from '../../../src/post-review/check-post.ts';

// The pre-publication checker (issue 17): every data rule on its own flagged and clean example, the
// rules that weigh a whole post, the institution's own details allowed, and X's counting rules.

const draft = (text: string, extra: Partial<PostDraft> = {}): PostDraft => ({ channel: 'blog', text, ...extra });
const rulesOf = (text: string, extra: Partial<PostDraft> = {}) => checkPost(draft(text, extra)).map((f) => f.rule);

describe('rules as data', () => {
  const { version, rules } = loadPostRules();
  it('are versioned, and every rule cites its source and has both examples', () => {
    expect(version).toMatch(/^\d{4}-\d{2}-\d{2}(?:\.\d+)?$/); // a date, and the revision of that day
    expect(postRulesVersion()).toContain(version);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.cite, r.id).not.toBe('');
      expect(r.examples.flagged, r.id).not.toBe('');
      expect(r.examples.clean, r.id).not.toBe('');
    }
  });

  it.each(rules.map((r) => [r.id, r] as const))('%s flags its example and passes the clean one', (id, rule) => {
    const flagged = checkPost(draft(rule.examples.flagged)).filter((f) => f.rule === id);
    expect(flagged.length, rule.examples.flagged).toBeGreaterThan(0);
    expect(flagged[0]!.category).toBe(rule.category);
    expect(flagged[0]!.severity).toBe(rule.severity);
    // The span points at the words in the original text.
    expect(rule.examples.flagged.slice(flagged[0]!.start, flagged[0]!.end)).toBe(flagged[0]!.excerpt);
    expect(checkPost(draft(rule.examples.clean)), rule.examples.clean).toEqual([]);
  });
});

describe('rules over the whole post', () => {
  it('before/after photos need treatment, cost, period and risks in the same post', () => {
    const images = [{ description: '術前術後の比較写真（目元）', alt: '施術前と施術後の目元' }];
    const bare = checkPost(draft('二重整形の症例です。', { images }));
    const f = bare.find((x) => x.rule === 'before_after')!;
    expect(f.severity).toBe('block');
    expect(f.message_ja).toMatch(/治療の内容・費用・期間・回数・主なリスク・副作用/);
    const full = checkPost(
      draft('二重整形（埋没法）の症例です。施術内容: 埋没法2点留め、費用: 110,000円（税込）、通院2回、主なリスク: 腫れ・内出血。', {
        images,
      }),
    );
    expect(full.map((x) => x.rule)).not.toContain('before_after');
  });

  it('自由診療 prices need the 限定解除 fields', () => {
    expect(rulesOf('自由診療のAGA治療、月額15,000円です。')).toContain('free_care_disclosure');
    const complete =
      '自由診療のAGA治療（内服薬による治療）は月額15,000円（税込）、6か月以上の継続が目安です。主な副作用: 性欲減退、肝機能障害。お問い合わせはお電話で。';
    expect(rulesOf(complete)).not.toContain('free_care_disclosure');
  });

  it('a patient made identifiable by age, condition and ward or date can never be approved', () => {
    const f = checkPost(draft('昨日、3階病棟に入院中の82歳の肺炎の方が元気に退院されました。')).find(
      (x) => x.rule === 'identifiable_patient',
    )!;
    expect(f.overridable).toBe(false);
    expect(rulesOf('高齢の方は肺炎球菌ワクチンの接種をご検討ください。')).toEqual([]);
    expect(rulesOf('入院中の田中さんが今日退院しました。')).toContain('identifiable_patient');
  });

  it('an image that shows a patient, a name tag or a chart is blocked; people without stated consent are a warning', () => {
    const patient = checkPost(
      draft('待合室をリニューアルしました。', { images: [{ description: '待合室の様子、奥に患者さんの顔が写っている' }] }),
    );
    expect(patient.find((f) => f.rule === 'image_patient')).toMatchObject({
      severity: 'block',
      overridable: false,
      field: 'images.0.description',
    });
    const staff = checkPost(draft('新しい看護師が入職しました。', { images: [{ description: '看護師3名の集合写真' }] }));
    expect(staff.find((f) => f.rule === 'image_person')?.severity).toBe('warn');
    const consented = checkPost(
      draft('新しい看護師が入職しました。', { images: [{ description: '看護師3名の集合写真（本人の掲載同意取得済み）' }] }),
    );
    expect(consented).toEqual([]);
  });

  it('personal data is flagged, the institution’s own published details are not; マイナンバー never', () => {
    const text = 'ご予約は03-1234-5678まで。担当者の携帯090-1111-2222にも連絡できます。';
    const own = { phones: ['03-1234-5678'] };
    const findings = checkPost(draft(text), { own });
    expect(findings.map((f) => [f.rule, f.excerpt])).toEqual([['personal_data', '[電話番号]']]);
    const myNumber = checkPost(draft('マイナンバー 1234 5678 9018 の方へ'));
    expect(myNumber.find((f) => f.rule === 'patient_identifier')).toMatchObject({ overridable: false, severity: 'block' });
  });

  it('width and punctuation variants are caught, and offsets point into the original', () => {
    const text = '地域Ｎｏ．１のクリニック';
    const f = checkPost(draft(text)).find((x) => x.rule === 'superiority')!;
    expect(text.slice(f.start, f.end)).toBe('地域Ｎｏ．１');
  });

  it('a stated basis clears a rate; a sentence without one is flagged', () => {
    expect(rulesOf('治療成功率97.5%！')).toContain('unsupported_rate');
    expect(rulesOf('治療成功率97.5%（2025年度、当院で治療を受けた312名の集計）。')).not.toContain('unsupported_rate');
  });

  it('blocking findings are what stops approval', () => {
    const findings = checkPost(draft('今だけキャンペーン！日本一の技術で必ず治ります。'));
    expect(
      blockingPostFindings(findings)
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['false_guarantee', 'superiority']);
    expect(findings.some((f) => f.severity === 'warn')).toBe(true);
  });
});

describe('channels', () => {
  it("counts X's weighted characters: Japanese 2, Latin 1, a URL 23, an emoji 2", () => {
    expect(xWeightedLength('hello')).toBe(5);
    expect(xWeightedLength('休診のお知らせ')).toBe(14);
    expect(xWeightedLength('詳しくは https://example.com/a/very/long/path?with=query')).toBe(8 + 1 + 23);
    expect(xWeightedLength('👍')).toBe(2);
    expect(xWeightedLength('👨‍👩‍👧')).toBe(2);
    expect(xWeightedLength('ｶﾞ')).toBe(4);
  });

  it('flags a post over its channel’s limits', () => {
    expect(checkPost({ channel: 'x', text: 'あ'.repeat(140) })).toEqual([]);
    const over = checkPost({ channel: 'x', text: 'あ'.repeat(141) });
    expect(over.map((f) => [f.rule, f.message_ja])).toEqual([
      ['channel_limits', 'X（旧Twitter）の上限 280 を超えています（重み付き文字数 282）。'],
    ]);
    expect(channelLength('line', 'あ'.repeat(5000))).toBe(5000);
    // A Google review reply is capped at 4,096 bytes: 1,365 Japanese characters fit, 1,366 do not.
    expect(channelLength('google_review_reply', 'あ'.repeat(1365))).toBe(4095);
    expect(checkPost({ channel: 'google_review_reply', text: 'あ'.repeat(1365) })).toEqual([]);
    expect(checkPost({ channel: 'google_review_reply', text: 'あ'.repeat(1366) }).map((f) => f.message_ja)).toEqual([
      'Google 口コミへの返信の上限 4096 を超えています（バイト数（UTF-8） 4098）。',
    ]);
    const tags = Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ');
    expect(hashtagCount(tags)).toBe(31);
    expect(checkPost({ channel: 'instagram', text: tags }).map((f) => f.rule)).toEqual(['channel_limits']);
  });
});

describe('names the institution lists', () => {
  it('are allowed as listed, written together, or by one part; other names are flagged', async () => {
    const { runPostCheck } = await import('../../../src/post-review/run-check.ts');
    const text = '担当は山田一郎医師です。山田先生の外来は火曜です。患者の鈴木花子さんの件で連絡しました。';
    const flagged = (await runPostCheck({ channel: 'blog', text }, {})).findings.filter((f) => f.rule === 'personal_data');
    expect(flagged.length).toBeGreaterThanOrEqual(2);
    const allowed = (await runPostCheck({ channel: 'blog', text }, { names: ['山田 一郎'] })).findings.filter(
      (f) => f.rule === 'personal_data',
    );
    expect(allowed.map((f) => f.excerpt)).toEqual(['[氏名]']);
    expect(text.slice(allowed[0]!.start, allowed[0]!.end)).toContain('鈴木');
  });
});
