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

interface CharClass {
  class_id: number;
  class_name: string;
  is_always_invoke: number;
  is_grouping: number;
}

interface WordDictionary {
  target_map: Record<number, (number | string)[]>;
  dictionary: { getShort(offset: number): number };
  getFeatures(id: string): string;
}

interface LatticeBuilder {
  trie: DoubleArrayTrie;
  token_info_dictionary: WordDictionary;
  unknown_dictionary: WordDictionary & { lookup(ch: string): CharClass };
  build(sentence: string): unknown;
}

interface LatticeNode {
  name: number;
  type: string;
  start_pos: number;
  surface_form: string;
  left_id: number;
  right_id: number;
  cost: number;
  shortest_cost: number;
  prev: LatticeNode | null;
}

interface Lattice {
  nodes_end_at: (LatticeNode[] | undefined)[];
  eos_pos: number;
}

interface ConnectionCosts {
  buffer: Int16Array;
  backward_dimension: number;
}

/**
 * kuromoji's Viterbi search with the connection-cost lookup inlined (it was a method call with a
 * bounds check per edge). Same algorithm, same tie-breaking, and the same quirk: the best
 * predecessor is carried over from the previous node when none improves on Number.MAX_VALUE.
 */
function viterbiSearch(costs: ConnectionCosts, lattice: Lattice): LatticeNode[] {
  const table = costs.buffer;
  const dim = costs.backward_dimension;
  let shortestPrev: LatticeNode | null | undefined;
  for (let i = 1; i <= lattice.eos_pos; i++) {
    const nodes = lattice.nodes_end_at[i];
    if (nodes == null) continue;
    for (let j = 0; j < nodes.length; j++) {
      const node = nodes[j]!;
      let cost = Number.MAX_VALUE;
      const prevNodes = lattice.nodes_end_at[node.start_pos - 1];
      if (prevNodes == null) continue;
      const left = node.left_id + 2;
      for (let k = 0; k < prevNodes.length; k++) {
        const prev = prevNodes[k]!;
        const c = prev.shortest_cost + table[prev.right_id * dim + left]! + node.cost;
        if (c < cost) {
          shortestPrev = prev;
          cost = c;
        }
      }
      node.prev = shortestPrev ?? null;
      node.shortest_cost = cost;
    }
  }
  const path: LatticeNode[] = [];
  const ends = lattice.nodes_end_at;
  let back = ends[ends.length - 1]![0]!.prev;
  if (back == null) return [];
  while (back.type !== 'BOS') {
    path.push(back);
    if (back.prev == null) return [];
    back = back.prev;
  }
  return path.reverse();
}

interface KuromojiInternals {
  viterbi_builder: LatticeBuilder;
  viterbi_searcher: { search(lattice: unknown): LatticeNode[]; connection_costs: ConnectionCosts };
  token_info_dictionary: WordDictionary;
  unknown_dictionary: WordDictionary;
  tokenizeForSentence(sentence: string, tokens?: Token[]): Token[];
}

const requireKuromoji = createRequire(import.meta.url);
const ViterbiLattice = requireKuromoji('kuromoji/src/viterbi/ViterbiLattice.js') as new () => {
  append(node: unknown): void;
  appendEos(): void;
};
const ViterbiNode = requireKuromoji('kuromoji/src/viterbi/ViterbiNode.js') as new (
  name: number,
  cost: number,
  startPos: number,
  length: number,
  type: string,
  leftId: number,
  rightId: number,
  surface: string,
) => unknown;

/**
 * kuromoji's lattice construction, rewritten to give the same lattice in linear time. The
 * original re-wraps the rest of the sentence at every character (so a post costs O(n²)) and scans
 * a run of same-class characters again from every position inside it. Here the code points, their
 * character classes and the end of each same-class run are computed once.
 * Quirks kept on purpose so the tokens stay identical: an unknown word of one character has length
 * 1 even when it is a surrogate pair, a grouped one has its UTF-16 length.
 */
