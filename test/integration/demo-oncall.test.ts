import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBootstrapAdmin } from '../../src/auth/bootstrap-admin.ts';
import { setUpDemoOncall } from '../../src/bootstrap/demo-oncall.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { loadSchedule, policyOf } from '../../src/oncall/policy.ts';
import { whoIsOnCall } from '../../src/oncall/schedule.ts';
import { testContext } from '../factories/index.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('a fresh demo puts its first admin on call and pages the director after 15 minutes, so a flare-up mails someone', async () => {
  const startedAt = new Date('2026-11-23T15:30:00Z'); // 00:30 JST on a Tuesday, after a holiday
  const ctx = testContext(db, { now: () => startedAt });
  const orgId = (await ensureDemo(ctx, startedAt)).orgId!;
  const admin = (await ensureBootstrapAdmin(ctx, orgId))!;
  await setUpDemoOncall(ctx, orgId, admin.userId, startedAt);
  const policy = (await policyOf(ctx.sql, orgId))!;
  expect(policy.levels.map((l) => l.timeoutMinutes)).toEqual([15, 30]);
  const target = policy.levels[0]!.targets[0]!;
  expect(target.type).toBe('schedule');
  const schedule = (await loadSchedule(ctx.sql, orgId, (target as { scheduleId: string }).scheduleId))!;
  // On call from the moment of the first start (the rotation begins that JST day, before its hand-off hour).
  expect(whoIsOnCall(schedule, startedAt)?.userId).toBe(admin.userId);
  expect(whoIsOnCall(schedule, new Date(startedAt.getTime() + 3 * 86_400_000))?.userId).toBe(admin.userId);
  const audit = await ctx.sql<
    { action: string }[]
  >`select action from audit_log where org_id = ${orgId} and action like 'oncall.%' order by seq`;
  expect(audit.map((a) => a.action)).toEqual(['oncall.schedule_create', 'oncall.policy']);
  expect(one(await ctx.sql<{ email: string }[]>`select email from users where id = ${admin.userId}`).email).toBe(admin.email);
});
