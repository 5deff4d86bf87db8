import { describe, expect, it } from 'vitest';
import { checkRules, checkStatement, type CheckRule, type Finding } from '../../../src/statements/checker.ts';
import type { StatementKind } from '../../../src/statements/lifecycle.ts';

const rulesOf = (text: string, kind: StatementKind = 'holding') => checkStatement(text, kind).map((f) => f.rule);
const findingOf = (text: string, rule: CheckRule, kind: StatementKind = 'holding'): Finding | undefined =>
  checkStatement(text, kind).find((f) => f.rule === rule);

// Clean texts of each kind: what a good statement looks like. Every rule below must stay quiet on them.
const clean: Record<StatementKind, string> = {
  holding:
    '2026年11月25日\nさくら内科クリニック\n\n11月24日より、SNS上で当院職員の対応に関する投稿が広まっております。' +
    '患者さま、地域の皆さまにご心配をおかけしておりますことを、深くお詫び申し上げます。現在、当院では事実関係の確認を進めております。' +
    '事実関係が判明し次第、改めて当院ウェブサイトにてご報告いたします。',
  apology:
    '11月20日、当院職員が業務中に撮影した院内の写真を個人のSNSアカウントに投稿していたことが判明いたしました。' +
    '多大なご迷惑とご心配をおかけしましたことを、心より深くお詫び申し上げます。原因は、SNS利用に関する職員教育が不十分であったことです。' +
    '再発防止策として、全職員を対象とした研修を12月中に実施し、院内規程を見直します。',
  review_reply:
    'このたびは貴重なご意見をお寄せいただき、ありがとうございます。いただいたご指摘は院内で共有し、待ち時間のご案内方法の見直しに取り組んでまいります。' +
    'なお、個別のご事情については、この場でお答えすることができません。お手数ですが、受付までご連絡いただけましたら、直接お話を伺います。',
};

describe('clean statements', () => {
  it.each(Object.entries(clean))('%s: no finding at all', (kind, text) => {
    expect(checkStatement(text, kind as StatementKind)).toEqual([]);
  });

  it('general statements about how the clinic works are not care details', () => {
    expect(
      rulesOf(
        '当院では患者様の安全を第一に診療を行っております。同様の事案が起きないよう、様々な対策を講じてまいります。判明し次第ご報告いたします。',
      ),
    ).toEqual([]);
    expect(rulesOf('受診をご希望の方はお電話でご予約ください。たくさんのご意見をいただきました。判明し次第ご報告いたします。')).toEqual([]);
  });
});

