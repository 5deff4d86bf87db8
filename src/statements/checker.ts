import { foldWidth } from '../analysis/normalize.ts';
import { detectPiiSpans, mapSpan, maskPii, piiLabels, type PiiSpan, type PiiType } from '../analysis/pii.ts';
import type { StatementKind } from './lifecycle.ts';

// The statement checker: a pure function over a draft's text. It flags the wording that makes an
// apology backfire (../shared/DOMAIN.md §4), anything that confirms someone is or was a patient or
// reveals care details (守秘義務), and personal data (the analysis PII detector). Every pattern
// runs on the width-folded text (０９０ → 090) and offsets are mapped back to the original, which
// is what an editor highlights.
//
// Approval policy (src/statements/approve-statement.ts): a 'block' finding stops approval unless
// the approver overrides that finding with a written reason; findings with overridable=false
// (an unfilled template slot, a マイナンバー / 保険証番号 / 患者ID / 生年月日) can never be
// approved — no reason makes publishing those right, the text has to change. 'warn' findings are
// shown and recorded but do not stop approval.

export type FindingSeverity = 'block' | 'warn';

export const checkRules = [
  'unfilled_placeholder',
  'discomfort_without_account',
  'conditional_apology',
  'blames_misunderstanding',
  'categorical_denial',
  'demands_understanding',
  'but_after_apology',
  'apologises_for_commotion',
  'apology_without_facts',
  'holding_without_next_update',
  'confirms_patient',
  'care_details',
  'care_event',
  'pii',
] as const;
export type CheckRule = (typeof checkRules)[number];

export interface Finding {
  /** Stable for the same body: rule and offsets. The approver names it to override. */
  id: string;
  rule: CheckRule;
  severity: FindingSeverity;
  /** UTF-16 offsets into the checked text; end exclusive. */
  start: number;
  end: number;
  /** The flagged words (PII masked, so findings can travel into logs and the timeline). */
  excerpt: string;
  message_ja: string;
  advice_ja: string;
  overridable: boolean;
}

export interface CheckOptions {
  /**
   * PII spans of `text` from the analysis detector with its tokenizer (names need kuromoji). When
   * absent, the detector runs without tokens: numbers, addresses and e-mail, but no names.
   */
  pii?: readonly PiiSpan[];
}

interface RuleText {
  message_ja: string;
  advice_ja: string;
}

const texts: Record<Exclude<CheckRule, 'pii'>, RuleText> = {
  unfilled_placeholder: {
    message_ja: 'テンプレートの記入欄が残っています。',
    advice_ja: '【記入: …】や〇〇の箇所を事実に置き換えるか、文ごと削除してください。',
  },
  discomfort_without_account: {
    message_ja: '「ご不快な思いをおかけし」が、何が起きたかの説明なしに使われています。',
    advice_ja: '感情へのお詫びだけでは「何を謝っているのか分からない」と受け取られます。いつ・何が起きたのかを先に書いてください。',
  },
  conditional_apology: {
    message_ja: '「不快に受け止められた方に」のような条件付きの謝罪です。',
    advice_ja: '受け手の感じ方の問題にすり替えていると受け取られます。当院の行為そのものについてお詫びしてください。',
  },
  blames_misunderstanding: {
    message_ja: '「誤解を招く」という表現は、読み手の誤解に責任を転嫁していると受け取られます。',
    advice_ja: '「説明が不十分でした」「不適切な表現でした」など、当院側の問題として書いてください。',
  },
  categorical_denial: {
    message_ja: '「断じて〜事実はない」のような全面否定です。',
    advice_ja: '事実確認が終わる前の断定は、後で覆ると信頼を大きく損ないます。確認できた事実と調査中の事項を分けて書いてください。',
  },
  demands_understanding: {
    message_ja: '「ご理解いただきたい」は、読み手に理解を求める（要求する）表現です。',
    advice_ja: '謝罪や説明の場面では逆効果です。当院が何をするのかを書き、理解を求める一文は削除してください。',
  },
  but_after_apology: {
    message_ja: '「とはいえ」など、お詫びを打ち消す逆接があります。',
    advice_ja: '弁明に続く謝罪は言い訳に見えます。事情の説明は事実として別の段落に書いてください。',
  },
  apologises_for_commotion: {
    message_ja: '「お騒がせし」は、起きたことではなく騒ぎになったことを謝っています。',
    advice_ja: '謝る対象を、当院の行為とそれによって影響を受けた方に向けてください。',
  },
  apology_without_facts: {
    message_ja: '事実関係（何が起きたか）と原因・再発防止策の記載がない謝罪文です。',
    advice_ja: '謝罪文には、いつ・何が起きたか、原因、再発防止策を書いてください。短い謝罪だけの文は誠意がないと受け取られます。',
  },
  holding_without_next_update: {
    message_ja: '次にいつ・どのようにお知らせするかの記載がありません。',
    advice_ja: '「事実関係が判明し次第、改めてご報告いたします」など、続報の予定を書いてください。',
  },
  confirms_patient: {
    message_ja: '特定の方が当院の患者である（あった）ことを認める表現です（守秘義務）。',
    advice_ja:
      '受診の有無は、ご本人の投稿であっても公開の場で肯定も否定もしないでください。「個別のご事情についてはこの場でお答えできません」とし、直接の窓口をご案内してください。',
  },
  care_details: {
    message_ja: '診療記録や病状・処方など、診療の内容に触れています（守秘義務）。',
    advice_ja: '診療内容は公開の場では書けません。個別の事情には触れず、窓口で直接お話を伺う旨を書いてください。',
  },
  care_event: {
    message_ja: '個別の診療の場面（診察の際、処方した など）に触れています。',
    advice_ja: '特定の方の受診や治療が推測できないか確認してください。必要なら一般的な方針の説明に置き換えてください。',
  },
};

