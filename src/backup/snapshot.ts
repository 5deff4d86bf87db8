import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Sql, Tx } from '../db/connect.ts';
import { AppError, ValidationError } from '../errors.ts';

// Hinoko's own backup format, for a database no pg_dump here can read (the embedded server is
// PostgreSQL 18; a machine's client tools are often older, and pg_dump refuses a newer server).
// It holds rows, not schema: the schema is our migrations, and the manifest names the ones the
// rows were written under. Gzip of lines:
//   {"format":"hinoko-backup",…manifest}           the migrations, when, which server
//   {"table":"sources","columns":[…]}               then the table's rows in COPY text format
//   \.                                              (a data line never is: backslashes are escaped)
//   {"rows":n,"sha256":…}                           what was written, checked as it is read back
//   …                                               every table, each after the tables it references
//   {"end":true,"tables":n}
// Written from one repeatable-read snapshot, so every table is as of the same instant; read back
// as it streams, inside one transaction, so a restore is whole or not at all.

export const SNAPSHOT_FORMAT = 'hinoko-backup';

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: 1;
  createdAt: string;
  server: string;
  migrations: { version: number; name: string; checksum: string }[];
}

export type TableFigures = Record<string, { rows: number; sha256: string }>;

/** Tables that hold nothing to restore: the migration record (the manifest has it) and run-time leases. */
const skipped = new Set(['schema_migrations', 'leases']);

interface TableInfo {
  name: string;
  columns: string[];
  /** Tables it references (foreign keys), which must be loaded first. */
  references: string[];
}

async function tables(sql: Sql | Tx): Promise<TableInfo[]> {
  const rows = await sql<{ name: string; columns: string[]; references: string[] }[]>`
    select c.relname as name,
      array(select a.attname::text from pg_attribute a
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
            order by a.attnum) as columns,
      array(select distinct r.relname::text from pg_constraint k join pg_class r on r.oid = k.confrelid
            where k.conrelid = c.oid and k.contype = 'f' and k.confrelid <> c.oid) as references
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`;
  return rows.filter((t) => !skipped.has(t.name));
}

/** Tables in an order where each comes after every table it references. */
function loadOrder(list: readonly TableInfo[]): TableInfo[] {
  const byName = new Map(list.map((t) => [t.name, t]));
  const out: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: TableInfo) => {
    if (state.get(t.name) === 'done') return;
    if (state.get(t.name) === 'visiting') throw new AppError('internal', `foreign keys form a cycle through ${t.name}`);
    state.set(t.name, 'visiting');
    for (const r of t.references) {
      const dep = byName.get(r);
      if (dep) visit(dep);
    }
    state.set(t.name, 'done');
    out.push(t);
  };
  for (const t of list) visit(t);
  return out;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Writes every table of the current schema to `out`, from one snapshot. */
export async function writeSnapshot(sql: Sql, out: Writable, now: Date): Promise<{ manifest: SnapshotManifest; tables: TableFigures }> {
  const gzip = createGzip();
  const done = pipeline(gzip, out);
  const write = async (chunk: string | Buffer) => {
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  };
  const result = await sql.begin('isolation level repeatable read read only', async (tx) => {
    const [server] = await tx<{ v: string }[]>`select current_setting('server_version') as v`;
    const migrations = await tx<SnapshotManifest['migrations']>`select version, name, checksum from schema_migrations order by version`;
    const manifest: SnapshotManifest = {
      format: SNAPSHOT_FORMAT,
      formatVersion: 1,
      createdAt: now.toISOString(),
      server: server!.v,
      migrations,
    };
    await write(JSON.stringify(manifest) + '\n');
    const figures: TableFigures = {};
    const list = loadOrder(await tables(tx));
    for (const t of list) {
      await write(JSON.stringify({ table: t.name, columns: t.columns }) + '\n');
      const hash = createHash('sha256');
      let rows = 0;
      const source = await tx
        .unsafe(`copy (select ${t.columns.map(quoteIdent).join(', ')} from ${quoteIdent(t.name)}) to stdout`)
        .readable();
      for await (const chunk of source as AsyncIterable<Buffer>) {
        hash.update(chunk);
        // One row per newline byte: COPY escapes newlines in values, and no UTF-8 sequence holds 0x0a.
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) rows++;
        await write(chunk);
      }
      figures[t.name] = { rows, sha256: hash.digest('hex') };
      await write('\\.\n' + JSON.stringify(figures[t.name]) + '\n');
    }
    await write(JSON.stringify({ end: true, tables: list.length }) + '\n');
    return { manifest, tables: figures };
  });
  gzip.end();
  await done;
  return result;
}

