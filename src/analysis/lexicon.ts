import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.ts';

// The sentiment lexicon: our own data file (data/lexicon.tsv) plus an optional user file in the
// same format (HINOKO_LEXICON_EXTRA). Parsing is strict because a silently ignored line would
// make results change for no visible reason.

export const lexiconKinds = ['polar', 'symbol', 'en', 'intensifier', 'en-intensifier', 'negator', 'en-negator', 'contrast'] as const;
export type LexiconKind = (typeof lexiconKinds)[number];

export interface LexiconEntry {
  kind: LexiconKind;
  term: string;
  value: number;
}

export interface Lexicon {
  /** Japanese words and phrases; keys NFKC-normalised, last word in dictionary form. */
  polar: Map<string, number>;
  /** Every proper prefix of a polar key, so a phrase look-up stops as soon as nothing can match. */
  polarPrefixes: Set<string>;
  /** Emoji, emoticons, kaomoji. */
  symbols: Map<string, number>;
  english: Map<string, number>;
  intensifiers: Map<string, number>;
  englishIntensifiers: Map<string, number>;
  negators: Set<string>;
  englishNegators: Set<string>;
  contrasts: Map<string, number>;
}

const kindSet = new Set<string>(lexiconKinds);
const maxTermChars = 40;
const maxExtraBytes = 5 * 1024 * 1024;

function valueRange(kind: LexiconKind): [number, number] | null {
  switch (kind) {
    case 'polar':
    case 'symbol':
    case 'en':
      return [-3, 3];
    case 'intensifier':
    case 'en-intensifier':
      return [0, 3];
    case 'contrast':
      return [0, 1];
    case 'negator':
    case 'en-negator':
      return null;
  }
}

/** Parses lexicon TSV text. `source` names the file in error messages. */
export function parseLexicon(content: string, source: string): LexiconEntry[] {
  const entries: LexiconEntry[] = [];
  const lines = content.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const where = `${source}:${n + 1}`;
    const cols = raw.split('\t');
    const kind = cols[0]!.trim();
    const term = (cols[1] ?? '').trim().normalize('NFKC');
    if (!kindSet.has(kind)) {
      throw new ValidationError(
        `${where}: 種別 "${kind.slice(0, 30)}" は不明です (unknown kind; expected one of ${lexiconKinds.join(', ')})`,
      );
    }
    if (term === '' || term.length > maxTermChars) {
      throw new ValidationError(`${where}: 語が空か ${maxTermChars} 文字を超えています (term missing or too long)`);
    }
    const range = valueRange(kind as LexiconKind);
    let value = 0;
    if (range) {
      const rawValue = (cols[2] ?? '').trim();
      value = Number(rawValue);
      if (rawValue === '' || !Number.isFinite(value) || value < range[0] || value > range[1]) {
        throw new ValidationError(
          `${where}: 値 "${rawValue.slice(0, 20)}" は ${range[0]}〜${range[1]} の数値である必要があります (value must be a number in [${range[0]}, ${range[1]}])`,
        );
      }
    }
    entries.push({ kind: kind as LexiconKind, term: kind.startsWith('en') ? term.toLowerCase() : term, value });
  }
  return entries;
}

export function readLexiconFile(file: string): string {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    throw new ValidationError(
      `${file}: 辞書ファイルを読めません (cannot read lexicon file: ${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (content.length > maxExtraBytes) {
    throw new ValidationError(`${file}: 辞書ファイルが大きすぎます (lexicon file larger than ${maxExtraBytes} bytes)`);
  }
  return content.toString('utf8');
}

/** Later entries override earlier ones, so a user's extra file can re-weight our words. */
export function buildLexicon(entries: readonly LexiconEntry[]): Lexicon {
  const lexicon: Lexicon = {
    polar: new Map(),
    polarPrefixes: new Set(),
    symbols: new Map(),
    english: new Map(),
    intensifiers: new Map(),
    englishIntensifiers: new Map(),
    negators: new Set(),
    englishNegators: new Set(),
    contrasts: new Map(),
  };
  for (const e of entries) {
    switch (e.kind) {
      case 'polar':
        lexicon.polar.set(e.term, e.value);
        for (let n = 1; n < e.term.length; n++) lexicon.polarPrefixes.add(e.term.slice(0, n));
        break;
      case 'symbol':
        lexicon.symbols.set(e.term, e.value);
        break;
      case 'en':
        lexicon.english.set(e.term, e.value);
        break;
      case 'intensifier':
        lexicon.intensifiers.set(e.term, e.value);
        break;
      case 'en-intensifier':
        lexicon.englishIntensifiers.set(e.term, e.value);
        break;
      case 'negator':
        lexicon.negators.add(e.term);
        break;
      case 'en-negator':
        lexicon.englishNegators.add(e.term);
        break;
      case 'contrast':
        lexicon.contrasts.set(e.term, e.value);
        break;
    }
  }
  return lexicon;
}