// Identifiers that are never the institution's own: no reason makes publishing them right.
const neverPublish: ReadonlySet<PiiType> = new Set(['my_number', 'insurance_number', 'patient_id', 'birth_date']);
// The clinic's own contact details are published on purpose; the approver confirms that they are.
const contactTypes: ReadonlySet<PiiType> = new Set(['phone', 'email', 'address', 'postal_code']);

// ---- patterns (on the width-folded text) ----

// A template slot: 【記入: …】, {{name}}, or a 〇〇 / ○○ / ×× stand-in.
const placeholder = /【\s*(?:記入|要記入|ご記入|入力|選択)[^】\n]{0,80}】|\{\{[^}\n]{0,40}\}\}|[〇○◯]{2,}|×{2,}/g;
const discomfort = /(?:ご不快な(?:思い|お気持ち)|不快な(?:思い|お気持ち)|ご不快)(?:を|に)?(?:おかけ|お掛け|させ|与え)/g;
// Apologising to those who "took it" badly: the fault moves to the reader's feelings.
const conditional =
  /(?:ご?不快|傷つ[いかきけ]|気分を害|ご?心配)[^。\n]{0,8}?(?:受け止め|感じ|お感じ|思われ|思い?にな|お思い)[^。\n]{0,8}?(?:方|皆様|皆さま|みなさま)/g;
const misunderstanding = /誤解を(?:招|まね|与え|生|うみ|させ)|誤解(?:され|なさ)(?:た|る)方|誤解が(?:生じ|広が)/g;
const denials = [
  /(?:断じて|決して|絶対に|一切)[^。\n]{0,40}?事実(?:は|も)?(?:一切)?(?:ない|無い|ありません|ございません|ではない|ではありません|ではございません)/g,
  // 断じて … ない on its own (そのようなことは断じてございません).
  /断じて[^。\n]{0,20}?(?:ない|無い|ありません|ございません)|(?:こと|事実)は断じて(?:ない|無い|ありません|ございません)/g,
  // …事実は一切ございません.
  /事実(?:は|も)(?:一切|全く|まったく|決して)(?:ない|無い|ありません|ございません)/g,
];
const demandUnderstanding =
  /ご理解(?:を)?(?:いただきたい|頂きたい|いただきたく|頂きたく|ください|下さい|願いたい|願います|いただけ(?:る|れば)と(?:幸い|思)|を求め)/g;
const butAfter = /とはいえ|とは言え|とは申せ|そうは言っても|そうはいっても/g;
const commotion = /(?:世間|皆様|皆さま|みなさま|社会)?をお騒がせ/g;

// What happened: words that report an event or a finding (a date alone — 本日は… — is not an
// account). An apology's account needs these AND a cause or a prevention measure.
const whatHappened =
  /経緯|判明(?!し次第)|発生|起き|生じ|事案|確認したところ|調査の結果|行いました|行っておりました|があったこと|がありました/;
