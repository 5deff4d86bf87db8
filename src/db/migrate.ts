import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { Sql } from './connect.ts';
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
 * schema_migrations. An advisory lock held for the whole run makes concurrent starts safe: the
 * second instance waits, then finds nothing left to do.
 */
export async function migrate(sql: Sql, dir = sqlDir): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const conn = await sql.reserve();
  const key = advisoryKey(lockNames.migrate);
  try {
    await conn`select pg_advisory_lock(${key}::bigint)`;
    await conn`
      create table if not exists schema_migrations (
        version     integer primary key,
        name        text not null,
        checksum    text not null,
        applied_at  timestamptz not null default now()
      )`;
    const applied = new Map(
      (await conn<{ version: number; checksum: string; name: string }[]>`select version, name, checksum from schema_migrations`)
        .map((r) => [r.version, r]),
    );
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
      await conn.unsafe('begin');
      try {
        await conn.unsafe(m.sql);
        await conn`insert into schema_migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`;
        await conn.unsafe('commit');
      } catch (err) {
        await conn.unsafe('rollback');
        throw new AppError('internal', `migration ${m.name} failed: ${(err as Error).message}`);
      }
      logger.info({ migration: m.name }, 'migration applied');
      done.push(m.name);
    }
    return done;
  } finally {
    await conn`select pg_advisory_unlock(${key}::bigint)`.catch(() => {});
    conn.release();
  }
}
