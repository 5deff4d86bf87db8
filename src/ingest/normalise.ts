import { MENTION_BUCKET_MS, type NormalizedMention } from '../mention.ts';
import type { TextAnalysis } from '../analysis/types.ts';

// Pure checks and clean-up applied to every mention from every source before it is stored.
// Posts are written by strangers: anything that would break storage or display is rejected here
// with a reason, never half-written.

export interface IngestLimits {
  maxTextChars: number;
  /** Serialised raw payload cap; the evidence is kept whole or the item is rejected. */
  maxRawBytes: number;
}

export const defaultIngestLimits: IngestLimits = { maxTextChars: 10_000, maxRawBytes: 512 * 1024 };

/**
 * A mention that passed the checks, ready to store: the source's record (src/mention.ts) with every
 * optional field settled, the language guessed when the source gave none, the metrics flattened and
 * capped, and the raw payload serialised once.
 */
export type CheckedMention = Required<Omit<NormalizedMention, 'language' | 'metrics' | 'raw'>> & {
  language: string;
  likes: number;
  reposts: number;
  quotes: number;
  replies: number;
  views: number | null;
  /** JSON text of the raw payload. */
  rawJson: string;
};

export type NormaliseResult = { ok: true; row: CheckedMention } | { ok: false; externalId: string; reason: string };

const INT32_MAX = 2_147_483_647;

function count(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return 0;
  return Math.min(Math.floor(v), INT32_MAX);
}

function shortText(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return null;
  const s = v.replace(/\u0000/g, '').trim();
  if (s === '' || !s.isWellFormed()) return null;
  return s.length > max ? s.slice(0, max) : s;
}

function httpUrl(v: unknown): string | null {
  const s = shortText(v, 2048);
  if (!s) return null;
  try {
    const u = new URL(s);
    // Only http(s) links are ever rendered as links; javascript: and data: URLs are dropped.
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/**
 * A cheap script-based guess, enough to route analysis: any kana means Japanese; Han without
 * kana is most likely Japanese too in our stream; Latin letters alone mean English.
 */
export function guessLanguage(text: string): string {
  if (/[\u3040-\u30ff\uff66-\uff9f]/.test(text)) return 'ja';
  if (/[\u4e00-\u9fff]/.test(text)) return 'ja';
  if (/[A-Za-z]/.test(text)) return 'en';
  return 'und';
}

function validLanguage(v: string | null): string | null {
  return v && /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(v) ? v : null;
}

// Postgres text and jsonb cannot hold U+0000. The raw payload keeps every other byte; a NUL is
// written as the visible escape "\u0000" so the evidence still shows that one was there.
function rawToJson(raw: unknown): string | null {
  let json: string;
  try {
    json = JSON.stringify(raw ?? null) ?? 'null';
  } catch {
    return null;
  }
  return json.replace(/\\u0000/g, '\\\\u0000');
}

export function normaliseMention(m: NormalizedMention, limits: IngestLimits = defaultIngestLimits): NormaliseResult {
  const externalId = typeof m.externalId === 'string' ? m.externalId.trim() : '';
  const reject = (reason: string): NormaliseResult => ({ ok: false, externalId: externalId || '(none)', reason });
  if (externalId === '' || externalId.length > 512 || !externalId.isWellFormed() || externalId.includes('\u0000')) {
    return reject('external id must be 1–512 characters of valid text');
  }
  if (typeof m.text !== 'string') return reject('text is missing');
  if (!m.text.isWellFormed()) return reject('text is not valid UTF-8 (unpaired surrogate)');
  if (m.text.includes('\u0000')) return reject('text contains a NUL character');
  if (m.text.length > limits.maxTextChars) {
    return reject(`text is ${m.text.length} characters, over the limit of ${limits.maxTextChars}`);
  }
  if (!(m.postedAt instanceof Date) || Number.isNaN(m.postedAt.getTime())) return reject('posted_at is not a valid time');
  const rawJson = rawToJson(m.raw);
  if (rawJson === null) return reject('raw payload cannot be serialised');
  if (Buffer.byteLength(rawJson) > limits.maxRawBytes) {
    return reject(`raw payload is over ${limits.maxRawBytes} bytes`);
  }
  const rating = typeof m.rating === 'number' && Number.isInteger(m.rating) && m.rating >= 1 && m.rating <= 5 ? m.rating : null;
  const views =
    typeof m.metrics?.views === 'number' && Number.isFinite(m.metrics.views) && m.metrics.views >= 0 ? Math.floor(m.metrics.views) : null;
  return {
    ok: true,
    row: {
      externalId,
      url: httpUrl(m.url),
      authorId: shortText(m.authorId, 256),
      authorHandle: shortText(m.authorHandle, 256),
      authorName: shortText(m.authorName, 256),
      text: m.text,
      language: validLanguage(m.language) ?? guessLanguage(m.text),
      postedAt: m.postedAt,
      likes: count(m.metrics?.likes),
      reposts: count(m.metrics?.reposts),
      quotes: count(m.metrics?.quotes),
      replies: count(m.metrics?.replies),
      views,
      replyToExternalId: shortText(m.replyToExternalId, 512),
      quoteOfExternalId: shortText(m.quoteOfExternalId, 512),
      repostOfExternalId: shortText(m.repostOfExternalId, 512),
      rating,
      isPrivate: m.isPrivate === true,
      isDemo: m.isDemo === true,
      watchTargetId: typeof m.watchTargetId === 'string' && /^\d{1,18}$/.test(m.watchTargetId) ? m.watchTargetId : null,
      rawJson,
    },
  };
}

export function bucketStart(t: Date, bucketMs = MENTION_BUCKET_MS): Date {
  return new Date(Math.floor(t.getTime() / bucketMs) * bucketMs);
}

/** A checked post with its analysis (null when analysis is off or comes later), as the store path takes it. */
export interface AnalysedMention extends CheckedMention {
  analysis: TextAnalysis | null;
  analysisVersion: string | null;
  /** The words the post is found by (mentions.search); null until analysed. */
  lexemes: string[] | null;
}
