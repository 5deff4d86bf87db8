import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { Sql } from './connect.ts';
import type { Row } from './schema.ts';
import { advisoryKey, lockNames } from './locks.ts';

export const sqlDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = sqlDir): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const out: MigrationFile[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    out.push({
      version: Number(file.slice(0, file.indexOf('_'))),
      name: file,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  const versions = out.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new AppError('internal', `duplicate migration versions in ${dir}`);
  return out;
}

/**
 * Applies pending migrations in order, each in its own transaction together with its record in
 * schema_migrations. Each transaction first takes a transaction-scoped advisory lock and checks
 * the record again, so concurrent starts are safe: the second instance waits, then finds nothing
 * left to do. (No session lock: that would need a reserved connection, see src/db/leases.ts.)
 */
export async function migrate(sql: Sql, dir = sqlDir, options: { upTo?: number } = {}): Promise<string[]> {
  // upTo: a restore rebuilds the schema its backup was taken with, loads the rows, then migrates on.
  const migrations = (await readMigrations(dir)).filter((m) => options.upTo === undefined || m.version <= options.upTo);
  const key = advisoryKey(lockNames.migrate);
  const applied = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${key}::bigint)`;
    await tx`
      create table if not exists schema_migrations (
        version     integer primary key,
        name        text not null,
        checksum    text not null,
        applied_at  timestamptz not null default now()
      )`;
    return new Map(
      (
        await tx<Pick<Row<'schema_migrations'>, 'version' | 'checksum' | 'name'>[]>`select version, name, checksum from schema_migrations`
      ).map((r) => [r.version, r]),
    );
  });
  const done: string[] = [];
  for (const m of migrations) {
    const prior = applied.get(m.version);
    if (prior) {
      if (prior.checksum !== m.checksum) {
        // Landed migrations are never edited: a changed file means the schema and the code disagree.
        throw new AppError('internal', `migration ${m.name} was changed after it was applied; add a new migration instead`);
      }
      continue;
    }
    const ran = await sql
      .begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${key}::bigint)`;
        const [again] = await tx`select 1 from schema_migrations where version = ${m.version}`;
        if (again) return false; // another instance applied it while we waited
        await tx.unsafe(m.sql);
        await tx`insert into schema_migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`;
        return true;
      })
      .catch((err: Error) => {
        throw new AppError('internal', `migration ${m.name} failed: ${err.message}`);
      });
    if (!ran) continue;
    logger.info({ migration: m.name }, 'migration applied');
    done.push(m.name);
  }
  return done;
}
