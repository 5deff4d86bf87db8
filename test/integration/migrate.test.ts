import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import { migrate, readMigrations } from '../../src/db/migrate.ts';

const adminUrl = inject('hinokoAdminUrl');
const name = `hinoko_m_${randomBytes(5).toString('hex')}`;
let sql: postgres.Sql;

beforeAll(async () => {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  sql = postgres(u.toString(), { max: 4, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

it('applies every migration once on an empty database, even when two instances start together', async () => {
  const files = await readMigrations();
  const [a, b] = await Promise.all([migrate(sql), migrate(sql)]);
  expect([...a, ...b].sort()).toEqual(files.map((f) => f.name).sort());
  const rows = await sql`select version from schema_migrations order by version`;
  expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
  const tables = await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
  expect(tables.map((t) => t.table_name)).toEqual(
    expect.arrayContaining([
      'organizations',
      'watch_targets',
      'sources',
      'source_cursors',
      'mentions',
      'mention_versions',
      'mention_tombstones',
      'collector_runs',
      'mention_counts',
      'users',
      'sessions',
      'user_tokens',
      'login_throttle',
    ]),
  );
});

it('re-applying is a no-op', async () => {
  expect(await migrate(sql)).toEqual([]);
});

it('refuses to run when an applied migration file was edited', async () => {
  await sql`update schema_migrations set checksum = 'edited' where version = 1`;
  await expect(migrate(sql)).rejects.toThrow(/changed after it was applied/);
});
