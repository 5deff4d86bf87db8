import type { Token } from './tokenizer.ts';
import { baseForm } from './tokenizer.ts';

// Search lexemes: the words a post can be found by (mentions.search, a tsvector of these). Postgres
// cannot split Japanese, kuromoji can; a query is split the same way (`queryLexemes`) and must find
// all of its words. Words inside detected personal data are left out, so a search for a patient's
// name or phone number cannot tell someone who may not see it which posts contain it.

const maxLexemes = 1000;
const maxLexemeChars = 64;
const maxQueryLexemes = 16;
// kuromoji tags runs of ASCII symbols (!!, --) as nouns: a word must hold a letter or a digit.
const wordLike = /[\p{L}\p{N}]/u;

function lexemeOf(word: string): string | null {
  const w = word.toLowerCase();
  return w.length > maxLexemeChars || !wordLike.test(w) ? null : w;
}

/** A token worth searching for: not punctuation or symbols. */
function searchable(t: Token): boolean {
  return t.pos !== '記号' && wordLike.test(t.surface_form);
}

/**
 * The lexemes of an analysed text: every token's surface and dictionary form. `origin` maps the
 * tokenised (normalised) text back to the original, where the PII spans point.
 */
export function searchLexemes(tokens: readonly Token[], origin: Int32Array, pii: readonly { start: number; end: number }[]): string[] {
  const out = new Set<string>();
  for (const t of tokens) {
    if (!searchable(t)) continue;
    const start = origin[t.word_position - 1] ?? 0;
    const end = origin[t.word_position - 1 + t.surface_form.length] ?? start;
    if (pii.some((p) => p.start < end && start < p.end)) continue;
    for (const word of [t.surface_form, baseForm(t)]) {
      const lexeme = lexemeOf(word);
      if (lexeme) out.add(lexeme);
    }
    if (out.size >= maxLexemes) break;
  }
  return [...out];
}

/** The words of a search query, in order, without repeats (at most 16). */
export function queryLexemes(tokens: readonly Token[]): string[] {
  const out = new Set<string>();
  for (const t of tokens) {
    if (!searchable(t)) continue;
    const lexeme = lexemeOf(t.surface_form);
    if (lexeme) out.add(lexeme);
    if (out.size >= maxQueryLexemes) break;
  }
  return [...out];
}
