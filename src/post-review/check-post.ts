import { readFileSync } from 'node:fs';
import { foldWidth } from '../analysis/normalize.ts';
import { detectPiiSpans, mapSpan, maskPii, piiLabels, type PiiSpan, type PiiType } from '../analysis/pii.ts';
import { sentencesOf } from '../statements/checker.ts';
import { channelLabels, channelLength, channelLengthUnit, channelLimits, hashtagCount, type Channel } from './channels.ts';
import {
  age,
  beforeAfter,
  beforeAfterRule,
  condition,
  consent,
  disclosure,
  freeCare,
  freePriceRule,
  identifiable,
  imagePatient,
  imagePerson,
  lengthRule,
  namedPatient,
  nobodyInImage,
  patientInImage,
  personInImage,
  placeOrDate,
  price,
} from './whole-post-rules.ts';

// The pre-publication check of the clinic's own posts (issue 17): a pure function over a draft —
// its text, its images' alt text and descriptions — returning findings an editor can highlight.
// Phrase rules are versioned data (rules.json, each with a flagged and a clean example that the
// tests run); rules that weigh several parts of a post together are code below: before/after
// photos without the required explanation, 自由診療 prices without the 限定解除 fields, personal
// data (the analysis PII detector, with the institution's own published details allowed), and a
// patient made identifiable by a combination of details or by what an image shows.
//
// Severity: 'block' stops approval unless a reviewer overrides it with a reason; findings with
// overridable=false (patient PII, マイナンバー, an identifiable patient, discrimination) can never
// be approved — the text has to change. 'warn' is shown and recorded; 'info' is advice.

export type PostFindingSeverity = 'block' | 'warn' | 'info';

export interface PostImage {
  /** Alternative text published with the image. */
  alt?: string;
  /** What the image shows, written for the reviewers (never published). */
  description?: string;
}

export interface PostDraft {
  channel: Channel;
  text: string;
  images?: readonly PostImage[];
}

/** The institution's own details, which it may publish (settings: phone, address, doctors' names). */
export interface OwnIdentifiers {
  phones?: readonly string[];
  emails?: readonly string[];
  addresses?: readonly string[];
  names?: readonly string[];
}

export interface CheckPostOptions {
  own?: OwnIdentifiers;
  /**
   * PII spans of the draft's text from the analysis detector with its tokenizer (names need
   * kuromoji: Analyzer.detectPii). Without them: numbers, addresses and e-mail, no names.
   */
  pii?: readonly PiiSpan[];
}

export interface PostFinding {
  /** Stable for the same draft: rule, field and offsets. A reviewer names it to override. */
  id: string;
  rule: string;
  category: string;
  severity: PostFindingSeverity;
  /** 'text', or the image field the finding is in: 'images.0.alt', 'images.1.description'. */
  field: string;
  /** UTF-16 offsets into that field; end exclusive. */
  start: number;
  end: number;
  /** The flagged words (PII masked). */
  excerpt: string;
  message_ja: string;
  advice_ja: string;
  /** The rule this applies: guideline section or policy. */
  cite: string;
  overridable: boolean;
}

interface RuleData {
  id: string;
  category: string;
  severity: PostFindingSeverity;
  overridable: boolean;
  patterns: string[];
  /** A sentence that also matches this is not flagged (a stated basis for a number). */
  unless?: string;
  message_ja: string;
  advice_ja: string;
  cite: string;
  examples: { flagged: string; clean: string };
}

export interface PostRules {
  version: string;
  rules: RuleData[];
}

interface CompiledRule extends RuleData {
  regexes: RegExp[];
  unlessRe: RegExp | null;
}

/** The phrase rules as data, checked once: a bad pattern fails at load, naming the rule. */
export function loadPostRules(): PostRules {
  return JSON.parse(readFileSync(new URL('./rules.json', import.meta.url), 'utf8')) as PostRules;
}

let compiled: { version: string; rules: CompiledRule[] } | null = null;

function compiledRules(): { version: string; rules: CompiledRule[] } {
  if (compiled) return compiled;
  const data = loadPostRules();
  compiled = {
    version: data.version,
    rules: data.rules.map((r) => {
      try {
        return { ...r, regexes: r.patterns.map((p) => new RegExp(p, 'gu')), unlessRe: r.unless ? new RegExp(r.unless, 'u') : null };
      } catch (err) {
        throw new Error(`src/post-review/rules.json: rule ${r.id}: ${(err as Error).message}`, { cause: err });
      }
    }),
  };
  return compiled;
}

/** Version of the rules a check ran with (stored beside each check's findings). */
export function postRulesVersion(): string {
  return `${compiledRules().version}+code-2`;
}

