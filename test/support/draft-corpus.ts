import { readFileSync } from 'node:fs';
import { channels, type Channel } from '../../src/post-review/channels.ts';
import { loadPostRules, type OwnIdentifiers, type PostDraft } from '../../src/post-review/check-post.ts';
import { runPostCheck } from '../../src/post-review/run-check.ts';
import * as wholePost from '../../src/post-review/whole-post-rules.ts';

// The clinic-draft test set (test/fixtures/clinic-drafts.tsv) and its scoring, shared by the test
// that holds the floors and `npm run eval:drafts`, which prints the table.

/** The institution the drafts are written for: what it publishes about itself may appear. */
export const corpusClinic: OwnIdentifiers = {
  phones: ['03-1234-5678'],
  addresses: ['東京都世田谷区桜台1-2-3'],
  names: ['山田 一郎', '佐藤 花子'],
};

export interface CorpusDraft {
  line: number;
  expected: string[];
  draft: PostDraft;
}

/** The main set (240 drafts), or the held-out one written after the rules last changed (40). */
export function loadDraftCorpus(file: 'clinic-drafts.tsv' | 'clinic-drafts-holdout.tsv' = 'clinic-drafts.tsv'): CorpusDraft[] {
  const lines = readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8').split('\n');
  const out: CorpusDraft[] = [];
  lines.forEach((raw, i) => {
    if (raw === '' || raw.startsWith('#')) return;
    const [rules = '', channel = '', text = '', image = ''] = raw.split('\t');
    if (!(channels as readonly string[]).includes(channel)) throw new Error(`${file}:${i + 1}: unknown channel ${channel}`);
    const unescape = (s: string) => s.replace(/\\n/g, '\n');
    out.push({
      line: i + 1,
      expected: rules === '' ? [] : rules.split(','),
      draft: { channel: channel as Channel, text: unescape(text), images: image ? [{ description: unescape(image) }] : [] },
    });
  });
  return out;
}

/** Every rule's category: the phrase rules' (rules.json), the whole-post rules' and personal data's. */
export function ruleCategories(): Map<string, string> {
  const m = new Map<string, string>(loadPostRules().rules.map((r) => [r.id, r.category]));
  for (const r of [
    wholePost.identifiable,
    wholePost.imagePatient,
    wholePost.imagePerson,
    wholePost.beforeAfterRule,
    wholePost.freePriceRule,
    wholePost.lengthRule,
  ])
    m.set(r.id, r.category);
  m.set('personal_data', '個人情報');
  m.set('patient_identifier', '個人情報');
  return m;
}

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

export interface CorpusScore {
  drafts: number;
  clean: number;
  /** Clean drafts with at least one finding of any severity. */
  cleanFlagged: number;
  byCategory: Map<string, Tally>;
  byRule: Map<string, Tally>;
  overall: Tally;
  /** Each miss and each false alarm, with the draft's line, for reading. */
  misses: { line: number; rule: string; text: string }[];
  falseAlarms: { line: number; rule: string; excerpt: string; text: string }[];
}

/**
 * Scores the checker on the set, per draft and rule: a rule found and expected is a true positive,
 * found but not expected a false positive (any severity — a clean post drowned in warnings is a
 * cost), expected but not found a false negative.
 */
export async function scoreDraftCorpus(corpus: CorpusDraft[] = loadDraftCorpus()): Promise<CorpusScore> {
  const categories = ruleCategories();
  const score: CorpusScore = {
    drafts: corpus.length,
    clean: 0,
    cleanFlagged: 0,
    byCategory: new Map(),
    byRule: new Map(),
    overall: { tp: 0, fp: 0, fn: 0 },
    misses: [],
    falseAlarms: [],
  };
  const bump = (rule: string, key: keyof Tally) => {
    const category = categories.get(rule) ?? rule;
    for (const [map, k] of [
      [score.byCategory, category],
      [score.byRule, rule],
    ] as const) {
      const t = map.get(k) ?? { tp: 0, fp: 0, fn: 0 };
      t[key]++;
      map.set(k, t);
    }
    score.overall[key]++;
  };
  for (const c of corpus) {
    const { findings } = await runPostCheck(c.draft, corpusClinic);
    const found = new Set(findings.map((f) => f.rule));
    const expected = new Set(c.expected);
    if (expected.size === 0) {
      score.clean++;
      if (found.size > 0) score.cleanFlagged++;
    }
    for (const rule of found) {
      if (expected.has(rule)) bump(rule, 'tp');
      else {
        bump(rule, 'fp');
        score.falseAlarms.push({ line: c.line, rule, excerpt: findings.find((f) => f.rule === rule)!.excerpt, text: c.draft.text });
      }
    }
    for (const rule of expected) {
      if (!found.has(rule)) {
        bump(rule, 'fn');
        score.misses.push({ line: c.line, rule, text: c.draft.text });
      }
    }
  }
  return score;
}

export const precision = (t: Tally) => (t.tp + t.fp === 0 ? 1 : t.tp / (t.tp + t.fp));
export const recall = (t: Tally) => (t.tp + t.fn === 0 ? 1 : t.tp / (t.tp + t.fn));
