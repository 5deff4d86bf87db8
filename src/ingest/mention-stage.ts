import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Tx } from '../db/connect.ts';
import type { AnalysedMention } from './normalise.ts';

// A page of posts reaches Postgres by COPY into a temporary staging table, and from there into
// mentions with one INSERT … ON CONFLICT (store-page.ts). COPY's text format costs the client a
// string join instead of 26 parameter arrays, and the server a line split instead of parsing them:
// measured with `npm run bench:ingest`. The table is temporary (no WAL, per connection) and emptied
// at every commit; it is created on a connection's first page. Temporary tables need session
// pooling: behind PgBouncer, run it in session mode.

/** The staging table's columns, in the order copyLine writes them. */
const columns = [
  'gen int',
  'target bigint',
  'external_id text',
  'url text',
  'author_id text',
  'author_handle text',
  'author_name text',
  'text text',
  'language text',
  'posted_at timestamptz',
  'likes int',
  'reposts int',
  'quotes int',
  'replies int',
  'views bigint',
  'reply_to text',
  'quote_of text',
  'repost_of text',
  'rating smallint',
  'is_private boolean',
  'is_demo boolean',
  'raw text',
  'analysis text',
  'analysis_version text',
  'lexemes text',
  'label text',
  'score real',
];

const special = /[\\\n\r\t]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value in COPY's text format: \N for null, backslash escapes for the four characters that frame rows and columns. */
export function copyValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    return String(v);
  }
  return v.replace(special, (c) => escapes[c]!);
}

/** One staging row: the post as stored, tagged with its generation (the how-many-th time the page carries its id). */
export function copyLine(gen: number, r: AnalysedMention): string {
  return [
    gen,
    r.watchTargetId,
    r.externalId,
    r.url,
    r.authorId,
    r.authorHandle,
    r.authorName,
    r.text,
    r.language,
    r.postedAt.toISOString(),
    r.likes,
    r.reposts,
    r.quotes,
    r.replies,
    r.views,
    r.replyToExternalId,
    r.quoteOfExternalId,
    r.repostOfExternalId,
    r.rating,
    r.isPrivate,
    r.isDemo,
    r.rawJson,
    r.analysis ? JSON.stringify(r.analysis) : null,
    r.analysisVersion,
    r.lexemes ? JSON.stringify(r.lexemes) : null,
    r.analysis?.sentiment.label ?? null,
    r.analysis?.sentiment.score ?? null,
  ]
    .map(copyValue)
    .join('\t');
}

/** Copies the page's generations into hinoko_mention_stage, inside `tx`; the rows vanish at its commit. */
export async function stageMentions(tx: Tx, generations: readonly (readonly AnalysedMention[])[]): Promise<void> {
  const lines: string[] = [];
  generations.forEach((rows, gen) => {
    for (const r of rows) lines.push(copyLine(gen, r));
  });
  if (lines.length === 0) return;
  await tx.unsafe(`create temp table if not exists hinoko_mention_stage (${columns.join(', ')}) on commit delete rows`);
  const into = await tx`copy hinoko_mention_stage from stdin`.writable();
  await pipeline(Readable.from([lines.join('\n') + '\n']), into);
}
