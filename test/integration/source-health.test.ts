import { afterAll, beforeAll, expect, it } from 'vitest';
import { authHeaders } from '../support/api-auth.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { collectionScheduleJob } from '../../src/collection/scheduler.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { addSource } from '../../src/collection/sources.ts';
import { updateSource } from '../../src/collection/update-source.ts';
import { createApp } from '../../src/server/app.ts';
import { XFake } from '../fakes/x-fake.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { makeOrg, testContext } from '../factories/index.ts';

let db: TestDatabase;
let x: XFake;
beforeAll(async () => {
  db = await createTestDatabase();
  x = new XFake();
  await x.start();
});
afterAll(async () => {
  await x.close();
  await db.drop();
});

it('refused credentials mark the source unhealthy (API and scheduler see it) instead of hammering the API; a config change re-arms it', async () => {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx);
  x.addTweet({ text: 'テスト内科の待ち時間が長い' });
  const src = await addSource(ctx, {
    orgId: org.id,
    type: 'x',
    name: 'X',
    config: { baseUrl: x.baseUrl, requestTimeoutMs: 2000 },
    credentials: { bearerToken: 'a-revoked-token' },
    schedule: '* * * * * *',
  });

  const outcome = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
  expect(outcome.status).toBe('failed');
  const row = one(await ctx.sql`select health, health_message from sources where id = ${src.id}`);
  expect(row.health).toBe('unhealthy');
  expect(row.health_message).not.toContain('a-revoked-token');

  const api = await (
    await createApp(ctx).request(`/api/v1/organizations/${org.id}/sources/${src.id}`, {
      headers: await authHeaders(ctx, { orgId: org.id }),
    })
  ).json();
  expect(api).toMatchObject({ health: 'unhealthy' });
  expect(JSON.stringify(api)).not.toContain('a-revoked-token');

  // The scheduler leaves an unhealthy source alone: no requests reach the platform.
  const before = x.requests.length;
  const scheduler = new JobRunner(ctx, collectionScheduleJob());
  await scheduler.start();
  await new Promise((r) => setTimeout(r, 2500));
  await scheduler.stop();
  expect(x.requests.length).toBe(before);

  // Entering the right credential re-arms it, and the next run succeeds.
  await updateSource(ctx, src.id, org.id, { credentials: { bearerToken: x.token } });
  expect(await runSource(ctx, { sourceId: src.id, trigger: 'manual' })).toMatchObject({ status: 'succeeded', inserted: 1 });
  expect(one(await ctx.sql`select health from sources where id = ${src.id}`).health).toBe('ok');
});
