import { addSource, getSource } from './sources.ts';
import type { AppContext } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { parseImport, type ImportRecordError } from './import-file.ts';
import { ingest, ingestDepsFrom } from '../ingest/pipeline.ts';
import type { NormalizedMention } from '../mention.ts';
import type { Row } from '../db/schema.ts';

export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

export interface ImportInput {
  orgId: string;
  /** An existing import source; when absent, one named after the portal is found or created. */
  sourceId?: string;
  portal: string | null;
  format: 'jsonl' | 'csv';
  content: Buffer;
  /** After each stored batch: the line reached and the file's lines (for a rate and an ETA). */
  onProgress?: (p: { line: number; lines: number }) => void;
}

export interface ImportSummary {
  sourceId: string;
  records: number;
  imported: number;
  alreadyPresent: number;
  errors: ImportRecordError[];
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes strictly: invalid UTF-8 is an error naming the line, never silently replaced. */
export function decodeLines(content: Buffer, format: 'jsonl' | 'csv'): { text: string; errors: ImportRecordError[] } {
  try {
    return { text: fatalUtf8.decode(content), errors: [] };
  } catch {
    const errors: ImportRecordError[] = [];
    const lines: string[] = [];
    let start = 0;
    let line = 1;
    for (let i = 0; i <= content.length; i++) {
      if (i === content.length || content[i] === 0x0a) {
        try {
          lines.push(fatalUtf8.decode(content.subarray(start, i)));
        } catch {
          errors.push({ line, message: 'not valid UTF-8 (save the file as UTF-8; Shift_JIS is not supported)' });
          lines.push('');
        }
        start = i + 1;
        line++;
      }
    }
    // A CSV record may span lines, so one bad line makes the whole CSV untrustworthy.
    if (format === 'csv')
      throw new ValidationError(`line ${errors[0]!.line}: not valid UTF-8; nothing was imported (save the file as UTF-8)`);
    return { text: lines.join('\n'), errors };
  }
}

async function importSourceFor(ctx: AppContext, orgId: string, portal: string | null): Promise<string> {
  const name = `取り込み: ${portal ?? 'file'}`;
  const [existing] = await ctx.sql<Pick<Row<'sources'>, 'id'>[]>`
    select id from sources where org_id = ${orgId} and type = 'import' and name = ${name} order by id limit 1`;
  if (existing) return existing.id;
  return (await addSource(ctx, { orgId, type: 'import', name, config: { portal } })).id;
}

export async function importMentions(ctx: AppContext, input: ImportInput): Promise<ImportSummary> {
  if (input.content.length > MAX_IMPORT_BYTES) throw new ValidationError(`file is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it`);
  const sourceId = input.sourceId
    ? (await getSource(ctx, input.sourceId, input.orgId)).id
    : await importSourceFor(ctx, input.orgId, input.portal);
  const { text, errors } = decodeLines(input.content, input.format);
  const summary: ImportSummary = { sourceId, records: 0, imported: 0, alreadyPresent: 0, errors: [...errors] };
  const deps = ingestDepsFrom(ctx);
  const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  let batch: { line: number; mention: NormalizedMention }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await ingest(deps, { orgId: input.orgId, sourceId, mentions: batch.map((b) => b.mention) });
    summary.imported += result.inserted.length;
    summary.alreadyPresent += batch.length - result.inserted.length - result.rejected.length;
    for (const r of result.rejected) {
      const line = batch.find((b) => b.mention.externalId === r.externalId)?.line ?? 0;
      summary.errors.push({ line, message: r.reason });
    }
    input.onProgress?.({ line: batch[batch.length - 1]!.line, lines });
    batch = [];
  };
  for (const rec of parseImport(text, input.format, input.portal)) {
    if ('error' in rec) {
      summary.errors.push({ line: rec.line, message: rec.error });
      continue;
    }
    summary.records++;
    batch.push(rec);
    if (batch.length >= ctx.config.ingest.batchSize) await flush();
  }
  await flush();
  summary.errors.sort((a, b) => a.line - b.line);
  return summary;
}
