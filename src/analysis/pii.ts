import type { WidthFolded } from './normalize.ts';
import type { Token } from './tokenizer.ts';

// Personal data in posts (../shared/DOMAIN.md §2). Patterns run on the width-folded text
// (NFKC per character, so ０９０ and 〒１００ match) and every span is mapped back to offsets in
// the ORIGINAL text, because that is what the UI masks. Number-like patterns that collide with
// ordinary numbers need a keyword nearby (マイナンバー, 保険証, 生年月日 …).

export const piiTypes = [
  'phone',
  'postal_code',
  'email',
  'address',
  'my_number',
  'insurance_number',
  'patient_id',
  'birth_date',
  'person_name',
] as const;
export type PiiType = (typeof piiTypes)[number];

export interface PiiSpan {
  type: PiiType;
  /** UTF-16 offsets into the original text; end is exclusive. */
  start: number;
  end: number;
}

export interface PiiOptions {
  /** Names the institution may publish (its director, staff): never reported as PII. */
  allowNames?: ReadonlySet<string>;
}

const dash = '[-‐‑–—−]';
const prefectures = [
  '北海道',
  '青森県',
  '岩手県',
  '宮城県',
  '秋田県',
  '山形県',
  '福島県',
  '茨城県',
  '栃木県',
  '群馬県',
  '埼玉県',
  '千葉県',
  '東京都',
  '神奈川県',
  '新潟県',
  '富山県',
  '石川県',
  '福井県',
  '山梨県',
  '長野県',
  '岐阜県',
  '静岡県',
  '愛知県',
  '三重県',
  '滋賀県',
  '京都府',
  '大阪府',
  '兵庫県',
  '奈良県',
  '和歌山県',
  '鳥取県',
  '島根県',
  '岡山県',
  '広島県',
  '山口県',
  '徳島県',
  '香川県',
  '愛媛県',
  '高知県',
  '福岡県',
  '佐賀県',
  '長崎県',
  '熊本県',
  '大分県',
  '宮崎県',
  '鹿児島県',
  '沖縄県',
];
// Hiragana only in the few city names that have it; otherwise 住所は… would join the address.
const cityName =
  '(?:さいたま|つくば|いわき|ひたちなか|あきる野|みどり|たつの|みよし|うきは|えびの|[\\p{Script=Han}\\p{Script=Katakana}ヶケ]{1,8}?)';
const prefecturePattern = new RegExp(prefectures.join('|'));
const blockChars = '[\\p{Script=Han}\\p{Script=Katakana}ヶケ]';
const kanjiDigits = '[0-9一二三四五六七八九十]';