describe('backfiring apology wording (DOMAIN.md §4)', () => {
  it('「ご不快な思いをおかけし」 with no account of what happened blocks; with one it passes', () => {
    for (const phrase of [
      'ご不快な思いをおかけし、申し訳ございません。',
      '不快な思いをさせてしまい申し訳ありません。',
      'ご不快をおかけしたことをお詫びします。',
    ]) {
      expect(findingOf(phrase, 'discomfort_without_account')).toMatchObject({ severity: 'block' });
    }
    const withAccount =
      '11月20日、職員の不適切な発言があったことが判明しました。ご不快な思いをおかけし、申し訳ございません。判明し次第ご報告します。';
    expect(rulesOf(withAccount)).not.toContain('discomfort_without_account');
    // In a reply to a review the account cannot be given (守秘義務): only a warning there.
    expect(findingOf('ご不快な思いをおかけし申し訳ございません。', 'discomfort_without_account', 'review_reply')).toMatchObject({
      severity: 'warn',
    });
  });

  it('conditional apologies to those who "took it" badly', () => {
    for (const phrase of [
      '不快に受け止められた方にお詫びします。',
      '不快に感じられた方がいらっしゃいましたら',
      'ご心配に思われた皆様には',
      '気分を害されたと感じた方に',
    ]) {
      expect(rulesOf(phrase), phrase).toContain('conditional_apology');
    }
    expect(rulesOf('投稿により不快な思いをされた患者さまに心よりお詫び申し上げます。')).not.toContain('conditional_apology');
  });

  it('blaming a misunderstanding', () => {
    for (const phrase of ['誤解を招く表現があり', '誤解を与えてしまい', '誤解された方もいらっしゃるかと', '誤解が生じたことは']) {
      expect(rulesOf(phrase), phrase).toContain('blames_misunderstanding');
    }
    expect(rulesOf('説明が不十分で、不適切な表現でした。')).not.toContain('blames_misunderstanding');
  });

  it('categorical denials: 断じて〜事実はない and its kin', () => {
    for (const phrase of [
      'そのような事実は断じてございません。',
      '断じてそのような事実はありません。',
      '当院が情報を漏らした事実は一切ございません。',
      'そのようなことは断じてない。',
      '決してそのような事実ではありません。',
    ]) {
      expect(findingOf(phrase, 'categorical_denial'), phrase).toMatchObject({ severity: 'block' });
    }
    expect(rulesOf('現時点で、情報が外部に出たことは確認されておりません。調査を続けます。')).not.toContain('categorical_denial');
    expect(rulesOf('決して許されることではありません。')).not.toContain('categorical_denial');
  });

  it('demanding understanding: blocks in an apology, warns elsewhere', () => {
    expect(findingOf('何卒ご理解いただきたいと存じます。', 'demands_understanding', 'apology')).toMatchObject({ severity: 'block' });
    expect(findingOf('ご理解ください。', 'demands_understanding', 'holding')).toMatchObject({ severity: 'warn' });
    expect(rulesOf('ご理解いただければと思います。')).toContain('demands_understanding');
    expect(rulesOf('ご意見を真摯に受け止めます。')).not.toContain('demands_understanding');
  });

  it('「とはいえ」 and apologising for the commotion are warnings', () => {
    expect(findingOf('申し訳ございません。とはいえ、職員にも事情がありました。', 'but_after_apology')).toMatchObject({
      severity: 'warn',
      excerpt: 'とはいえ',
    });
    expect(rulesOf('そうは言っても')).toContain('but_after_apology');
    expect(findingOf('世間をお騒がせし、申し訳ございません。', 'apologises_for_commotion')).toMatchObject({ severity: 'warn' });
  });

  it('a short apology with no facts blocks; a long one without cause or prevention warns; other kinds are not judged by it', () => {
    expect(findingOf('このたびは誠に申し訳ございませんでした。深くお詫び申し上げます。', 'apology_without_facts', 'apology')).toMatchObject(
      { severity: 'block', excerpt: '申し訳' },
    );
    const long = `11月20日に職員の不適切な投稿が判明しました。${'関係する皆さまに深くお詫び申し上げます。'.repeat(12)}`;
    expect(findingOf(long, 'apology_without_facts', 'apology')).toMatchObject({ severity: 'warn' });
    expect(rulesOf('このたびは誠に申し訳ございませんでした。判明し次第ご報告します。', 'holding')).not.toContain('apology_without_facts');
    expect(rulesOf(clean.apology, 'apology')).not.toContain('apology_without_facts');
  });

  it('a holding statement that promises no next update warns', () => {
    expect(findingOf('現在、事実関係を確認しております。', 'holding_without_next_update')).toMatchObject({ severity: 'warn' });
    expect(rulesOf('現在確認中です。続報は本ページでお知らせします。')).not.toContain('holding_without_next_update');
  });
});

