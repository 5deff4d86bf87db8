import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Config } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import { ensureMonthPartitions } from '../db/partitions.ts';
import { migrate, readMigrations } from '../db/migrate.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { openOwner, type BackupFormat } from './backup-database.ts';
import { findPgTool, runPgTool } from './pg-tools.ts';
import { loadSnapshot, parseManifest, type SnapshotManifest, type TableFigures } from './snapshot.ts';

// `hinoko restore FILE`: into an empty database (or, with --force, one emptied first), never while
// a Hinoko service is connected to it. A Hinoko backup is loaded in one transaction on the schema
// it was taken with, then migrated to this version; a pg_dump archive goes through pg_restore in a
// single transaction. A failed restore leaves the database as empty as it found it.

export interface RestoreResult {
  format: BackupFormat;
  tables: TableFigures | null;
  /** Migrations applied after the rows were in (the backup came from an older version). */
  migrated: string[];
}

async function formatOf(file: string): Promise<BackupFormat> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(5);
    await fh.read(head, 0, 5, 0);
    if (head.toString('latin1') === 'PGDMP') return 'pg_dump';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'hinoko';
  } finally {
    await fh.close();
  }
  throw new ValidationError(`${file} is neither a Hinoko backup nor a pg_dump archive (バックアップファイルではありません)`);
}

async function readManifest(file: string): Promise<SnapshotManifest> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) return parseManifest(line);
    return parseManifest(undefined);
  } finally {
    lines.close();
  }
}

async function userTables(sql: Sql): Promise<number> {
  const [r] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p')`;
  return r!.n;
}

async function emptySchema(sql: Sql): Promise<void> {
  await sql.unsafe('drop schema public cascade');
  await sql.unsafe('create schema public');
}

export async function restoreDatabase(config: Readonly<Config>, file: string, options: { force?: boolean } = {}): Promise<RestoreResult> {
  const format = await formatOf(file);
  const owner = await openOwner(config, { create: true });
  const { sql } = owner.db;
  try {
    const services = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name like 'hinoko%' and application_name <> 'hinoko-backup'`;
    if (services[0]!.n > 0)
      throw new ConflictError('Hinoko is connected to this database: stop the service before restoring (サービスを停止してください)');
    if ((await userTables(sql)) > 0) {
      if (!options.force)
        throw new ConflictError('the database is not empty: restore into an empty one, or give --force to replace everything in it');
      await emptySchema(sql);
    }
    try {
      if (format === 'pg_dump') {
        const pgRestore = await findPgTool('pg_restore');
        if (!pgRestore)
          throw new ValidationError('pg_restore is needed for a pg_dump archive: install PostgreSQL client tools or set HINOKO_PG_BIN');
        await runPgTool(
          pgRestore,
          ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${owner.url}`, file],
          owner.url,
        );
        return { format, tables: null, migrated: await migrate(sql) };
      }
      const manifest = await readManifest(file);
      const ours = new Map((await readMigrations()).map((m) => [m.version, m]));
      for (const m of manifest.migrations) {
        if (ours.get(m.version)?.checksum !== m.checksum) {
          throw new ValidationError(
            `the backup was taken by another version of Hinoko (migration ${m.name}): restore it with that version, or a newer one`,
          );
        }
      }
      const upTo = Math.max(0, ...manifest.migrations.map((m) => m.version));
      await migrate(sql, undefined, { upTo });
      const loaded = await sql.begin((tx) => loadSnapshot(tx, createReadStream(file)));
      const migrated = await migrate(sql);
      // The schema was rebuilt today, with today's months: the rows of older ones wait in the
      // default partitions until their months are made again.
      await ensureMonthPartitions(sql, new Date());
      return { format, tables: loaded.tables, migrated };
    } catch (err) {
      await emptySchema(sql).catch(() => {});
      throw err;
    }
  } finally {
    await owner.close();
  }
}
