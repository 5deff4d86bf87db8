import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connect, type DbHandle } from '../../src/db/connect.ts';

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
  /** Drops the database (connections first). */
  drop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A fresh, migrated database of its own (a copy of the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('hinokoAdminUrl');
  const template = inject('hinokoTemplateDb');
  const name = `hinoko_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${template}"`);
        break;
      } catch (err) {
        // Two files copying the template at the same instant can collide; a retry settles it.
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = withDatabase(adminUrl, name);
  const handle = connect(url, { max: 10, applicationName: 'hinoko-test' });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await a.end({ timeout: 5 });
    },
  };
}

/**
 * Empty databases (no schema) for migrations and restores to build; dropEmptyDatabases() drops
 * every one made so far (a file's afterAll).
 */
const emptyDatabases: string[] = [];

export async function createEmptyDatabase(prefix = 'hinoko_e'): Promise<string> {
  const adminUrl = inject('hinokoAdminUrl');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  emptyDatabases.push(name);
  return withDatabase(adminUrl, name);
}

export async function dropEmptyDatabases(): Promise<void> {
  const admin = postgres(inject('hinokoAdminUrl'), { max: 1, onnotice: () => {} });
  for (const name of emptyDatabases.splice(0)) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
}

/** The single row of a query that must return one. */
export function one<T>(rows: readonly T[]): T {
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0]!;
}