const causeOrPrevention = /原因|再発防止|防止策|対策|改善|見直し|徹底|研修|指導/;
const apologyWord = /申し訳|お詫び|おわび|謝罪|陳謝/;
const nextUpdate = /判明し次第|改めて(?:ご報告|お知らせ|ご説明|公表)|続報|追って(?:ご報告|お知らせ)|あらためて(?:ご報告|お知らせ)/;

// 守秘義務. An encounter: a visit, consultation, treatment, prescription, test, surgery, admission,
// and the ordinary parts of a visit (予約, 受付, 会計, 待ち時間, 相談, the staff who looked after
// someone), or being 当院の患者. A specific person: someone named or addressed with an honorific,
// the poster, "the patient concerned". Tying the two in one sentence confirms that person is or
// was a patient. In a reply to a review the reader IS the specific person, so any encounter that
// happened (past or ongoing) confirms it — "お会計の際にご不便を" as much as "処方した".
const clinicalStem =
  '(?:通院|受診|来院|入院|退院|通所|入所|診察|診療|治療|処方|投薬|投与|手術|検査|施術|処置|接種|健診|検診|点滴|注射|採血|抜歯|出産|分娩|リハビリ|透析|麻酔' +
  '|レントゲン|CT|MRI|エコー|内視鏡|胃カメラ|ワクチン|健康診断|人間ドック|お薬|かかられ|通われ|診させ|主治医)';
// The rest of a visit, and what the clinic did for the reader (ご説明した, お出しした). Only about
// someone specific do these confirm anything; in a statement about "what happened" they are prose.
const visitStem = '(?:ご?相談|ご?予約|お?会計|受付|お待たせ|お越し|ご利用|担当|ご説明|お伝え|お出し|ご案内)';
const encounterPatterns = [
  { re: new RegExp(clinicalStem, 'g'), clinical: true },
  { re: new RegExp(visitStem, 'g'), clinical: false },
];
// Right after the stem, within the clause: it happened (した, 入院中, 受診歴, 検査結果, の件,
// お待たせしてしまい, ご来院いただき), close to the stem so the verb is the encounter's. The た of
// いただく (ご来院いただければ: an invitation), of いたします (a promise) and of 〜たら (a condition)
// is not a past tense.
const happenedAfterStem = /^[^。、\n]{0,8}?(?:た(?![だしら])|歴|中|の件|結果|内容|てしまい|いただき(?!たい|ます))/;
// 際 / 時 / ところ / 後 / 当日 name an occasion; it is a past one only if the sentence is in the past
// (診察の際に説明が不足しておりました), not an instruction (ご来院の際はマスクを…). 時間 is not 時.
const occasionAfterStem = /^[^。、\n]{0,6}?(?:際|時(?!間|期)|ところ|後|当日)/;
const pastSentence = /(?:ました|でした|あった|だった|た)(?![だしいら])/;
// Before the stem: a dated or referenced encounter (11月20日の手術, 前回の診察).
const happenedBeforeStem = /(?:\d{1,2}月\d{1,2}日|先日|昨日|前回|当日|その際|以前)(?:の|に|は)?[^。、\n]{0,4}$/;
const patientOfUs =
  /(?:当院|弊院|当クリニック|当病院|当医院)の(?:患者|利用者|受診者)(?:で(?:あ|し|いらっしゃ|ござい)|さん|様|さま|として)/g;
const careRecords =
  /電子カルテ|カルテ|診療録|診療記録|病歴|既往歴|検査結果|検査値|診断名|病名|処方内容|処方薬|投薬内容|お薬の内容|服薬|治療内容|治療経過|病状|症状の経過|手術内容|術後の経過/g;
const specificRef =
  /投稿者|ご投稿(?:者|いただいた方|された方|の方)|(?:口コミ|クチコミ|レビュー)(?:を|に)(?:投稿|書|お書|ご記入|寄せ)[^。\n]{0,8}?方|ご本人|当該(?:患者|の方|利用者|者)|該当(?:の)?(?:患者|方)|その方|この方|相談者|あなた|貴方|貴殿/;