const classCache = new Map<number, CharClass>();

interface Entry {
  id: number;
  left: number;
  right: number;
  cost: number;
}
const entryCache = new Map<number, Entry[]>();

/** The dictionary entries (homographs) of one trie word, decoded from the dictionary buffer once. */
function entriesOf(dictionary: WordDictionary, trieId: number): Entry[] {
  let entries = entryCache.get(trieId);
  if (entries === undefined) {
    const d = dictionary.dictionary;
    entries = dictionary.target_map[trieId]!.map((raw) => {
      const id = typeof raw === 'number' ? raw : parseInt(raw, 10);
      return { id, left: d.getShort(id), right: d.getShort(id + 2), cost: d.getShort(id + 4) };
    });
    entryCache.set(trieId, entries);
  }
  return entries;
}

function buildLattice(b: LatticeBuilder, sentence: string): unknown {
  const lattice = new ViterbiLattice();
  const starts: number[] = [];
  for (let i = 0; i < sentence.length; i++) {
    starts.push(i);
    const c = sentence.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
  }
  const n = starts.length;
  const charAt = (k: number) => sentence.slice(starts[k], k + 1 < n ? starts[k + 1] : undefined);
  const classes = new Array<CharClass>(n);
  for (let k = 0; k < n; k++) {
    // A character's class depends on the character alone: looked up once per distinct character.
    const code = sentence.codePointAt(starts[k]!)!;
    let cls = classCache.get(code);
    if (cls === undefined) {
      cls = b.unknown_dictionary.lookup(charAt(k));
      classCache.set(code, cls);
    }
    classes[k] = cls;
  }
  const runEnd = new Array<number>(n);
  for (let k = n - 1; k >= 0; k--) {
    runEnd[k] = k + 1 < n && classes[k + 1]!.class_name === classes[k]!.class_name ? runEnd[k + 1]! : k + 1;
  }
  const known = b.token_info_dictionary;
  const unknown = b.unknown_dictionary;
  for (let pos = 0; pos < n; pos++) {
    const vocabulary = prefixSearch(b.trie, sentence, starts[pos]);
    for (const word of vocabulary) {
      for (const e of entriesOf(known, word.v!)) {
        lattice.append(new ViterbiNode(e.id, e.cost, pos + 1, word.k.length, 'KNOWN', e.left, e.right, word.k));
      }
    }
    const head = classes[pos]!;
    if (vocabulary.length === 0 || head.is_always_invoke === 1) {
      let key = charAt(pos);
      let length = 1;
      if (head.is_grouping === 1 && runEnd[pos]! > pos + 1) {
        key = sentence.slice(starts[pos], runEnd[pos]! < n ? starts[runEnd[pos]!] : undefined);
        length = key.length;
      }
      for (const id of unknown.target_map[head.class_id]!) {
        const unkId = typeof id === 'number' ? id : parseInt(id, 10);
        const d = unknown.dictionary;
        lattice.append(
          new ViterbiNode(unkId, d.getShort(unkId + 4), pos + 1, length, 'UNKNOWN', d.getShort(unkId), d.getShort(unkId + 2), key),
        );
      }
    }
  }
  lattice.appendEos();
  return lattice;
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
function prefixSearch(trie: DoubleArrayTrie, key: string, from = 0): { k: string; v?: number }[] {
  const result: { k: string; v?: number }[] = [];
  const bytes = [0, 0, 0, 0];
  let parent = ROOT;
  for (let i = from; i < key.length;) {
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
      bytes[0] = cp;
      n = 1;
    } else if (cp < 0x800) {
      bytes[0] = (cp >>> 6) | 0xc0;
      bytes[1] = (cp & 0x3f) | 0x80;
      n = 2;
    } else if (cp < 0x10000) {
      bytes[0] = (cp >>> 12) | 0xe0;
      bytes[1] = ((cp >> 6) & 0x3f) | 0x80;
      bytes[2] = (cp & 0x3f) | 0x80;
      n = 3;
    } else {
      bytes[0] = (cp >>> 18) | 0xf0;
      bytes[1] = ((cp >> 12) & 0x3f) | 0x80;
      bytes[2] = ((cp >> 6) & 0x3f) | 0x80;
      bytes[3] = (cp & 0x3f) | 0x80;
      n = 4;
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
      result.push(base <= 0 ? { v: -base - 1, k: key.slice(from, next) } : { k: key.slice(from, next) });
    }
    i = next;
  }
  return result;
}

