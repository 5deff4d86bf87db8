import type { Lexicon } from './lexicon.ts';
import { baseForm, type Token } from './tokenizer.ts';

// The Japanese evidence of sentiment.ts: lexicon hits over kuromoji tokens, with negation after the
// word, contrast, conditionals, advice, absence and inability; each factor's reason is beside it.
// The English scorer in sentiment.ts reuses the negation factors and window.

// Negation flips a positive word fully (良くない is plainly negative) but a negative word only
// partly (悪くない, 問題ない are faint praise, not enthusiasm).
export const negatedPositiveFactor = -0.8;
export const negatedNegativeFactor = -0.5;
// "If only it had …" (あれば良かった, あると嬉しい) is a complaint phrased with a positive word.
const counterfactualFactor = -0.6;
const conditionalFactor = 0.3;
// A question (また行きたいか?) asserts little praise; its complaints (大丈夫なの?) still count.
const questionFactor = 0.3;
// 〜すぎる overdoes whatever it follows; after an adjective we do not know it is mostly a complaint.
const excessFactor = 1.3;
const excessDefault = -1;
const repeatIntentValue = 1.5;
const absenceValue = -0.8;
const inabilityValue = -0.8;
// A sentence opening with ただ / しかし, or trailing off after 〜ですが…, announces a reservation.
const reservationValue = -0.7;
// Tokens looked at after an evaluative word when searching for its negation.
const negationWindow = 9;
const maxPhraseTokens = 6;
export const englishNegationWindow = 3;

const negationBridgeVerbs = new Set([
  'ある',
  'いる',
  'する',
  'できる',
  '出来る',
  'なる',
  '言える',
  '思う',
  '感じる',
  '言う',
  'くれる',
  'もらう',
  'おる',
  'いう',
  'られる',
  'れる',
  'せる',
  'させる',
  'てる',
]);
const bridgeConjunctives = new Set(['て', 'で', 'ば']);
const counterfactualConditionals = new Set(['ば', 'と', 'たら', 'なら', 'だら']);
const wishWords = new Set(['良い', 'いい', 'よい', '嬉しい', 'うれしい', '助かる', 'ありがたい', '有り難い']);
// 〜た方が良い, 〜のが良い: advice, which in a review means something was wrong.
const adviceHeads = new Set(['方', 'ほう']);
// また利用します, 次回もお願いします: intent to come back is praise even without an adjective.
const repeatMarkers = new Set([
  'また',
  '又',
  '次回',
  '次',
  '今度',
  '再度',
  '是非',
  'ぜひ',
  '今後',
  'これから',
  '何度',
  '機会',
  '毎年',
  '毎回',
]);
const visitVerbs = new Set([
  '利用',
  '泊まる',
  '宿泊',
  '来る',
  '行く',
  '伺う',
  'お願い',
  '来院',
  '受診',
  '通う',
  '予約',
  '参る',
  'リピート',
  'よろしく',
  '宜しく',
]);
// あまり綺麗じゃない: with these adverbs the negation may sit after a full verb (洗われてない).
const negativePolarityItems = new Set([
  'あまり',
  'あんまり',
  '全然',
  '決して',
  'ちっとも',
  '少しも',
  '大して',
  'さほど',
  'それほど',
  'そんなに',
  'ろくに',
  'ほとんど',
]);
// もう少し丁寧に診てほしかった: what follows is what was missing.
const wishAdverbs = new Set(['もう少し', 'もうちょっと', 'もっと', 'せめて', 'もう少々']);
const absenceParticles = new Set(['が', 'は', 'も', 'すら', 'さえ']);
const inabilityVerbs = new Set(['できる', '出来る', 'られる', 'れる', '入れる', '使える', '取れる']);

function isSentenceEnd(t: Token): boolean {
  return t.pos_detail_1 === '句点' || t.surface_form === '!' || t.surface_form === '?' || t.surface_form === '\n';
}

function isQuestionParticle(t: Token): boolean {
  return t.pos === '助詞' && (t.surface_form === 'か' || t.surface_form === 'かな' || t.surface_form === 'の');
}

