// Where the clinic publishes, and what each channel accepts. X counts "weighted" characters by its
// published rules (twitter-text's v3 configuration): code points in the Latin and general
// punctuation ranges weigh 1, everything else — Japanese included — 2; every URL counts as 23
// whatever its length; an emoji sequence counts as one character of weight 2; text is NFC first.
// The limit is 280 weighted characters, so a Japanese post holds 140 characters.
// A Google review reply is limited in bytes, not characters.

export const channels = ['x', 'instagram', 'facebook', 'line', 'blog', 'google_review_reply'] as const;
export type Channel = (typeof channels)[number];

export const channelLabels: Record<Channel, string> = {
  x: 'X（旧Twitter）',
  instagram: 'Instagram',
  facebook: 'Facebook',
  line: 'LINE メッセージ',
  blog: 'ブログ・ウェブサイト',
  google_review_reply: 'Google 口コミへの返信',
};

export interface ChannelLimits {
  /** Maximum length in the channel's own unit (X: weighted characters; others: characters). */
  maxLength: number | null;
  /** Maximum hashtags the channel accepts (Instagram: 30). */
  maxHashtags: number | null;
  /** Maximum images per post. */
  maxImages: number | null;
}

export const channelLimits: Record<Channel, ChannelLimits> = {
  x: { maxLength: 280, maxHashtags: null, maxImages: 4 },
  instagram: { maxLength: 2200, maxHashtags: 30, maxImages: 20 },
  facebook: { maxLength: 63_206, maxHashtags: null, maxImages: null },
  line: { maxLength: 5000, maxHashtags: null, maxImages: null },
  blog: { maxLength: null, maxHashtags: null, maxImages: null },
  google_review_reply: { maxLength: 4096, maxHashtags: null, maxImages: 0 },
};

// twitter-text v3: ranges of code points that weigh 100 (of a scale of 100); the default is 200.
const lightRanges: [number, number][] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
];
const urlWeight = 23;
const url = /https?:\/\/[^\s\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+/gi;
const emoji = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
const segmenter = new Intl.Segmenter('ja', { granularity: 'grapheme' });

function weightOf(codePoint: number): number {
  for (const [from, to] of lightRanges) if (codePoint >= from && codePoint <= to) return 1;
  return 2;
}

/** X's weighted length of `text` (280 is the limit). */
export function xWeightedLength(text: string): number {
  const normal = text.normalize('NFC');
  let length = 0;
  let rest = '';
  let last = 0;
  for (const m of normal.matchAll(url)) {
    rest += normal.slice(last, m.index);
    length += urlWeight;
    last = m.index + m[0].length;
  }
  rest += normal.slice(last);
  for (const { segment } of segmenter.segment(rest)) {
    if (emoji.test(segment)) {
      length += 2;
      continue;
    }
    for (const ch of segment) length += weightOf(ch.codePointAt(0)!);
  }
  return length;
}

/**
 * Length in the channel's unit: X weighted characters; UTF-8 bytes for a Google review reply (the
 * Business Profile API caps ReviewReply.comment at 4,096 bytes — about 1,360 Japanese characters);
 * otherwise characters (code points).
 */
export function channelLength(channel: Channel, text: string): number {
  if (channel === 'x') return xWeightedLength(text);
  if (channel === 'google_review_reply') return Buffer.byteLength(text, 'utf8');
  return [...text].length;
}

/** The unit channelLength counts in, for people. */
export const channelLengthUnit: Record<Channel, string> = {
  x: '重み付き文字数',
  instagram: '文字数',
  facebook: '文字数',
  line: '文字数',
  blog: '文字数',
  google_review_reply: 'バイト数（UTF-8）',
};

const hashtag = /[#＃][^\s#＃、。!！?？]+/gu;

export function hashtagCount(text: string): number {
  return [...text.matchAll(hashtag)].length;
}
