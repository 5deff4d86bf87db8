import { createWriteStream } from 'node:fs';
import { chmod, rename, rm, stat } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { connect, type DbHandle } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { findPgTool, runPgTool } from './pg-tools.ts';
import { writeSnapshot, type TableFigures } from './snapshot.ts';

// `hinoko backup FILE`: pg_dump's custom format when this machine has a pg_dump that can read the
// server, else Hinoko's own format (snapshot.ts) — the embedded PostgreSQL 18 on a machine whose
// client tools are older. Either is written to FILE.partial and renamed when complete, so FILE is
// never a half-written backup.

export type BackupFormat = 'pg_dump' | 'hinoko';

export interface BackupResult {
  format: BackupFormat;
  file: string;
  bytes: number;
  /** Rows per table (Hinoko's format only; pg_dump does not tell). */
  tables: TableFigures | null;
  server: string;
}

/** The database owner's connection (migrations, grants, backup, restore): the embedded superuser or the migration/database URL. */
export async function openOwner(
  config: Readonly<Config>,
  options: { create?: boolean } = {},
): Promise<{ url: string; db: DbHandle; embedded: boolean; close(): Promise<void> }> {
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, { create: options.create ?? false });
  const url = embedded?.url ?? config.database.migrationUrl ?? config.database.url!;
  const db = connect(url, { max: 2, applicationName: 'hinoko-backup' });
  return {
    url,
    db,
    embedded: embedded !== null,
    async close() {
      await db.close();
      await embedded?.stop();
    },
  };
}

export async function backupDatabase(
  config: Readonly<Config>,
  file: string,
  options: { format?: BackupFormat | 'auto'; now?: Date } = {},
): Promise<BackupResult> {
  const owner = await openOwner(config);
  const partial = `${file}.partial`;
  try {
    const [v] = await owner.db.sql<{ num: number; text: string }[]>`
      select current_setting('server_version_num')::int / 10000 as num, current_setting('server_version') as text`;
    const pgDump = options.format === 'hinoko' ? null : await findPgTool('pg_dump');
    const usable = pgDump && pgDump.major >= v!.num ? pgDump : null;
    if (options.format === 'pg_dump' && !usable) {
      throw new Error(
        `pg_dump ${v!.num} or newer is needed for this server (found ${pgDump ? pgDump.major : 'none'}); set HINOKO_PG_BIN, or use --format hinoko`,
      );
    }
    let tables: TableFigures | null = null;
    if (usable) {
      await runPgTool(usable, ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`], owner.url);
      // Patients' posts: readable by the operator only, as the snapshot file is created.
      await chmod(partial, 0o600);
    } else {
      const out = createWriteStream(partial, { mode: 0o600 });
      tables = (await writeSnapshot(owner.db.sql, out, options.now ?? new Date())).tables;
    }
    await rename(partial, file);
    return { format: usable ? 'pg_dump' : 'hinoko', file, bytes: (await stat(file)).size, tables, server: v!.text };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  } finally {
    await owner.close();
  }
}
