import { readFileSync } from 'node:fs';
import type { Token } from './tokenizer.ts';

// Nouns and noun compounds for emerging-term detection. Adjacent nouns are joined (待ち + 時間 →
// 待ち時間, 説明 + 不足 → 説明不足) because the compound is what people repeat. Personal names
// are left out: emerging terms are shown in dashboards and must not spread PII.

const maxTermsPerText = 30;
const maxTermChars = 30;
const maxCompoundTokens = 4;

export function loadStopwords(file: URL): Set<string> {
  const words = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const w = line.trim();
    if (w && !w.startsWith('#')) words.add(w.normalize('NFKC'));
  }
  return words;
}

function startsCompound(t: Token): boolean {
  if (t.pos !== '名詞') return false;
  const d1 = t.pos_detail_1;
  if (d1 === '非自立' || d1 === '代名詞' || d1 === '数' || d1 === '接尾' || (d1 === '副詞可能' && t.surface_form.length < 2)) return false;
  if (d1 === '特殊' || t.pos_detail_2 === '人名') return false;
  return true;
}

const laughter = /^[wｗ]+$/i;

function continuesCompound(t: Token): boolean {
  if (t.pos !== '名詞' || laughter.test(t.surface_form)) return false;
  const d1 = t.pos_detail_1;
  if (d1 === '非自立' || d1 === '代名詞' || d1 === '数' || d1 === '特殊' || t.pos_detail_2 === '人名') return false;
  // 接尾 such as 感 (清潔感), 師 (看護師), 科 (皮膚科) belong to the compound.
  return !(d1 === '接尾' && t.pos_detail_2 === '人名');
}

const numberLike = /^[0-9０-９一二三四五六七八九十百千万億兆.,]+$/;
const singleKana = /^[\u3040-\u30ffー]$/;
// Letters, digits, the long-vowel mark and middle dot only: kaomoji fragments like (t_t are not terms.
const notTermChar = /[^\p{L}\p{N}ー・]/u;
const asciiShort = /^[a-z0-9]{1,2}$/i;

function acceptable(term: string, stopwords: ReadonlySet<string>): boolean {
  if (term.length > maxTermChars || term.length < 1) return false;
  if (numberLike.test(term) || singleKana.test(term) || notTermChar.test(term) || asciiShort.test(term)) return false;
  if (laughter.test(term)) return false;
  return !stopwords.has(term);
}

/** Deduplicated nouns and noun compounds, in order of first appearance, then hashtags. */
export function extractTerms(tokens: readonly Token[], hashtags: readonly string[], stopwords: ReadonlySet<string>): string[] {
  const terms = new Set<string>();
  let i = 0;
  while (i < tokens.length && terms.size < maxTermsPerText) {
    const t = tokens[i]!;
    if (!startsCompound(t)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < tokens.length && j - i < maxCompoundTokens && continuesCompound(tokens[j]!)) j++;
    let term = '';
    for (let k = i; k < j; k++) term += tokens[k]!.surface_form;
    term = term.toLowerCase();
    if (acceptable(term, stopwords)) terms.add(term);
    i = j;
  }
  for (const tag of hashtags) {
    if (terms.size >= maxTermsPerText) break;
    const term = tag.toLowerCase();
    if (acceptable(term, stopwords)) terms.add(term);
  }
  return [...terms];
}