function isBoundary(t: Token): boolean {
  return t.pos === '記号' || t.surface_form === '!' || t.surface_form === '?' || t.surface_form === '\n';
}

interface Hit {
  end: number;
  value: number;
}

/** Longest lexicon phrase starting at token i: earlier words as written, the last in base form. */
function matchPolar(tokens: readonly Token[], i: number, lexicon: Lexicon): Hit | null {
  let prefix = '';
  let best: Hit | null = null;
  const limit = Math.min(tokens.length, i + maxPhraseTokens);
  for (let j = i; j < limit; j++) {
    const t = tokens[j]!;
    if (j > i && isBoundary(t)) break;
    // As written first: てください (a request) must not be read as its base てくださる (a favour).
    const value = lexicon.polar.get(prefix + t.surface_form) ?? lexicon.polar.get(prefix + baseForm(t));
    if (value !== undefined) best = { end: j, value };
    prefix += t.surface_form;
    if (!lexicon.polarPrefixes.has(prefix)) break;
  }
  return best;
}

function countNegations(tokens: readonly Token[], end: number, lexicon: Lexicon, bridgeAnyVerb = false): number {
  let negations = 0;
  let nounBridged = false;
  const limit = Math.min(tokens.length, end + 1 + negationWindow);
  for (let k = end + 1; k < limit; k++) {
    const t = tokens[k]!;
    const base = baseForm(t);
    // 清潔感に欠ける: 欠ける after に negates what it follows, like ない.
    const negatingVerb = t.pos === '動詞' && tokens[k - 1]?.surface_form === 'に';
    if (
      (t.pos === '助動詞' || t.pos === '形容詞' || negatingVerb) &&
      (lexicon.negators.has(base) || lexicon.negators.has(t.surface_form))
    ) {
      negations++;
      continue;
    }
    if ((t.pos === '動詞' && base === 'なる') || (t.pos === '助動詞' && base === 'なり')) {
      // 残念でなりません / 気になってならない intensify; they do not negate.
      const prev = tokens[k - 1];
      if (prev && (prev.surface_form === 'で' || prev.surface_form === 'て')) break;
      continue;
    }
    if (t.pos === '助動詞') continue;
    if (t.pos === '助詞') {
      // 不安しかない means "nothing but worry": exclusive, not negated.
      if (t.surface_form === 'しか') return 0;
      if (t.pos_detail_1 === '接続助詞' && !bridgeConjunctives.has(base)) break;
      continue;
    }
    if (t.pos === '副詞' || t.pos_detail_1 === '副詞可能' || t.pos_detail_1 === '数') continue;
    if (t.pos === '名詞' && !nounBridged) {
      // 親切な対応ではなかった: the negation follows the noun the word describes.
      const prev = tokens[k - 1];
      if (prev && prev.pos === '助動詞' && prev.surface_form === 'な') {
        nounBridged = true;
        continue;
      }
    }
    if (t.pos_detail_1 === '非自立' || t.pos_detail_1 === '接尾') continue;
    if (t.pos === '動詞' && (bridgeAnyVerb || negationBridgeVerbs.has(base))) continue;
    if (bridgeAnyVerb && t.pos_detail_1 === 'サ変接続') continue;
    break;
  }
  return negations;
}

function isEvaluativeWord(t: Token): boolean {
  return t.pos === '形容詞' || t.pos_detail_1 === '形容動詞語幹' || baseForm(t) === '助かる';
}

/**
 * 1 = plain statement; counterfactualFactor = "if only it had been …" (あれば良かった, 直してくれたら
 * 助かったのに); conditionalFactor = a hypothetical (あれば最高, 車なら問題なし) that asserts little.
 */
