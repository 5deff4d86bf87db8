import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServiceChild, until } from '../support/service-child.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: db.url,
  HINOKO_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'hinoko-startstop-')),
  // One deployment: every instance of this file's database shares the secret.
  HINOKO_SECRET: 'test-secret-for-one-deployment-0123456789abcdef',
  HINOKO_DEMO: 'on',
  HINOKO_DEMO_SCHEDULE: '*/2 * * * * *',
  ...extra,
});

it('a start on a port in use exits non-zero with the reason in one line, and nothing ran meanwhile', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const before = (await db.sql`select count(*)::int as n from collector_runs`)[0]!.n as number;
    const err = await startServiceChild(env({ PORT: String(port) }), 90_000).then(
      async (svc) => {
        await svc.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    const out = err!.message;
    const line = out.split('\n').find((l) => l.startsWith('hinoko start:'));
    expect(line, out).toMatch(/EADDRINUSE/);
    expect(line).toContain(String(port));
    expect(out).not.toContain('CONNECTION_ENDED');
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
    // Collectors never started: the port was not ours.
    expect((await db.sql`select count(*)::int as n from collector_runs`)[0]!.n).toBe(before);
  } finally {
    blocker.close();
  }
}, 120_000);

it('SIGTERM drains the workers and exits 0 within the 10 s drain', async () => {
  const svc = await startServiceChild(env());
  await until(
    async () => (await db.sql`select 1 from collector_runs where status = 'succeeded'`).length > 0,
    90_000,
    'a first collection run',
  );
  const asked = Date.now();
  const code = await svc.stop();
  const took = Date.now() - asked;
  process.stdout.write(`[shutdown] SIGTERM → exit ${code} in ${took} ms\n`);
  expect(code).toBe(0);
  expect(svc.output()).toContain('停止しました');
  // Drain (10 s at most) plus closing the pool; a generous cap for a busy machine.
  expect(took).toBeLessThan(25_000);
  // Nothing left marked running by this instance.
  expect(await db.sql`select 1 from collector_runs where status = 'running'`).toEqual([]);
}, 150_000);