interface PiiRule {
  type: PiiType;
  regex: RegExp;
  /** Digits only, for the digit-count and check-digit guards. */
  accept?: (match: string, text: string, index: number) => boolean;
  /** Which capture group is the PII (default: the whole match). */
  group?: number;
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

function keywordNear(text: string, index: number, keyword: RegExp, before: number, after = 0): boolean {
  return keyword.test(text.slice(Math.max(0, index - before), index + after));
}

/** マイナンバー check digit: weights 6,5,4,3,2,7,6,5,4,3,2 over the first 11 digits. */
export function isValidMyNumber(digits: string): boolean {
  if (!/^\d{12}$/.test(digits)) return false;
  const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += Number(digits[i]) * weights[i]!;
  const r = sum % 11;
  return Number(digits[11]) === (r <= 1 ? 0 : 11 - r);
}

const myNumberKeyword = /マイナンバー|個人番号|my ?number/i;
const postalKeyword = /〒|住所|郵便/;
const birthKeyword = /生年月日|生まれ|誕生日|birth|DOB/i;

const rules: PiiRule[] = [
  { type: 'email', regex: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g },
  {
    type: 'phone',
    regex: new RegExp(`(?<![\\d-])\\+81${dash}?\\d{1,4}${dash}?\\d{1,4}${dash}?\\d{3,4}(?!\\d)`, 'g'),
  },
  {
    // Mobile and IP phones (070/080/090/050), 11 digits.
    type: 'phone',
    regex: new RegExp(`(?<![\\d+])0[5789]0${dash}?\\d{4}${dash}?\\d{4}(?![\\d])`, 'g'),
  },
  {
    // Landlines: 10 digits in total, area code 0X…; toll-free 0120/0800/0570 are businesses.
    type: 'phone',
    regex: new RegExp(`(?<![\\d+])0[1-9]\\d{0,3}(?:${dash}|\\(|\\))?\\d{1,4}(?:${dash}|\\(|\\))?\\d{4}(?!\\d)`, 'g'),
    accept: (m) => digitsOf(m).length === 10 && !/^0(?:120|800|570)/.test(digitsOf(m)),
  },
  {
    type: 'postal_code',
    regex: new RegExp(`(?<!\\d)(?:〒\\s?)?\\d{3}${dash}\\d{4}(?!\\d)|〒\\s?\\d{7}(?!\\d)`, 'g'),
    accept: (m, text, i) => m.includes('〒') || keywordNear(text, i, postalKeyword, 12),
  },
  {
    type: 'address',
    regex: new RegExp(
      `(?:${prefectures.join('|')})?${cityName}[市区町村郡]${blockChars}{0,12}?` +
        // Street detail is what makes it PII: 2-8-1, 3番5号, or at least 二丁目.
        `(?:${kanjiDigits}+丁目(?:${dash}?\\d+(?:番地?|${dash})\\d+(?:号|${dash}\\d+号?)?|${dash}?\\d+番地?)?` +
        `|\\d+(?:番地?|${dash})\\d+(?:号|${dash}\\d+号?)?)`,
      'gu',
    ),
  },
  {
    type: 'my_number',
    regex: /(?<!\d)\d{4}[- ]?\d{4}[- ]?\d{4}(?!\d)/g,
    // A valid check digit near the word anywhere in the post; right after the word (マイナンバー：…,
    // 個人番号 …) twelve digits are meant as one even when mistyped or made up, and must not be published.
    accept: (m, text, i) =>
      (isValidMyNumber(digitsOf(m)) && keywordNear(text, i, myNumberKeyword, 300, 300)) || keywordNear(text, i, myNumberKeyword, 16),
  },
  {
    type: 'insurance_number',
    regex: /(?:保険者番号|被保険者番号|保険証(?:の)?(?:番号)?|記号)[^\d\n]{0,12}(\d{6,8})(?!\d)/g,
    group: 1,
  },
  {
    // 記号 1234 番号 56: the 記号・番号 pair of a health-insurance card.
    type: 'insurance_number',
    regex: /記号\s*:?\s*[0-9A-Za-z-]{1,10}\s*[・,、]?\s*番号\s*:?\s*\d{1,10}/g,
  },
  {
    type: 'patient_id',
    regex: /(?:カルテ番号|カルテNo\.?|患者ID|患者番号|診察券番号|診察券No\.?|患者ナンバー)\s*[:は]?\s*([A-Za-z0-9-]{3,20})/gi,
    group: 1,
  },
  {
    type: 'birth_date',
    regex: new RegExp(`(?<!\\d)(?:19|20)\\d{2}(?:年|/|\\.|${dash})\\d{1,2}(?:月|/|\\.|${dash})\\d{1,2}日?`, 'g'),
    accept: (m, text, i) => keywordNear(text, i, birthKeyword, 20, m.length + 6),
  },
  {
    type: 'birth_date',
    regex: /(?:明治|大正|昭和|平成|令和)(?:元|\d{1,2})年\d{1,2}月\d{1,2}日/g,
    accept: (m, text, i) => keywordNear(text, i, birthKeyword, 20, m.length + 6),
  },
];

const honorifics = new Set([
  'さん',
  '様',
  'さま',
  '君',
  'くん',
  'ちゃん',
  '氏',
  '先生',
  '医師',
  '院長',
  '看護師',
  '師長',
  'ドクター',
  '殿',
]);
// 看護師の高橋, 担当は鈴木: a staff title right before a surname.
const titleBefore = /(?:先生|医師|院長|看護師|師長|ドクター|受付|担当|Dr\.?)(?:の|は|が)?$/;

function isKnownName(t: Token | undefined): boolean {
  return t !== undefined && t.pos_detail_1 === '固有名詞' && t.pos_detail_2 === '人名' && t.word_type === 'KNOWN';
}

/** Maps [start, end) in a derived text back to the original through its origin table. */
export function mapSpan(origin: Int32Array, original: string, start: number, end: number): [number, number] {
  const first = origin[start]!;
  const lastOrigin = origin[end - 1]!;
  const code = original.codePointAt(lastOrigin) ?? 0;
  return [first, lastOrigin + (code > 0xffff ? 2 : 1)];
}

/**
 * Personal names from kuromoji's 名詞・固有名詞・人名 tags. A lone surname-like word is too often
 * something else (place, brand, unknown word), so a name counts only next to a given name, an
 * honorific (さん, 先生) or a title (看護師の).
 */
function detectNames(tokens: readonly Token[], origin: Int32Array, original: string, allow: ReadonlySet<string> | undefined): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isKnownName(t)) continue;
    let j = i;
    while (isKnownName(tokens[j + 1])) j++;
    const next = tokens[j + 1];
    const fullName = j > i;
    const honorific = next !== undefined && honorifics.has(next.surface_form);
    const titled = titleBefore.test(
      tokens
        .slice(Math.max(0, i - 4), i)
        .map((x) => x.surface_form)
        .join(''),
    );
    if (fullName || honorific || titled) {
      const name = tokens
        .slice(i, j + 1)
        .map((x) => x.surface_form)
        .join('');
      if (!allow?.has(name) && !allow?.has(t.surface_form)) {
        const start = t.word_position - 1;
        const last = tokens[j]!;
        const end = last.word_position - 1 + last.surface_form.length;
        const [s, e] = mapSpan(origin, original, start, end);
        spans.push({ type: 'person_name', start: s, end: e });
      }
    }
    i = j;
  }
  return spans;
}

