import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backupDatabase } from '../../src/backup/backup-database.ts';
import { findPgTool } from '../../src/backup/pg-tools.ts';
import { restoreDatabase } from '../../src/backup/restore-database.ts';
import { loadConfig } from '../../src/config.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createEmptyDatabase, createTestDatabase, dropEmptyDatabases, type TestDatabase } from '../support/db.ts';

// Issue 18 item 5: `hinoko backup` / `hinoko restore` round trips — Hinoko's own format and
// pg_dump's on the local server, and the embedded PostgreSQL 18 (which no pg_dump here can read).
// A restored database holds exactly the rows of the original, table by table.

let source: TestDatabase;
const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-backup-test-'));

beforeAll(async () => {
  source = await createTestDatabase();
  const ctx = testContext(source);
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  await ingest(ingestDepsFrom(ctx), {
    orgId: org.id,
    sourceId: src.id,
    mentions: [
      mentionFixture(1, { text: 'タブ\tと改行\nと\\バックスラッシュ\\.\n\\N', raw: { note: '\\.\n' } }),
      ...Array.from({ length: 300 }, (_, i) => mentionFixture(i + 2)),
    ],
  });
  await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(2, { text: '編集後' })] });
  await newTestPerson(ctx, org.id, 'admin');
});
afterAll(async () => {
  await source.drop();
  await dropEmptyDatabases();
  rmSync(dir, { recursive: true, force: true });
});

const configFor = (url: string | null, dataDir = dir) =>
  loadConfig({ ...(url ? { DATABASE_URL: url } : {}), HINOKO_DATA_DIR: dataDir, HINOKO_PG_BIN: process.env.HINOKO_PG_BIN });

/** Every table's rows, as one digest per table (leases and the migration record aside; a partitioned table as a whole). */
async function contents(where: string | postgres.Sql): Promise<Record<string, string>> {
  const sql = typeof where === 'string' ? postgres(where, { max: 1, onnotice: () => {} }) : where;
  try {
    const tables = await sql<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and c.relname not in ('leases', 'schema_migrations') order by 1`;
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const [r] = await sql.unsafe<{ n: number; digest: string | null }[]>(
        `select count(*)::int as n, md5(string_agg(t::text, E'\\n' order by t::text)) as digest from "${name}" t`,
      );
      out[name] = `${r!.n}:${r!.digest ?? ''}`;
    }
    return out;
  } finally {
    if (typeof where === 'string') await sql.end();
  }
}

it('round-trips the local database through Hinoko’s own format, whole and exact', async () => {
  const file = path.join(dir, 'local.hinoko');
  const backup = await backupDatabase(configFor(source.url), file, { format: 'hinoko' });
  expect(backup.format).toBe('hinoko');
  expect(backup.tables!.mentions!.rows).toBe(301);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const target = await createEmptyDatabase('hinoko_r');
  const restored = await restoreDatabase(configFor(target), file);
  expect(restored.tables!.mentions!.rows).toBe(301);
  const before = await contents(source.url);
  expect(before.mentions).toMatch(/^301:/);
  expect(await contents(target)).toEqual(before);
  // New rows after a restore get new ids: identity sequences moved past the restored ones.
  const sql = postgres(target, { max: 1, onnotice: () => {} });
  const [org] = await sql<
    { id: string }[]
  >`insert into organizations (name, slug) values ('新規', ${`new-${randomBytes(3).toString('hex')}`}) returning id`;
  const [max] = await sql<{ id: string }[]>`select max(id)::text as id from organizations where slug not like 'new-%'`;
  expect(BigInt(org!.id)).toBeGreaterThan(BigInt(max!.id));
  await sql.end();

  // Not into a database that holds data, unless forced; with --force it is replaced.
  await expect(restoreDatabase(configFor(target), file)).rejects.toThrow(/not empty/);
  await restoreDatabase(configFor(target), file, { force: true });
  expect(await contents(target)).toEqual(before);
});

it('refuses a damaged or cut-short backup and leaves the database as empty as it found it', async () => {
  const file = path.join(dir, 'good.hinoko');
  await backupDatabase(configFor(source.url), file, { format: 'hinoko' });
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const damaged = path.join(dir, 'damaged.hinoko');
  writeFileSync(damaged, gzipSync(text.replace('編集後', '編集前')));
  const cut = path.join(dir, 'cut.hinoko');
  writeFileSync(cut, gzipSync(text.slice(0, Math.floor(text.length * 0.8))));
  const notBackup = path.join(dir, 'not.hinoko');
  writeFileSync(notBackup, 'hello');
  for (const [f, message] of [
    [damaged, /damaged/],
    [cut, /cut short/],
    [notBackup, /neither a Hinoko backup nor a pg_dump archive/],
  ] as const) {
    const target = await createEmptyDatabase('hinoko_r');
    await expect(restoreDatabase(configFor(target), f)).rejects.toThrow(message);
    expect(await contents(target)).toEqual({});
  }
});

it('round-trips the local database through pg_dump and pg_restore when they can read the server', async () => {
  const pgDump = await findPgTool('pg_dump');
  const sql = postgres(source.url, { max: 1, onnotice: () => {} });
  const [v] = await sql<{ major: number }[]>`select current_setting('server_version_num')::int / 10000 as major`;
  await sql.end();
  if (!pgDump || pgDump.major < v!.major) {
    // Tests on the embedded server (no local one) with older client tools: pg_dump is refused by name.
    await expect(backupDatabase(configFor(source.url), path.join(dir, 'x.dump'), { format: 'pg_dump' })).rejects.toThrow(/HINOKO_PG_BIN/);
    expect((await backupDatabase(configFor(source.url), path.join(dir, 'auto.backup'))).format).toBe('hinoko');
    return;
  }
  const file = path.join(dir, 'local.dump');
  const backup = await backupDatabase(configFor(source.url), file);
  expect(backup.format).toBe('pg_dump');
  expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('PGDMP');
  const target = await createEmptyDatabase('hinoko_r');
  const restored = await restoreDatabase(configFor(target), file);
  expect(restored.format).toBe('pg_dump');
  expect(await contents(target)).toEqual(await contents(source.url));
});

it('backs up the embedded PostgreSQL and restores it into another data directory', async () => {
  const a = mkdtempSync(path.join(dir, 'embedded-a-'));
  const b = mkdtempSync(path.join(dir, 'embedded-b-'));
  const { openDatabase } = await import('../../src/db/open.ts');
  const first = await openDatabase(configFor(null, a));
  await first.sql`insert into organizations (name, slug) values ('埋め込み', 'embedded-org')`;
  const before = await contents(first.sql);
  await first.shutdown();
  const backup = await backupDatabase(configFor(null, a), path.join(dir, 'embedded.backup'));
  expect(backup.server).toMatch(/^18\./);
  // No pg_dump on this machine reads PostgreSQL 18 (Debian's is older): Hinoko's own format, chosen by itself.
  const pgDump = await findPgTool('pg_dump');
  expect(backup.format).toBe(pgDump && pgDump.major >= 18 ? 'pg_dump' : 'hinoko');
  await restoreDatabase(configFor(null, b), backup.file);
  const second = await openDatabase(configFor(null, b), { create: false });
  try {
    expect(await contents(second.sql)).toEqual(before);
    expect(before.organizations).toMatch(/^1:/);
  } finally {
    await second.shutdown();
  }
}, 180_000);