function conditionalFactorFor(tokens: readonly Token[], start: number, end: number): number {
  // Only evaluative words: あれば泊まりたい is a plan, not a hypothetical judgement.
  let evaluative = false;
  for (let k = start; k <= end; k++) if (isEvaluativeWord(tokens[k]!)) evaluative = true;
  if (!evaluative) return 1;
  const last = tokens[end]!;
  const after = tokens[end + 1];
  const past =
    (last.pos === '助動詞' && last.surface_form === 'た') || (after !== undefined && after.pos === '助動詞' && after.surface_form === 'た');
  for (let k = end + 1; k < Math.min(tokens.length, end + 4); k++) {
    const t = tokens[k]!;
    if (t.surface_form === 'のに' && t.pos === '助詞') return counterfactualFactor;
    if (t.pos !== '助動詞') break;
  }
  // しっかりしてほしい, 丁寧にやってほしかった: asking for the quality says it was missing.
  for (let k = end + 1; k < Math.min(tokens.length, end + 5); k++) {
    const t = tokens[k]!;
    const b = baseForm(t);
    if (b === 'ほしい' || b === '欲しい') return counterfactualFactor;
    if (isBoundary(t) || (t.pos !== '助詞' && t.pos !== '動詞' && t.pos !== '助動詞')) break;
  }
  const before = tokens[start - 1];
  if (!before || !counterfactualConditionals.has(before.surface_form) || (before.pos_detail_1 !== '接続助詞' && before.pos !== '助動詞'))
    return 1;
  // 〜とお得 / 〜と便利 is advice, not a condition, unless it is a wish (あると嬉しい).
  if (before.surface_form === 'と' && !past && !wishWords.has(baseForm(tokens[start]!))) return 1;
  return past ? counterfactualFactor : conditionalFactor;
}

function isAdvice(tokens: readonly Token[], start: number, end: number): boolean {
  if (!wishWords.has(baseForm(tokens[end]!))) return false;
  const particle = tokens[start - 1];
  const head = tokens[start - 2];
  if (!particle || !head || particle.surface_form !== 'が') return false;
  return adviceHeads.has(head.surface_form) || (head.surface_form === 'の' && head.pos === '名詞');
}

function isContrast(t: Token, lexicon: Lexicon): number | undefined {
  if (t.pos !== '接続詞' && t.pos_detail_1 !== '接続助詞') return undefined;
  return lexicon.contrasts.get(t.surface_form);
}

/** Only symbols (…, !) follow: the clause after the contrast is left unsaid. */
function endsAfter(tokens: readonly Token[], i: number): boolean {
  for (let k = i + 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isSentenceEnd(t)) return true;
    if (!isBoundary(t) && t.pos !== '助詞' && t.pos !== '助動詞') return false;
  }
  return true;
}

function isNounForAbsence(t: Token): boolean {
  if (t.pos !== '名詞') return false;
  if (t.pos_detail_1 === '非自立' || t.pos_detail_1 === '数' || t.pos_detail_1 === '接尾') return false;
  if (t.pos_detail_1 === '代名詞') return t.surface_form === '何';
  return true;
}

/** 大浴場がない, 挨拶もない, 特徴なし: a missing thing is a complaint unless the lexicon says otherwise. */
function isAbsent(tokens: readonly Token[], i: number, lexicon: Lexicon): boolean {
  let k = i + 1;
  const particle = tokens[k];
  if (particle && particle.pos === '助詞' && absenceParticles.has(particle.surface_form)) k++;
  const t = tokens[k];
  if (!t) return false;
  if ((t.pos === '形容詞' || t.pos === '助動詞') && lexicon.negators.has(baseForm(t))) return true;
  return t.pos === '動詞' && baseForm(t) === 'ある' && countNegations(tokens, k, lexicon) % 2 === 1;
}

/** Evidence from the Japanese token stream. */
export interface Evidence {
  sum: number;
  /** Positive evidence before contrast weighting, for the irony check. */
  positive: number;
  /** Negative evidence that comes after the first praise (狭いけど最高 is not irony). */
  negativeAfterPraise: number;
}