/** Reads a snapshot's first line: its manifest, or an error saying what the file is not. */
export function parseManifest(line: string | undefined): SnapshotManifest {
  let m: Partial<SnapshotManifest> | null = null;
  try {
    m = JSON.parse(line ?? '') as Partial<SnapshotManifest>;
  } catch {
    // falls through to the error below
  }
  if (!m || m.format !== SNAPSHOT_FORMAT || m.formatVersion !== 1 || !Array.isArray(m.migrations)) {
    throw new ValidationError('not a Hinoko backup (hinoko backup で作成したファイルではありません)');
  }
  return m as SnapshotManifest;
}

/**
 * Loads a snapshot's rows into `tx` (its schema already migrated to the manifest's migrations),
 * table by table as the file streams, each checked against the row count and hash written after
 * it; then moves identity sequences past the restored ids. Throws, and so rolls back, on any mismatch.
 */
export async function loadSnapshot(tx: Tx, input: Readable): Promise<{ manifest: SnapshotManifest; tables: TableFigures }> {
  const lines = createInterface({ input: input.pipe(createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    return r.done ? undefined : r.value;
  };
  const cutShort = (where: string) => new ValidationError(`the backup ends ${where}: the file is cut short or damaged`);
  const manifest = parseManifest(await next());
  const known = new Map((await tables(tx)).map((t) => [t.name, t]));
  const loaded: TableFigures = {};
  for (;;) {
    const line = await next();
    if (line === undefined) throw cutShort('before its end record');
    const header = JSON.parse(line) as { table?: string; columns?: string[]; end?: true; tables?: number };
    if (header.end) {
      if (header.tables !== Object.keys(loaded).length) throw cutShort('with tables missing');
      break;
    }
    const t = known.get(header.table ?? '');
    if (!t) throw new ValidationError(`the backup has a table this version does not: ${String(header.table)}`);
    const columns = (header.columns ?? []).filter((c) => t.columns.includes(c));
    if (columns.length !== (header.columns ?? []).length)
      throw new ValidationError(`the backup's columns of ${t.name} differ from this version's`);
    const hash = createHash('sha256');
    let rows = 0;
    const into = await tx.unsafe(`copy ${quoteIdent(t.name)} (${columns.map(quoteIdent).join(', ')}) from stdin`).writable();
    await pipeline(async function* () {
      for (let l = await next(); l !== '\\.'; l = await next()) {
        if (l === undefined) throw cutShort(`inside table ${t.name}`);
        const row = l + '\n';
        hash.update(row);
        rows++;
        yield row;
      }
    }, into);
    const written = JSON.parse((await next()) ?? 'null') as { rows?: number; sha256?: string } | null;
    if (!written || written.rows !== rows || written.sha256 !== hash.digest('hex')) {
      throw new ValidationError(`table ${t.name} does not match the backup's record of it: the file is damaged`);
    }
    loaded[t.name] = { rows, sha256: written.sha256 };
  }
  // Identity columns restart after the highest restored id, so new rows never collide.
  const identities = await tx<{ tbl: string; col: string }[]>`
    select c.relname as tbl, a.attname as col from pg_attribute a
    join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and a.attidentity <> '' and c.relkind in ('r', 'p')`;
  for (const { tbl, col } of identities) {
    await tx.unsafe(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quoteIdent(col)}) from ${quoteIdent(tbl)}), 0) + 1, false)`,
      [quoteIdent(tbl), col],
    );
  }
  return { manifest, tables: loaded };
}
