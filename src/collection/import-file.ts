import { createHash } from 'node:crypto';
import type { NormalizedMention } from '../mention.ts';

// Parsing of `hinoko import` files (review portals without an API): JSON lines or CSV with a
// header. Pure: every record becomes a mention or an error that names its line.

export interface ImportRecordError {
  line: number;
  message: string;
}

export type ImportRecord = { line: number; mention: NormalizedMention } | { line: number; error: string };

const fieldNames = [
  'id',
  'external_id',
  'text',
  'posted_at',
  'author',
  'author_handle',
  'url',
  'rating',
  'likes',
  'replies',
  'language',
  'reply_to',
] as const;

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Yields [line, fields]. */
export function* parseCsv(text: string): Generator<{ line: number; fields: string[] } | { line: number; error: string }> {
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    let ended = false;
    for (; i < n; i++) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else {
          if (ch === '\n') line++;
          field += ch;
        }
        continue;
      }
      if (ch === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
        continue;
      }
      if (ch === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        continue;
      }
      if (ch === '\r' && text[i + 1] === '\n') continue;
      if (ch === '\n') {
        line++;
        i++;
        ended = true;
        break;
      }
      field += ch;
      atFieldStart = false;
    }
    if (quoted) {
      yield { line: startLine, error: 'unterminated quoted field' };
      return;
    }
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) yield { line: startLine, fields };
    if (!ended && i >= n) break;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function num(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
}

/** Turns one record (from JSON or a CSV row) into a mention, or says what is wrong with it. */
export function recordToMention(rec: Record<string, unknown>, portal: string | null): NormalizedMention | string {
  const text = rec.text;
  if (typeof text !== 'string' || text.trim() === '') return 'text is missing';
  const postedRaw = str(rec.posted_at);
  if (!postedRaw) return 'posted_at is missing';
  const postedAt = new Date(postedRaw);
  if (Number.isNaN(postedAt.getTime()))
    return `posted_at "${postedRaw.slice(0, 40)}" is not a date (use ISO 8601, e.g. 2026-11-25T09:30:00+09:00)`;
  const rating = num(rec.rating);
  if (rating !== undefined && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) return 'rating must be an integer from 1 to 5';
  const author = str(rec.author) ?? null;
  // Portals rarely give ids; a content hash makes re-importing the same file a no-op.
  const externalId =
    str(rec.external_id) ??
    str(rec.id) ??
    `sha256:${createHash('sha256')
      .update(`${portal ?? ''}\u0000${author ?? ''}\u0000${postedAt.toISOString()}\u0000${text}`)
      .digest('hex')
      .slice(0, 32)}`;
  return {
    externalId,
    url: str(rec.url) ?? null,
    authorId: author,
    authorHandle: str(rec.author_handle) ?? null,
    authorName: author,
    text,
    language: str(rec.language) ?? null,
    postedAt,
    metrics: { likes: num(rec.likes), replies: num(rec.replies) },
    replyToExternalId: str(rec.reply_to) ?? null,
    rating: rating ?? null,
    raw: { ...rec, portal },
  };
}

/** Parses a whole file's text. Format is chosen by the caller (by extension or --format). */
export function* parseImport(text: string, format: 'jsonl' | 'csv', portal: string | null): Generator<ImportRecord> {
  if (format === 'jsonl') {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!.replace(/\r$/, '');
      if (raw.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        yield { line: i + 1, error: 'not valid JSON' };
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        yield { line: i + 1, error: 'each line must be a JSON object' };
        continue;
      }
      const m = recordToMention(parsed as Record<string, unknown>, portal);
      yield typeof m === 'string' ? { line: i + 1, error: m } : { line: i + 1, mention: m };
    }
    return;
  }
  let header: string[] | null = null;
  for (const row of parseCsv(text)) {
    if ('error' in row) {
      yield row;
      return;
    }
    if (!header) {
      header = row.fields.map((h) => h.trim().toLowerCase());
      if (!header.includes('text') || !header.includes('posted_at')) {
        yield { line: row.line, error: `the header must name at least text and posted_at (known columns: ${fieldNames.join(', ')})` };
        return;
      }
      continue;
    }
    if (row.fields.length !== header.length) {
      yield { line: row.line, error: `expected ${header.length} fields, found ${row.fields.length}` };
      continue;
    }
    const rec: Record<string, unknown> = {};
    header.forEach((h, i) => {
      rec[h] = row.fields[i];
    });
    const m = recordToMention(rec, portal);
    yield typeof m === 'string' ? { line: row.line, error: m } : { line: row.line, mention: m };
  }
}