/**
 * All PII spans in `original`, non-overlapping, sorted by start. `folded` is foldWidth(original);
 * `tokens` come from the normalised text whose origin table is `tokenOrigin`.
 */
export function detectPiiSpans(
  original: string,
  folded: WidthFolded,
  tokens: readonly Token[],
  tokenOrigin: Int32Array,
  options: PiiOptions = {},
): PiiSpan[] {
  const text = folded.text;
  const candidates: PiiSpan[] = [];
  const hasDigit = /\d/.test(text);
  const hasBlock = hasDigit || text.includes('丁目');
  for (const rule of rules) {
    if (!hasDigit && rule.type !== 'email' && !(rule.type === 'address' && hasBlock)) continue;
    if (rule.type === 'email' && !text.includes('@')) continue;
    rule.regex.lastIndex = 0;
    for (const m of text.matchAll(rule.regex)) {
      const index = m.index;
      if (rule.accept && !rule.accept(m[0], text, index)) continue;
      let start = index;
      let end = index + m[0].length;
      if (rule.type === 'address') {
        // The pattern starts at the leftmost kanji run; a prefecture inside marks the real start.
        const prefecture = prefecturePattern.exec(m[0]);
        if (prefecture && prefecture.index > 0) start = index + prefecture.index;
      }
      if (rule.group !== undefined) {
        const g = m[rule.group];
        if (!g) continue;
        start = index + m[0].lastIndexOf(g);
        end = start + g.length;
      }
      const [s, e] = mapSpan(folded.origin, original, start, end);
      candidates.push({ type: rule.type, start: s, end: e });
    }
  }
  candidates.push(...detectNames(tokens, tokenOrigin, original, options.allowNames));
  // Longest span wins where they overlap (a postal code inside an address, digits of a phone
  // number inside a マイナンバー-like run).
  candidates.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const result: PiiSpan[] = [];
  for (const c of candidates) {
    const last = result[result.length - 1];
    if (last && c.start < last.end) {
      if (c.end - c.start > last.end - last.start) result[result.length - 1] = c;
      continue;
    }
    result.push(c);
  }
  return result;
}

const maskLabels: Record<PiiType, string> = {
  phone: '[電話番号]',
  postal_code: '[郵便番号]',
  email: '[メールアドレス]',
  address: '[住所]',
  my_number: '[マイナンバー]',
  insurance_number: '[保険証番号]',
  patient_id: '[患者ID]',
  birth_date: '[生年月日]',
  person_name: '[氏名]',
};

/** The kinds of personal data, as people call them. */
export const piiLabels: Record<PiiType, string> = {
  phone: '電話番号',
  postal_code: '郵便番号',
  email: 'メールアドレス',
  address: '住所',
  my_number: 'マイナンバー',
  insurance_number: '保険証番号',
  patient_id: '患者ID・カルテ番号',
  birth_date: '生年月日',
  person_name: '氏名',
};

/** Replaces each span with a label such as [電話番号]. Spans must be offsets into `text`. */
export function maskPii(text: string, pii: readonly { type: string; start: number; end: number }[]): string {
  const sorted = [...pii]
    .filter((p) => Number.isInteger(p.start) && Number.isInteger(p.end) && p.start >= 0 && p.end <= text.length && p.start < p.end)
    .sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const p of sorted) {
    if (p.start < cursor) continue;
    out += text.slice(cursor, p.start) + (maskLabels[p.type as PiiType] ?? '***');
    cursor = p.end;
  }
  return out + text.slice(cursor);
}