export function japaneseEvidence(tokens: readonly Token[], lexicon: Lexicon): Evidence {
  let sum = 0;
  let positive = 0;
  let negativeAfterPraise = 0;
  let pendingIntensity = 1;
  let pendingTtl = 0;
  let polarityItem = false;
  let repeatMarker = false;
  let repeatCounted = false;
  let sentenceStart = true;
  let lastHitEnd = -10;
  let sentenceBase = 0;
  let wishPending = false;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (isBoundary(t)) {
      pendingTtl = 0;
      const question = t.surface_form === '?' || (i > 0 && isQuestionParticle(tokens[i - 1]!));
      if (question && isSentenceEnd(t) && sum > sentenceBase) sum = sentenceBase + (sum - sentenceBase) * questionFactor;
      if (isSentenceEnd(t)) {
        sentenceBase = sum;
        repeatMarker = false;
        repeatCounted = false;
        polarityItem = false;
        wishPending = false;
        sentenceStart = true;
      }
      i++;
      continue;
    }
    const atSentenceStart = sentenceStart;
    sentenceStart = false;
    const contrastWeight = isContrast(t, lexicon);
    if (contrastWeight !== undefined) {
      if (atSentenceStart && t.pos === '接続詞') sum += reservationValue;
      else if (endsAfter(tokens, i)) sum = sum * contrastWeight + reservationValue;
      else sum *= contrastWeight;
      pendingTtl = 0;
      polarityItem = false;
      i++;
      continue;
    }
    const base = baseForm(t);
    if (repeatMarkers.has(base)) repeatMarker = true;
    if (repeatMarker && !repeatCounted && ((t.pos === '助動詞' && base === 'たい') || (t.pos !== '助動詞' && visitVerbs.has(base)))) {
      sum += repeatIntentValue;
      repeatCounted = true;
    }
    if (negativePolarityItems.has(base) && t.pos === '副詞') polarityItem = true;
    if (wishAdverbs.has(t.surface_form)) wishPending = true;
    const intensity = lexicon.intensifiers.get(t.surface_form) ?? lexicon.intensifiers.get(base);
    const next = tokens[i + 1];
    if (intensity !== undefined && next && next.pos !== '助動詞' && !isBoundary(next)) {
      pendingIntensity = intensity;
      pendingTtl = 3;
      i++;
      continue;
    }
    if (t.pos === '動詞' && base === 'すぎる' && i > 0 && tokens[i - 1]!.pos === '形容詞') {
      // An adjective we have no polarity for, overdone: 〜すぎる is mostly a complaint.
      sum += excessDefault * (pendingTtl > 0 ? pendingIntensity : 1);
      pendingTtl = 0;
      i++;
      continue;
    }
    const hit = matchPolar(tokens, i, lexicon);
    if (!hit || hit.value === 0) {
      if (!hit && isNounForAbsence(t) && isAbsent(tokens, i, lexicon)) {
        sum += absenceValue;
        lastHitEnd = i;
      } else if (!hit && i - lastHitEnd > 3 && inabilityVerbs.has(base) && countNegations(tokens, i, lexicon) % 2 === 1) {
        // とても食べられない, 乗ることが出来なかった: being unable to do something.
        sum += inabilityValue;
        lastHitEnd = i;
      }
      if (pendingTtl > 0) pendingTtl--;
      i = hit ? hit.end + 1 : i + 1;
      continue;
    }
    let value = hit.value;
    if (pendingTtl > 0) {
      value *= pendingIntensity;
      pendingTtl = 0;
    }
    const after = tokens[hit.end + 1];
    if (after && after.pos === '動詞' && baseForm(after) === 'すぎる') value *= excessFactor;
    if (countNegations(tokens, hit.end, lexicon, polarityItem) % 2 === 1) {
      value *= value > 0 ? negatedPositiveFactor : negatedNegativeFactor;
    } else if (value > 0) {
      value *= wishPending || isAdvice(tokens, i, hit.end) ? counterfactualFactor : conditionalFactorFor(tokens, i, hit.end);
      wishPending = false;
    }
    sum += value;
    if (value > 0) positive += value;
    else if (positive > 0) negativeAfterPraise += value;
    lastHitEnd = hit.end;
    i = hit.end + 1;
  }
  const last = tokens[tokens.length - 1];
  if (last && isQuestionParticle(last) && sum > sentenceBase) sum = sentenceBase + (sum - sentenceBase) * questionFactor;
  return { sum, positive, negativeAfterPraise };
}