describe('守秘義務: confirming a patient, revealing care', () => {
  it('a named or addressed person tied to a clinical event is a confirmation (block)', () => {
    for (const phrase of [
      '〇〇様は当院に通院されていました。',
      '山田さんは昨年当院で手術を受けられました。',
      '投稿者の方が受診された際の対応について説明します。',
      'ご本人が入院中であったことは事実です。',
      '当該患者様への処方は適切でした。',
      '投稿者は当院の患者であることを確認しております。',
    ]) {
      expect(findingOf(phrase, 'confirms_patient'), phrase).toMatchObject({ severity: 'block' });
    }
  });

  it('in a reply to a review, any clinical event that happened confirms the reviewer was a patient', () => {
    for (const phrase of [
      '診察の際に説明が不足しておりました。',
      '前回処方したお薬について',
      '先日はご来院いただきありがとうございました。',
      '検査の結果についてはお電話でご説明します。',
      '治療中のご不安もあったかと存じます。',
    ]) {
      expect(findingOf(phrase, 'confirms_patient', 'review_reply'), phrase).toMatchObject({ severity: 'block' });
    }
    // An invitation or a general policy is not a confirmation.
    expect(rulesOf('ご来院いただければ、直接お話を伺います。丁寧な診療に努めてまいります。', 'review_reply')).toEqual([]);
  });

  it('a clinical event with no person in a public statement is a warning to check', () => {
    expect(findingOf('11月20日の手術において、説明に不足がありました。', 'care_event', 'apology')).toMatchObject({ severity: 'warn' });
    expect(rulesOf('11月20日の手術において、説明に不足がありました。', 'apology')).not.toContain('confirms_patient');
  });

  it('records, diagnoses, prescriptions and symptoms are care details in any kind', () => {
    for (const phrase of [
      'カルテを確認いたしました。',
      '診療記録によれば',
      '病名については',
      '処方内容に誤りはございません。',
      '病状が悪化したとのことですが',
      '既往歴を踏まえ',
    ]) {
      expect(findingOf(phrase, 'care_details', 'holding'), phrase).toMatchObject({ severity: 'block' });
    }
  });

  it('honorifics on ordinary words and on everyone are not a specific person', () => {
    expect(
      rulesOf('皆様の診療にあたる職員の研修を11月に行いました。原因を調べ、再発防止に努めます。判明し次第ご報告します。'),
    ).not.toContain('confirms_patient');
  });
});

describe('personal data (analysis PII detector, without the tokenizer here)', () => {
  it("identifiers that are never the clinic's own block and cannot be overridden", () => {
    const f = findingOf('患者ID: A12345 の方について。判明し次第ご報告します。', 'pii');
    expect(f).toMatchObject({ severity: 'block', overridable: false, excerpt: '[患者ID]' });
    const birth = findingOf('生年月日 1980年4月1日 の方。判明し次第ご報告します。', 'pii');
    expect(birth).toMatchObject({ severity: 'block', overridable: false });
  });

  it("a phone number or address may be the clinic's own contact: a warning, masked in the excerpt", () => {
    const f = findingOf('お問い合わせは 03-1234-5678 まで。判明し次第ご報告します。', 'pii');
    expect(f).toMatchObject({ severity: 'warn', overridable: true, excerpt: '[電話番号]' });
    expect(JSON.stringify(checkStatement('お問い合わせは 03-1234-5678 まで。', 'holding'))).not.toContain('1234');
  });

  it('names come from the spans the caller passes (the tokenizer finds them): 様 after a name blocks, a bare name warns', () => {
    const text = '山田様のご意見について。院長 佐藤一郎。判明し次第ご報告します。';
    const findings = checkStatement(text, 'holding', {
      pii: [
        { type: 'person_name', start: 0, end: 2 },
        { type: 'person_name', start: 16, end: 20 },
      ],
    }).filter((x) => x.rule === 'pii');
    expect(findings.map((x) => [x.severity, x.excerpt])).toEqual([
      ['block', '[氏名]'],
      ['warn', '[氏名]'],
    ]);
  });
});

describe('template slots and shape of findings', () => {
  it('unfilled slots block and cannot be overridden; 【お詫び】 as a heading is not a slot', () => {
    const f = checkStatement('【記入: 何が起きたか】{{orgName}} 〇〇', 'holding').filter((x) => x.rule === 'unfilled_placeholder');
    expect(f.map((x) => x.excerpt)).toEqual(['【記入: 何が起きたか】', '{{orgName}}', '〇〇']);
    expect(f.every((x) => x.severity === 'block' && !x.overridable)).toBe(true);
    expect(rulesOf('【お詫び】当院職員の投稿について。判明し次第ご報告します。')).not.toContain('unfilled_placeholder');
  });

  it('offsets point into the original text, full width included; ids are stable; findings are sorted', () => {
    const text = '　ＳＮＳの件。誤解を招く表現があり、そのような事実は断じてございません。';
    const findings = checkStatement(text, 'holding');
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.excerpt);
    expect(text.slice(findingOf(text, 'blames_misunderstanding')!.start, findingOf(text, 'blames_misunderstanding')!.end)).toBe('誤解を招');
    expect(checkStatement(text, 'holding')).toEqual(findings);
    expect([...findings].sort((a, b) => a.start - b.start)).toEqual(findings);
    for (const f of findings) {
      expect(checkRules).toContain(f.rule);
      expect(f.message_ja.length).toBeGreaterThan(0);
      expect(f.advice_ja.length).toBeGreaterThan(0);
    }
  });

  it('hostile input does not break it', () => {
    expect(() => checkStatement('\u0000\ud800'.repeat(100) + '<script>誤解を招く</script>', 'apology')).not.toThrow();
    expect(checkStatement('', 'holding')).toEqual([]);
  });
});

