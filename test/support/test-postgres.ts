import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

// Which Postgres the tests (test/global-setup.ts) and the row-type generator
// (test/support/generate-db-types.ts) use: DATABASE_URL if set, else the server on 127.0.0.1:5432
// if it answers, else an embedded one. One decision for both, so the generated types come from the
// same kind of server the suite runs against.

export interface TestPostgres {
  /** A superuser URL on the `postgres` database: create and drop scratch databases through it. */
  adminUrl: string;
  /** Said in the run's first line, so a reader knows which server answered. */
  kind: string;
  /** Stops the embedded server if this process started one; a no-op for the others. */
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return { adminUrl: fromEnv, kind: 'DATABASE_URL', stop: async () => {} };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  // HINOKO_TEST_PG=embedded exercises the fallback a machine without Postgres takes.
  if (process.env.HINOKO_TEST_PG !== 'embedded' && (await answers(local))) {
    return { adminUrl: local, kind: 'local server at 127.0.0.1:5432', stop: async () => {} };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-test-pg-'));
  const embedded = await startEmbeddedPostgres(dir);
  return {
    adminUrl: withDatabase(embedded.url, 'postgres'),
    kind: 'embedded Postgres',
    async stop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