// Name-like run before an honorific. 様 also ends ordinary words (同様, 模様 …) and 皆様 / 患者様 /
// お客様 are everyone, not someone: those are generic unless marked specific (当該患者様).
const honorific = /([\p{Script=Han}\p{Script=Katakana}ー〇○◯×＊*A-Za-z]{1,8})(様|さま|さん|氏|殿)(?![々子式相態名堂方])/gu;
const genericBeforeHonorific =
  /(?:^|[^当該])(?:皆|患者|客|子|利用者|関係者|各位|地域|保護者|家族|来院者|同|模|仕|多|異|一|有|両|神|王|如何|皆さ)$/;

export interface Sentence {
  start: number;
  end: number;
  text: string;
}

/** A text's sentences (split after 。！？ and at line ends) with their offsets; post-review shares it. */
export function sentencesOf(text: string): Sentence[] {
  const out: Sentence[] = [];
  const re = /[^。！？!?\n]+[。！？!?]?/g;
  for (const m of text.matchAll(re)) {
    if (m[0].trim()) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  }
  return out;
}

function hasSpecificPerson(sentence: string): boolean {
  if (specificRef.test(sentence)) return true;
  for (const m of sentence.matchAll(honorific)) {
    if (!genericBeforeHonorific.test(m[1]!)) return true;
  }
  return false;
}

interface Encounter {
  start: number;
  end: number;
  clinical: boolean;
}

/** Encounters in a sentence that happened (not "we provide 診療" but "診察の際", "受診された"). */
function encountersIn(sentence: string): Encounter[] {
  const out: Encounter[] = [];
  for (const { re, clinical } of encounterPatterns) {
    re.lastIndex = 0;
    for (const m of sentence.matchAll(re)) {
      const rest = sentence.slice(m.index + m[0].length);
      const after = happenedAfterStem.exec(rest) ?? (pastSentence.test(sentence) ? occasionAfterStem.exec(rest) : null);
      if (after) out.push({ start: m.index, end: m.index + m[0].length + after[0].length, clinical });
      else if (happenedBeforeStem.test(sentence.slice(Math.max(0, m.index - 12), m.index)))
        out.push({ start: m.index, end: m.index + m[0].length, clinical });
    }
  }
  for (const m of sentence.matchAll(patientOfUs)) out.push({ start: m.index, end: m.index + m[0].length, clinical: true });
  // 採血を担当した: two stems, one encounter. Overlapping or touching spans become one finding.
  out.sort((a, b) => a.start - b.start);
  const merged: Encounter[] = [];
  for (const e of out) {
    const last = merged[merged.length - 1];
    if (last && e.start <= last.end) {
      last.end = Math.max(last.end, e.end);
      last.clinical ||= e.clinical;
    } else merged.push({ ...e });
  }
  return merged;
}

function visibleLength(text: string): number {
  return text.replace(/\s/g, '').length;
}

/** Apologies up to this many visible characters with no facts are the "four-line apology". */
export const shortApologyChars = 200;

/**
 * Findings for `text` as a statement of `kind`, sorted by position. Pure: the same text, kind and
 * PII spans give the same findings (the approval re-runs it on the exact body approved).
 */
