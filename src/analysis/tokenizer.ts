import { createRequire } from 'node:module';
import path from 'node:path';
import kuromoji from 'kuromoji';

export type Token = kuromoji.IpadicFeatures;
export type Tokenizer = kuromoji.Tokenizer<Token>;

let tokenizerPromise: Promise<Tokenizer> | null = null;

function dictionaryDir(): string {
  // Resolved from the installed package, not the working directory, so the CLI works anywhere.
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('kuromoji/package.json')), 'dict');
}

/**
 * The shared kuromoji tokenizer. Building it takes about a second and 300 MB, so it is built
 * once per process; every caller gets the same promise.
 */
export function loadTokenizer(): Promise<Tokenizer> {
  tokenizerPromise ??= new Promise<Tokenizer>((resolve, reject) => {
    kuromoji.builder({ dicPath: dictionaryDir() }).build((err, tokenizer) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(speedUp(tokenizer));
    });
  }).catch((err: unknown) => {
    // A failed load must not poison the process: the next caller may retry.
    tokenizerPromise = null;
    throw err;
  });
  return tokenizerPromise;
}

interface DoubleArrayTrie {
  traverse(parent: number, code: number): number;
  bc: { getBase(node: number): number };
  commonPrefixSearch(key: string): { k: string; v?: number }[];
}

interface KuromojiInternals {
  viterbi_builder: { trie: DoubleArrayTrie };
  token_info_dictionary: { getFeatures(id: string): string };
  unknown_dictionary: { getFeatures(id: string): string };
}

const NOT_FOUND = -1;
const ROOT = 0;
const TERMINAL = 0;

/**
 * The same answer as the trie's own commonPrefixSearch — every dictionary word that is a prefix
 * of `key`, as { k: word, v: id } — but walked one character at a time, stopping at the first
 * byte the trie does not know. The original UTF-8-encodes the whole key into a new buffer first,
 * and kuromoji calls it with the whole rest of the sentence at every character.
 */
function prefixSearch(trie: DoubleArrayTrie, key: string): { k: string; v?: number }[] {
  const result: { k: string; v?: number }[] = [];
  const bytes = [0, 0, 0, 0];
  let parent = ROOT;
  for (let i = 0; i < key.length; ) {
    let cp = key.charCodeAt(i);
    let next = i + 1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const low = key.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return result;
      cp = (cp - 0xd800) * 0x400 + 0x10000 + (low - 0xdc00);
      next = i + 2;
    }
    let n: number;
    if (cp < 0x80) {
      bytes[0] = cp; n = 1;
    } else if (cp < 0x800) {
      bytes[0] = (cp >>> 6) | 0xc0; bytes[1] = (cp & 0x3f) | 0x80; n = 2;
    } else if (cp < 0x10000) {
      bytes[0] = (cp >>> 12) | 0xe0; bytes[1] = ((cp >> 6) & 0x3f) | 0x80; bytes[2] = (cp & 0x3f) | 0x80; n = 3;
    } else {
      bytes[0] = (cp >>> 18) | 0xf0; bytes[1] = ((cp >> 12) & 0x3f) | 0x80; bytes[2] = ((cp >> 6) & 0x3f) | 0x80; bytes[3] = (cp & 0x3f) | 0x80; n = 4;
    }
    for (let b = 0; b < n; b++) {
      const child = trie.traverse(parent, bytes[b]!);
      if (child === NOT_FOUND) return result;
      parent = child;
    }
    // Dictionary keys are whole characters, so a word can only end on a character boundary.
    const end = trie.traverse(parent, TERMINAL);
    if (end !== NOT_FOUND) {
      const base = trie.bc.getBase(end);
      result.push(base <= 0 ? { v: -base - 1, k: key.slice(0, next) } : { k: key.slice(0, next) });
    }
    i = next;
  }
  return result;
}

/**
 * Two measured hot spots of kuromoji 0.1.2, removed without changing a single token (checked
 * by test/unit/analysis/tokenizer.test.ts against an unpatched tokenizer):
 * - the lattice builder's trie lookup encoded the whole rest of the sentence into a fresh buffer
 *   at every character (a quarter of the time in a profile): replaced by prefixSearch above;
 * - every token decoded its feature line from the dictionary buffer again: cached per entry.
 */
export function speedUp(tokenizer: Tokenizer): Tokenizer {
  const internals = tokenizer as unknown as KuromojiInternals;
  const trie = internals.viterbi_builder.trie;
  trie.commonPrefixSearch = (key: string) => prefixSearch(trie, key);
  for (const dictionary of [internals.token_info_dictionary, internals.unknown_dictionary]) {
    const getFeatures = dictionary.getFeatures.bind(dictionary);
    const cache = new Map<string, string>();
    dictionary.getFeatures = (id: string) => {
      let features = cache.get(id);
      if (features === undefined) {
        features = getFeatures(id);
        cache.set(id, features);
      }
      return features;
    };
  }
  return tokenizer;
}

/** The dictionary form, falling back to the surface for unknown words (basic_form is '*'). */
export function baseForm(token: Token): string {
  return token.basic_form === '*' ? token.surface_form : token.basic_form;
}
