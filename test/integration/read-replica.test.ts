import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import { backupDatabase } from '../../src/backup/backup-database.ts';
import { restoreDatabase } from '../../src/backup/restore-database.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/open.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 4: with DATABASE_READ_URL the feed, the counts and the overview's charts read a
// replica, everything else (sign-in, writes, what must see a write) the primary. The "replica" is a
// copy of the primary taken a moment ago (hinoko backup → restore), so it lags like one.

const adminUrl = inject('hinokoAdminUrl');
let primary: TestDatabase;
let replicaUrl: string;
const replicaName = `hinoko_replica_${randomBytes(5).toString('hex')}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-replica-'));

beforeAll(async () => {
  primary = await createTestDatabase();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${replicaName}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${replicaName}`;
  replicaUrl = u.toString();
});
afterAll(async () => {
  await primary.drop();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${replicaName}" with (force)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

it('the feed, counts and overview read the replica; sign-in, writes and a post’s own page the primary', async () => {
  const setup = testContext(primary);
  const { org } = await makeOrg(setup);
  const src = await makeSource(setup, org.id);
  const posted = new Date(Date.now() - 30 * 60_000);
  await ingest(ingestDepsFrom(setup), {
    orgId: org.id,
    sourceId: src.id,
    mentions: [mentionFixture(1, { text: '複製前の投稿', postedAt: posted })],
  });
  const person = await newTestPerson(setup, org.id, 'oncall_manager');
  const file = path.join(dir, 'snapshot');
  await backupDatabase(loadConfig({ DATABASE_URL: primary.url, HINOKO_DATA_DIR: dir }), file, { format: 'hinoko' });
  await restoreDatabase(loadConfig({ DATABASE_URL: replicaUrl, HINOKO_DATA_DIR: dir }), file);
  // Written after the copy: on the primary only, as a replica that has not caught up yet.
  await ingest(ingestDepsFrom(setup), {
    orgId: org.id,
    sourceId: src.id,
    mentions: [mentionFixture(2, { text: '複製後の投稿', postedAt: posted })],
  });

  const database = await openDatabase(loadConfig({ DATABASE_URL: primary.url, DATABASE_READ_URL: replicaUrl, HINOKO_DATA_DIR: dir }), {
    migrate: false,
  });
  try {
    expect(database.readSql).not.toBe(database.sql);
    const [named] = await database.readSql<{ name: string; db: string }[]>`
      select current_setting('application_name') as name, current_database() as db`;
    expect(named).toEqual({ name: 'hinoko-read', db: replicaName });
    // The feed's reused plans (AppContext.readGenericSql) read the replica too.
    const [plans] = await database.readGenericSql<{ name: string; db: string; mode: string }[]>`
      select current_setting('application_name') as name, current_database() as db, current_setting('plan_cache_mode') as mode`;
    expect(plans).toEqual({ name: 'hinoko-read-plans', db: replicaName, mode: 'force_generic_plan' });
    const app = createApp({
      ...testContext(primary),
      sql: database.sql,
      readSql: database.readSql,
      readGenericSql: database.readGenericSql,
    });
    const get = async (p: string) => {
      const res = await app.request(`/api/v1/organizations/${org.id}${p}`, { headers: person.headers });
      expect(res.status, p).toBe(200);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const feed = (await get('/mentions?limit=50')) as { items: { externalId: string }[] };
    expect(feed.items.map((m) => m.externalId)).toEqual(['m-1']);
    const from = new Date(posted.getTime() - 3_600_000).toISOString();
    const counts = (await get(`/mention-counts?bucket=1h&from=${from}&to=${new Date().toISOString()}`)) as { items: { total: number }[] };
    expect(counts.items.reduce((a, b) => a + b.total, 0)).toBe(1);
    const overview = (await get('/overview')) as { byWatchTarget: { points: { total: number }[] }[] };
    expect(overview.byWatchTarget[0]!.points.reduce((a, b) => a + b.total, 0)).toBe(1);
    // The post written after the copy: its own page reads the primary, and so do writes.
    const [late] = await primary.sql<{ id: string }[]>`select id from mentions where org_id = ${org.id} and external_id = 'm-2'`;
    expect(((await get(`/mentions/${late!.id}`)) as { externalId: string }).externalId).toBe('m-2');
    const triage = await app.request(`/api/v1/organizations/${org.id}/mentions/${late!.id}/triage`, {
      method: 'PATCH',
      headers: person.headers,
      body: JSON.stringify({ status: 'handled' }),
    });
    expect(triage.status).toBeLessThan(300);
    expect(await primary.sql`select status from mention_triage where mention_id = ${late!.id}`).toEqual([{ status: 'handled' }]);
  } finally {
    await database.shutdown();
  }
});

it('refuses DATABASE_READ_URL without DATABASE_URL, and a value that is not a postgres:// URL', () => {
  expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://replica/hinoko' })).toThrow(/DATABASE_READ_URL goes with DATABASE_URL/);
  expect(() => loadConfig({ DATABASE_URL: 'postgres://db/hinoko', DATABASE_READ_URL: 'mysql://replica/hinoko' })).toThrow(
    /DATABASE_READ_URL must start/,
  );
});
