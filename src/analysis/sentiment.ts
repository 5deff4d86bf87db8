import type { SentimentLabel } from './types.ts';
import type { Lexicon } from './lexicon.ts';
import type { Token } from './tokenizer.ts';
import { englishNegationWindow, japaneseEvidence, negatedNegativeFactor, negatedPositiveFactor } from './japanese-evidence.ts';

// Lexicon sentiment over kuromoji tokens. Japanese puts negation AFTER the evaluative word
// (良く・ない, 丁寧・じゃ・なかっ・た), so negation is looked for in the few function words that
// follow a hit; contrast markers (けど, が, しかし) shrink what came before, because the later
// clause carries the writer's point.

export interface SentimentResult {
  label: SentimentLabel;
  score: number;
  /** Raw evidence sum before squashing, for tuning and debugging. */
  raw: number;
}

export interface SentimentContext {
  lexicon: Lexicon;
  /** One regex over all symbol entries, longest first; global. */
  symbolPattern: RegExp | null;
  /** Raw-sum thresholds: above `positiveAt` is positive, below `negativeAt` negative. */
  positiveAt: number;
  negativeAt: number;
}

const englishWord = /[a-z]+(?:'[a-z]+)?/g;
const hasEnglish = /[a-z]{2,}/i;

/** English word order: negation and intensifiers come BEFORE the word. */
function englishEvidence(text: string, lexicon: Lexicon): number {
  if (!hasEnglish.test(text)) return 0;
  const words = text.toLowerCase().match(englishWord);
  if (!words) return 0;
  let sum = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const contrast = lexicon.contrasts.get(w);
    if (contrast !== undefined) {
      sum *= contrast;
      continue;
    }
    let value = lexicon.english.get(w);
    if (value === undefined) continue;
    let negated = false;
    for (let k = Math.max(0, i - englishNegationWindow); k < i; k++) {
      if (lexicon.englishNegators.has(words[k]!)) negated = !negated;
    }
    const intensity = i > 0 ? lexicon.englishIntensifiers.get(words[i - 1]!) : undefined;
    if (intensity !== undefined) value *= intensity;
    if (negated) value *= value > 0 ? negatedPositiveFactor : negatedNegativeFactor;
    sum += value;
  }
  return sum;
}

function symbolEvidence(text: string, ctx: SentimentContext): number {
  if (!ctx.symbolPattern) return 0;
  let sum = 0;
  for (const m of text.matchAll(ctx.symbolPattern)) sum += ctx.lexicon.symbols.get(m[0]) ?? 0;
  return sum;
}

// Kaomoji are endlessly varied, so beyond the ones the lexicon lists a face is read by its parts:
// a face is a short bracketed group built of eye and mouth characters, and its eyes and mouth
// say the feeling — Д / 皿 / 益 angry, tears (; T ｉ ﾟ) sad, ^ ▽ ≧ ∀ happy.
const kaomoji = /[(（][^()（）\p{L}\p{N}]{0,3}[´`・ωДд▽∀≧≦^＾;；TｉﾟoO_＿−ー-][^()（）]{0,8}[)）]/gu;
const angryFace = /[Д皿益]|#|＃|メ/u;
const sadFace = /[;；Tｉ]|ﾟ[^ﾟ]*ﾟ|´\s*[;；]/u;
const happyFace = /[\^＾▽∀≧≦]/u;

function kaomojiEvidence(text: string, ctx: SentimentContext): number {
  if (!text.includes('(') && !text.includes('（')) return 0;
  let sum = 0;
  for (const m of text.matchAll(kaomoji)) {
    const face = m[0];
    // Faces the lexicon lists are scored there (symbolEvidence); a group of letters is not a face.
    if (ctx.lexicon.symbols.has(face) || /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]{2}/u.test(face)) continue;
    if (angryFace.test(face)) sum -= 1.5;
    else if (sadFace.test(face)) sum -= 1.2;
    else if (happyFace.test(face)) sum += 1;
  }
  return sum;
}

/** A star rating is strong evidence: 1★ and 5★ reviews rarely mean the opposite. */
function ratingPrior(rating: number | null | undefined): number {
  if (rating === null || rating === undefined || !Number.isFinite(rating)) return 0;
  const clamped = Math.min(5, Math.max(1, rating));
  return (clamped - 3) * 1.2;
}

export interface SentimentHints {
  /** Review star rating 1–5. */
  rating?: number | null;
  /**
   * Sum of the post's risk-category scores. Every category is a complaint or a threat, so a post
   * that names one (死ね, 患者の写真を載せていた) leans negative even with no evaluative word.
   */
  riskScore?: number;
}

const riskEvidenceFactor = -1;
// (棒) marks deadpan; 笑, w, 草, (怒) mark irony only when the post also complains.
const deadpanMarker = /\(棒\)|\(皮肉\)|\(棒読み\)/;
const ironyMarker = /\((?:笑|怒|苦笑|呆)\)|(?<![a-z])w{1,2}(?![a-z])|草(?:$|\s|[。!])|ですこと|ですねえ|(?:とか|なんて)(?:$|\s|[。!])/i;
const ironicPraiseFactor = 0.2;
const deadpanFactor = 0.5;
const ironyNeedsComplaint = -0.6;

function isIronic(text: string, complaint: number): boolean {
  return complaint <= ironyNeedsComplaint && ironyMarker.test(text);
}

export function scoreSentiment(
  tokens: readonly Token[],
  normalized: string,
  ctx: SentimentContext,
  hints: SentimentHints = {},
): SentimentResult {
  const japanese = japaneseEvidence(tokens, ctx.lexicon);
  const riskEvidence = riskEvidenceFactor * (hints.riskScore ?? 0);
  let raw =
    japanese.sum +
    englishEvidence(normalized, ctx.lexicon) +
    symbolEvidence(normalized, ctx) +
    kaomojiEvidence(normalized, ctx) +
    ratingPrior(hints.rating) +
    riskEvidence;
  if (japanese.positive > 0 && deadpanMarker.test(normalized)) {
    // 完璧な対応(棒): the writer says the praise means its opposite.
    raw -= japanese.positive * (1 + deadpanFactor);
  } else if (japanese.positive > 0 && isIronic(normalized, japanese.negativeAfterPraise + riskEvidence)) {
    // さすが神対応ですね(笑) 3時間待ち: praise next to a real complaint and a wink is sarcasm.
    raw -= japanese.positive * (1 - ironicPraiseFactor);
  }
  const label: SentimentLabel = raw >= ctx.positiveAt ? 'positive' : raw <= ctx.negativeAt ? 'negative' : 'neutral';
  // tanh keeps the score in (-1, 1) and makes one strong word about ±0.6.
  const score = Math.round(Math.tanh(raw / 3) * 1000) / 1000;
  return { label, score, raw };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileSymbolPattern(lexicon: Lexicon): RegExp | null {
  const symbols = [...lexicon.symbols.keys()].sort((a, b) => b.length - a.length);
  if (symbols.length === 0) return null;
  return new RegExp(symbols.map(escapeRegExp).join('|'), 'gu');
}