export function checkStatement(text: string, kind: StatementKind, options: CheckOptions = {}): Finding[] {
  const folded = foldWidth(text);
  const t = folded.text;
  const findings: Finding[] = [];
  const pii = options.pii ?? detectPiiSpans(text, folded, [], new Int32Array(0));
  // Excerpts travel into the timeline and the audit log: personal data in them is masked.
  const masked = (start: number, end: number) =>
    maskPii(
      text.slice(start, end),
      pii.filter((p) => p.start >= start && p.end <= end).map((p) => ({ ...p, start: p.start - start, end: p.end - start })),
    );
  const add = (rule: Exclude<CheckRule, 'pii'>, severity: FindingSeverity, fs: number, fe: number, overridable = true) => {
    if (fe <= fs) return;
    const [start, end] = mapSpan(folded.origin, text, fs, fe);
    findings.push({
      id: `${rule}:${start}-${end}`,
      rule,
      severity,
      start,
      end,
      excerpt: shorten(masked(start, end)),
      ...texts[rule],
      overridable,
    });
  };
  const each = (re: RegExp, fn: (m: RegExpMatchArray & { index: number }) => void) => {
    re.lastIndex = 0;
    for (const m of t.matchAll(re)) fn(m as RegExpMatchArray & { index: number });
  };

  each(placeholder, (m) => add('unfilled_placeholder', 'block', m.index, m.index + m[0].length, false));

  const happened = whatHappened.test(t);
  const account = happened && causeOrPrevention.test(t);
  // A review reply cannot give the account (守秘義務), so there the bare phrase is only a warning.
  if (!happened)
    each(discomfort, (m) => add('discomfort_without_account', kind === 'review_reply' ? 'warn' : 'block', m.index, m.index + m[0].length));
  each(conditional, (m) => add('conditional_apology', 'block', m.index, m.index + m[0].length));
  each(misunderstanding, (m) => add('blames_misunderstanding', 'block', m.index, m.index + m[0].length));
  // The denial patterns overlap (断じて…事実はない matches two): one finding per phrase.
  const denied: [number, number][] = [];
  for (const re of denials) {
    each(re, (m) => {
      const end = m.index + m[0].length;
      if (denied.some(([s, e]) => m.index < e && s < end)) return;
      denied.push([m.index, end]);
      add('categorical_denial', 'block', m.index, end);
    });
  }
  each(demandUnderstanding, (m) => add('demands_understanding', kind === 'apology' ? 'block' : 'warn', m.index, m.index + m[0].length));
  each(butAfter, (m) => add('but_after_apology', 'warn', m.index, m.index + m[0].length));
  each(commotion, (m) => add('apologises_for_commotion', 'warn', m.index, m.index + m[0].length));

  if (kind === 'apology' && !account) {
    const short = visibleLength(t) <= shortApologyChars;
    // Anchored on the apology itself, else on the opening sentence: the finding is about the whole text.
    const at = apologyWord.exec(t);
    const first = sentencesOf(t)[0];
    if (at) add('apology_without_facts', short ? 'block' : 'warn', at.index, at.index + at[0].length);
    else if (first) add('apology_without_facts', short ? 'block' : 'warn', first.start, first.end);
  }
  if (kind === 'holding' && !nextUpdate.test(t)) {
    const first = sentencesOf(t)[0];
    if (first) add('holding_without_next_update', 'warn', first.start, first.end);
  }

  for (const s of sentencesOf(t)) {
    const encounters = encountersIn(s.text);
    if (encounters.length === 0) continue;
    const specific = kind === 'review_reply' || hasSpecificPerson(s.text);
    for (const e of encounters) {
      if (specific) add('confirms_patient', 'block', s.start + e.start, s.start + e.end);
      else if (e.clinical) add('care_event', 'warn', s.start + e.start, s.start + e.end);
    }
  }
  each(careRecords, (m) => add('care_details', 'block', m.index, m.index + m[0].length));

  for (const p of pii) {
    const label = piiLabels[p.type];
    let severity: FindingSeverity = 'block';
    let advice = `${label}は公開の文面に書けません。削除してください。`;
    if (contactTypes.has(p.type)) {
      severity = 'warn';
      advice = `当院の公開している窓口（代表番号・所在地など）であれば問題ありません。個人の${label}であれば削除してください。`;
    } else if (p.type === 'person_name') {
      // 〇〇様 / 〇〇さん is a private person (a patient, a poster); a bare or titled name may be
      // the director's, which the institution publishes.
      const after = text.slice(p.end, p.end + 2);
      if (!/^(?:様|さま|さん|氏|殿|くん|君|ちゃん)/.test(after)) {
        severity = 'warn';
        advice = '院長名など当院が公表している氏名であれば問題ありません。患者・投稿者・職員個人の氏名であれば削除してください。';
      } else {
        advice = '個人の氏名は公開の文面に書けません（本人が特定され、受診の事実も推測されます）。削除してください。';
      }
    }
    findings.push({
      id: `pii:${p.start}-${p.end}`,
      rule: 'pii',
      severity,
      start: p.start,
      end: p.end,
      excerpt: maskPii(text.slice(p.start, p.end), [{ type: p.type, start: 0, end: p.end - p.start }]),
      message_ja: `個人情報（${label}）が含まれています。`,
      advice_ja: advice,
      overridable: !neverPublish.has(p.type),
    });
  }

  findings.sort((a, b) => a.start - b.start || a.end - b.end || a.rule.localeCompare(b.rule));
  return findings;
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

export function blockingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'block');
}