const digits = (s: string) => s.normalize('NFKC').replace(/\D/g, '');
const fold = (s: string) => s.normalize('NFKC').replace(/\s/g, '').toLowerCase();

// Identifiers that are never the institution's own: no reason makes publishing them right.
const neverPublish: ReadonlySet<PiiType> = new Set(['my_number', 'insurance_number', 'patient_id', 'birth_date']);

function isOwn(type: PiiType, value: string, own: OwnIdentifiers): boolean {
  if (type === 'phone') return (own.phones ?? []).some((p) => digits(p) !== '' && digits(p) === digits(value));
  if (type === 'email') return (own.emails ?? []).some((e) => fold(e) === fold(value));
  if (type === 'address' || type === 'postal_code') return (own.addresses ?? []).some((a) => fold(a).includes(fold(value)));
  if (type === 'person_name') return (own.names ?? []).some((n) => fold(n) === fold(value));
  return false;
}

/**
 * Findings for one draft, sorted by field and position. Pure: the same draft, rules and options
 * give the same findings (approval re-runs it on the exact text approved).
 */
export function checkPost(draft: PostDraft, options: CheckPostOptions = {}): PostFinding[] {
  const own = options.own ?? {};
  const findings: PostFinding[] = [];
  const fields: { field: string; text: string }[] = [{ field: 'text', text: draft.text }];
  (draft.images ?? []).forEach((img, i) => {
    if (img.alt) fields.push({ field: `images.${i}.alt`, text: img.alt });
    if (img.description) fields.push({ field: `images.${i}.description`, text: img.description });
  });

  const add = (
    field: string,
    original: string,
    rule: Pick<RuleData, 'id' | 'category' | 'severity' | 'overridable' | 'message_ja' | 'advice_ja' | 'cite'>,
    start: number,
    end: number,
    message = rule.message_ja,
    pii: readonly PiiSpan[] = [],
  ) => {
    const local = pii.filter((p) => p.start >= start && p.end <= end).map((p) => ({ ...p, start: p.start - start, end: p.end - start }));
    findings.push({
      id: `${rule.id}:${field}:${start}-${end}`,
      rule: rule.id,
      category: rule.category,
      severity: rule.severity,
      field,
      start,
      end,
      excerpt: maskPii(original.slice(start, end), local).slice(0, 120),
      message_ja: message,
      advice_ja: rule.advice_ja,
      cite: rule.cite,
      overridable: rule.overridable,
    });
  };

  for (const { field, text } of fields) {
    const folded = foldWidth(text);
    const pii = field === 'text' && options.pii ? options.pii : detectPiiSpans(text, folded, [], new Int32Array(0));
    // Phrase rules, sentence by sentence on the width-folded text; offsets back to the original.
    for (const rule of compiledRules().rules) {
      for (const s of sentencesOf(folded.text)) {
        if (rule.unlessRe?.test(s.text)) continue;
        for (const re of rule.regexes) {
          re.lastIndex = 0;
          for (const m of s.text.matchAll(re)) {
            if (m[0].length === 0) continue;
            const [start, end] = mapSpan(folded.origin, text, s.start + m.index, s.start + m.index + m[0].length);
            add(field, text, rule, start, end);
          }
        }
      }
    }
    // Personal data: the institution's own published details are allowed.
    for (const p of pii) {
      const value = text.slice(p.start, p.end);
      if (isOwn(p.type, value, own)) continue;
      const never = neverPublish.has(p.type);
      add(
        field,
        text,
        {
          id: never ? 'patient_identifier' : 'personal_data',
          category: '個人情報',
          severity: 'block',
          overridable: !never,
          message_ja: `${piiLabels[p.type]}が含まれています${never ? '（公開できない識別子）' : ''}。`,
          advice_ja: never
            ? 'マイナンバー・保険証番号・患者ID・生年月日は公開できません。削除してください。'
            : '当院の公開情報（設定に登録した電話番号・住所・医師名）以外の個人情報は載せないでください。',
          cite: '個人情報保護法（要配慮個人情報）・刑法134条（秘密漏示）・../shared/DOMAIN.md §2',
        },
        p.start,
        p.end,
        undefined,
        [p],
      );
    }
    // A patient made identifiable: age + condition + place or date in one sentence, or a named patient.
    for (const s of sentencesOf(folded.text)) {
      const named = namedPatient.exec(s.text);
      const ownName = named && (own.names ?? []).some((n) => fold(n).includes(fold(named[1]!)));
      const combined = age.test(s.text) && condition.test(s.text) && placeOrDate.test(s.text);
      if (combined || (named && !ownName)) {
        const [start, end] = mapSpan(folded.origin, text, s.start, s.end);
        add(field, text, identifiable, start, end, combined ? identifiable.message_ja : '患者の名前が書かれています。', pii);
      }
    }
    // What an image shows (its description): a patient, a name tag, a chart.
    if (field.endsWith('.description')) {
      const patient = patientInImage.exec(folded.text);
      if (patient) {
        const [start, end] = mapSpan(folded.origin, text, patient.index, patient.index + patient[0].length);
        add(field, text, imagePatient, start, end);
      } else {
        const person = personInImage.exec(folded.text);
        if (person && !consent.test(folded.text) && !nobodyInImage.test(folded.text)) {
          const [start, end] = mapSpan(folded.origin, text, person.index, person.index + person[0].length);
          add(field, text, imagePerson, start, end);
        }
      }
    }
  }

  const all = [draft.text, ...(draft.images ?? []).map((i) => i.description ?? '')].join('\n');
  // 術前術後: treatment, cost, period or sessions and the main risks, in the post itself.
  if (beforeAfter.test(all.normalize('NFKC'))) {
    const missing = (['content', 'cost', 'period', 'risk'] as const).filter((k) => !disclosure[k].re.test(draft.text.normalize('NFKC')));
    if (missing.length > 0) {
      add(
        'text',
        draft.text,
        beforeAfterRule,
        0,
        0,
        `術前術後の写真・説明に、${missing.map((k) => disclosure[k].ja).join('・')}の記載がありません。`,
      );
    }
  }
  // 自由診療の料金: the 限定解除 fields (content, cost, period, risks, contact) in the same post.
  const text = draft.text.normalize('NFKC');
  if (freeCare.test(text) && price.test(text)) {
    const missing = (['content', 'period', 'risk', 'contact'] as const).filter((k) => !disclosure[k].re.test(text));
    if (missing.length > 0) {
      add(
        'text',
        draft.text,
        freePriceRule,
        0,
        0,
        `自由診療の料金に、${missing.map((k) => disclosure[k].ja).join('・')}の記載がありません（限定解除の要件）。`,
      );
    }
  }
  // The channel's limits.
  const limits = channelLimits[draft.channel];
  const length = channelLength(draft.channel, draft.text);
  if (limits.maxLength !== null && length > limits.maxLength) {
    add(
      'text',
      draft.text,
      lengthRule,
      0,
      draft.text.length,
      `${channelLabels[draft.channel]}の上限 ${limits.maxLength} を超えています（${channelLengthUnit[draft.channel]} ${length}）。`,
    );
  }
  const tags = hashtagCount(draft.text);
  if (limits.maxHashtags !== null && tags > limits.maxHashtags) {
    add('text', draft.text, lengthRule, 0, 0, `ハッシュタグが ${tags} 個あります（上限 ${limits.maxHashtags} 個）。`);
  }
  const images = draft.images?.length ?? 0;
  if (limits.maxImages !== null && images > limits.maxImages) {
    add(
      'text',
      draft.text,
      lengthRule,
      0,
      0,
      `画像が ${images} 枚あります（${channelLabels[draft.channel]}は ${limits.maxImages} 枚まで）。`,
    );
  }

  // One finding per stretch of words: overlapping matches of one rule (地域No / No.1) merge.
  findings.sort((a, b) => a.field.localeCompare(b.field) || a.rule.localeCompare(b.rule) || a.start - b.start || a.end - b.end);
  const merged: PostFinding[] = [];
  for (const f of findings) {
    const last = merged[merged.length - 1];
    if (last && last.rule === f.rule && last.field === f.field && f.start < last.end && f.end > f.start) {
      if (f.end > last.end) {
        const source = f.field === 'text' ? draft.text : (fields.find((x) => x.field === f.field)?.text ?? '');
        last.end = f.end;
        last.id = `${last.rule}:${last.field}:${last.start}-${last.end}`;
        last.excerpt =
          f.rule === 'personal_data' || f.rule === 'patient_identifier' ? last.excerpt : source.slice(last.start, last.end).slice(0, 120);
      }
      continue;
    }
    if (last && last.id === f.id) continue;
    merged.push(f);
  }
  return merged.sort((a, b) => a.field.localeCompare(b.field) || a.start - b.start || a.end - b.end || a.rule.localeCompare(b.rule));
}

/** Findings that stop approval. */
export function blockingPostFindings(findings: readonly PostFinding[]): PostFinding[] {
  return findings.filter((f) => f.severity === 'block');
}
