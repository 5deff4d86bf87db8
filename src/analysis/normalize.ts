// Text normalisation that remembers where every character came from. Sentiment and terms work
// on the normalised text; PII offsets must point into the ORIGINAL text (the UI masks that), so
// each normalised UTF-16 unit carries the original index it was made from.

export interface NormalizedText {
  /** NFKC, URLs and @handles replaced by a space, runs of 3+ identical characters shortened. */
  text: string;
  /** origin[i] = index in the original text of normalised unit i; origin[text.length] = original length. */
  origin: Int32Array;
  /** Hashtag bodies (without '#'), NFKC-normalised, in order of appearance, deduplicated. */
  hashtags: string[];
  /** The intermediate width-folded text (for PII patterns), so it is computed once. */
  folded: WidthFolded;
}

export interface WidthFolded {
  /** Per-character NFKC only: lengths barely change, nothing is removed. PII patterns run on this. */
  text: string;
  origin: Int32Array;
}

const combiningVoiced = 0x3099;
const combiningSemiVoiced = 0x309a;

/** NFKC applied character by character, so every output unit maps back to one input character. */
export function foldWidth(original: string): WidthFolded {
  const whole = original.normalize('NFKC');
  if (whole === original) {
    // The common case (already-normal Japanese or ASCII): identity mapping, no per-char work.
    const origin = new Int32Array(original.length + 1);
    for (let i = 0; i <= original.length; i++) origin[i] = i;
    return { text: original, origin };
  }
  const out: string[] = [];
  const origin: number[] = [];
  let i = 0;
  while (i < original.length) {
    const cp = original.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = original.slice(i, i + width);
    const folded = ch.normalize('NFKC');
    const first = folded.charCodeAt(0);
    if ((first === combiningVoiced || first === combiningSemiVoiced) && out.length > 0) {
      // Half-width ｶﾞ arrives as two characters; NFKC composes them into one (ガ). Compose with
      // the previous output unit and keep its origin, so the mark never stands alone.
      const prev = out[out.length - 1]!;
      const composed = (prev + folded).normalize('NFC');
      if (composed.length === prev.length) {
        out[out.length - 1] = composed;
        i += width;
        continue;
      }
    }
    for (let k = 0; k < folded.length; k++) origin.push(i);
    out.push(folded);
    i += width;
  }
  const text = out.join('');
  const originArr = new Int32Array(text.length + 1);
  for (let k = 0; k < origin.length; k++) originArr[k] = origin[k]!;
  originArr[text.length] = original.length;
  return { text, origin: originArr };
}

// A URL runs to the next whitespace or to a Japanese character (posts glue text to links).
const urlPattern = /\bhttps?:\/\/[^\s\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+|\bwww\.[a-z0-9-]+\.[^\s\u3000-\u30ff\u4e00-\u9fff]+/giy;
// @handle not preceded by a word character (so e-mail addresses are left alone).
const handlePattern = /@[A-Za-z0-9_.]{1,50}/y;
const hashtagPattern = /#([^\s#@!-/:-@[-^`{-~、。！？「」（）]{1,80})/gu;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/**
 * kuromoji throws on NUL and on unpaired surrogates (hostile or truncated input); they carry no
 * meaning, so they become spaces, one for one, which keeps the offset map intact.
 */
function isUnsafeForTokenizer(s: string, i: number, c: number): boolean {
  if (c === 0 || c === 0xfffe || c === 0xffff) return true;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const prev = s.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

/**
 * Normalises a post for tokenising. Runs of three or more identical characters keep one
 * (ｗｗｗ → w, ーーー → ー, ！！！ → !) except digits, which are data (1000円).
 */
export function normalizeText(original: string): NormalizedText {
  const folded = foldWidth(original);
  const src = folded.text;
  const out: number[] = [];
  const origin: number[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if ((c === 0x68 || c === 0x48 || c === 0x77 || c === 0x57) && (i === 0 || !isWordChar(src.charCodeAt(i - 1)))) {
      urlPattern.lastIndex = i;
      const m = urlPattern.exec(src);
      if (m) {
        out.push(0x20);
        origin.push(folded.origin[i]!);
        i += m[0].length;
        continue;
      }
    }
    if (c === 0x40 && (i === 0 || !isWordChar(src.charCodeAt(i - 1)))) {
      handlePattern.lastIndex = i;
      const m = handlePattern.exec(src);
      if (m) {
        out.push(0x20);
        origin.push(folded.origin[i]!);
        i += m[0].length;
        continue;
      }
    }
    if (!isDigit(c) && i + 2 < src.length && src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c) {
      let j = i + 3;
      while (j < src.length && src.charCodeAt(j) === c) j++;
      out.push(isUnsafeForTokenizer(src, i, c) ? 0x20 : c);
      origin.push(folded.origin[i]!);
      i = j;
      continue;
    }
    out.push(isUnsafeForTokenizer(src, i, c) ? 0x20 : c);
    origin.push(folded.origin[i]!);
    i++;
  }
  let text = '';
  // String.fromCharCode on big arrays overflows the stack; chunk it.
  for (let k = 0; k < out.length; k += 4096) text += String.fromCharCode(...out.slice(k, k + 4096));
  const originArr = new Int32Array(text.length + 1);
  for (let k = 0; k < origin.length; k++) originArr[k] = origin[k]!;
  originArr[text.length] = original.length;
  return { text, origin: originArr, hashtags: extractHashtags(text), folded };
}

function extractHashtags(text: string): string[] {
  if (!text.includes('#')) return [];
  const seen = new Set<string>();
  for (const m of text.matchAll(hashtagPattern)) seen.add(m[1]!);
  return [...seen];
}