/**
 * Three measured hot spots of kuromoji, removed without changing a single token (checked by
 * test/unit/analysis/tokenizer.test.ts against an unpatched tokenizer). This reaches into
 * kuromoji's internals, so package.json pins it to 0.1.2, its last release.
 * - the lattice builder's trie lookup encoded the whole rest of the sentence into a fresh buffer
 *   at every character (a quarter of the time in a profile): replaced by prefixSearch above;
 * - every token decoded and split its feature line from the dictionary buffer again: now once per entry;
 * - the lattice was built in quadratic time: buildLattice above.
 * Together: tokenising 100-character posts went from ~2,400 to ~8,000 per second on one core.
 */
export function speedUp(tokenizer: Tokenizer): Tokenizer {
  const internals = tokenizer as unknown as KuromojiInternals;
  const builder = internals.viterbi_builder;
  const costs = internals.viterbi_searcher.connection_costs;
  const trie = builder.trie;
  trie.commonPrefixSearch = (key: string) => prefixSearch(trie, key);
  builder.build = (sentence: string) => buildLattice(builder, sentence);
  // Tokens are made from feature lines split once per dictionary entry, not once per token.
  const featureCache = (dictionary: WordDictionary) => {
    const cache = new Map<number, string[]>();
    return (id: number): string[] => {
      let features = cache.get(id);
      if (features === undefined) {
        const line = dictionary.getFeatures(String(id));
        features = line == null ? [] : line.split(',');
        cache.set(id, features);
      }
      return features;
    };
  };
  const knownFeatures = featureCache(internals.token_info_dictionary);
  const unknownFeatures = featureCache(internals.unknown_dictionary);
  // Same tokens, same fields in the same order, as kuromoji's tokenizeForSentence + IpadicFormatter.
  internals.tokenizeForSentence = (sentence: string, tokens: Token[] = []) => {
    const path = viterbiSearch(costs, builder.build(sentence) as Lattice);
    const lastPos = tokens.length > 0 ? tokens[tokens.length - 1]!.word_position : 0;
    for (const node of path) {
      const position = lastPos + node.start_pos;
      if (node.type === 'UNKNOWN') {
        const f = unknownFeatures(node.name);
        tokens.push({
          word_id: node.name,
          word_type: node.type,
          word_position: position,
          surface_form: node.surface_form,
          pos: f[1],
          pos_detail_1: f[2],
          pos_detail_2: f[3],
          pos_detail_3: f[4],
          conjugated_type: f[5],
          conjugated_form: f[6],
          basic_form: f[7],
        } as Token);
      } else {
        const f = node.type === 'KNOWN' ? knownFeatures(node.name) : [];
        tokens.push({
          word_id: node.name,
          word_type: node.type,
          word_position: position,
          surface_form: f[0],
          pos: f[1],
          pos_detail_1: f[2],
          pos_detail_2: f[3],
          pos_detail_3: f[4],
          conjugated_type: f[5],
          conjugated_form: f[6],
          basic_form: f[7],
          reading: f[8],
          pronunciation: f[9],
        } as Token);
      }
    }
    return tokens;
  };
  return tokenizer;
}

/** The dictionary form, falling back to the surface for unknown words (basic_form is '*'). */
export function baseForm(token: Token): string {
  return token.basic_form === '*' ? token.surface_form : token.basic_form;
}