describe('one finding per phrase', () => {
  it('a denial matched by several patterns is reported once', () => {
    expect(rulesOf('断じてそのような事実はございません。判明し次第ご報告します。')).toEqual(['categorical_denial']);
  });
});

describe('守秘義務 in replies to reviews: a wider set of encounters and of general sentences', () => {
  // Ordinary parts of a visit confirm it as much as a diagnosis does.
  const encounters = [
    'お子様の予防接種の際は大変失礼いたしました。',
    'お薬をお出しした件について',
    '担当した医師に確認いたしました。',
    'ご家族の入院中の対応について',
    'ご予約いただいた際の説明が不十分でした。',
    '長時間お待たせしてしまい申し訳ございません。',
    '点滴の際に痛みがあったとのこと',
    'お会計の際にご不便をおかけしました。',
    '採血を担当した看護師',
    '前回ご相談いただいた内容について',
    'レントゲンを撮影した際の対応について',
    '以前お越しいただいた時に',
    'ワクチンを打った後の副反応について',
    '健康診断の結果をお伝えした際',
  ];
  // Hours, invitations, instructions and policy say nothing about the reader.
  const general = [
    '診療時間は9時から18時です。',
    '当院では丁寧な説明を心がけております。',
    '治療方針については医師にご相談ください。',
    '入院設備はございません。',
    '今後の受診についてはお電話でご予約ください。',
    'ご来院の際はマスクの着用をお願いします。',
    'スタッフ一同、より良い診療に努めてまいります。',
    '担当者より改めてご連絡いたします。',
    'レントゲン設備を備えております。',
    '初めての方もお気軽にお越しください。',
    'ワクチン接種の予約は電話で承ります。',
    '受付は8時半からです。',
    '検査機器を新しくしました。',
    'お手数ですが、受付までご連絡いただけましたら、直接お話を伺います。',
  ];

  it.each(encounters)('confirms: %s', (text) => {
    expect(rulesOf(text, 'review_reply')).toContain('confirms_patient');
  });
  it.each(general)('general: %s', (text) => {
    expect(rulesOf(text, 'review_reply')).toEqual([]);
  });
  it('two stems of one encounter are one finding', () => {
    expect(checkStatement('採血を担当した看護師', 'review_reply').map((f) => f.excerpt)).toEqual(['採血を担当した']);
  });
});

describe('visits in public statements', () => {
  it('the parts of a visit confirm only about someone specific; clinical events without a person are a warning', () => {
    expect(rulesOf('経緯をご説明いたしました。判明し次第ご報告します。')).toEqual([]);
    expect(rulesOf('お子様連れの方は受付でお申し出ください。判明し次第ご報告します。')).toEqual([]);
    expect(rulesOf('投稿者様を受付でお待たせしたことは事実です。判明し次第ご報告します。')).toEqual(['confirms_patient']);
    expect(rulesOf('お子様の予防接種の際に説明が不足しておりました。判明し次第ご報告します。')).toEqual(['care_event']);
  });
});

describe('what counts as an account', () => {
  it('a date is not an account of what happened; an event is', () => {
    expect(rulesOf('本日はご不快な思いをおかけし、申し訳ございません。判明し次第ご報告します。')).toContain('discomfort_without_account');
    expect(rulesOf('11月20日はご不快な思いをおかけしました。判明し次第ご報告します。')).toContain('discomfort_without_account');
    expect(
      rulesOf('受付で職員の不適切な発言があったことを確認しました。ご不快な思いをおかけし、申し訳ございません。判明し次第ご報告します。'),
    ).not.toContain('discomfort_without_account');
  });
});
