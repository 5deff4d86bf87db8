import { afterEach, beforeEach, expect, it } from 'vitest';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { loadConfig } from '../../src/config.ts';
import type { AppContext } from '../../src/context.ts';
import { testContext } from '../factories/index.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';

// Issue 12 item 9: the demo flares up once per data directory. A restart neither moves the flare-up
// (cutting a running one short, paging the on-call admin again) unless HINOKO_DEMO_FLARE_AFTER is
// set in the environment.

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

const minutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);

/** The test context as a start with these environment variables would configure it. */
function contextWith(env: Record<string, string>): AppContext {
  const base = testContext(db);
  return { ...base, config: loadConfig({ HINOKO_DATA_DIR: '/nonexistent-test-dir', ...env }) };
}

async function demoFlareAt(ctx: AppContext): Promise<string> {
  const row = one(
    await ctx.sql<{ flare_at: string }[]>`
    select s.config->>'flareAt' as flare_at from sources s join organizations o on o.id = s.org_id where s.type = 'demo' and o.is_demo`,
  );
  return row.flare_at;
}

it('keeps the flare-up where the first start put it when the service starts again, during or after it', async () => {
  const ctx = contextWith({});
  const first = new Date('2026-11-20T01:00:00Z');
  const created = await ensureDemo(ctx, first);
  expect(created).toMatchObject({ action: 'created', flareAt: minutes(first, 3) });
  const scheduled = await demoFlareAt(ctx);
  expect(scheduled).toBe(minutes(first, 3).toISOString());

  // Restarted before it began: still the same time, reported as still ahead.
  expect(await ensureDemo(ctx, minutes(first, 1))).toEqual({ action: 'unchanged', orgId: created.orgId, flareAt: minutes(first, 3) });
  // Restarted while it runs, and long after: untouched, nothing ahead.
  expect(await ensureDemo(ctx, minutes(first, 10))).toEqual({ action: 'unchanged', orgId: created.orgId });
  expect(await ensureDemo(ctx, minutes(first, 24 * 60))).toEqual({ action: 'unchanged', orgId: created.orgId });
  expect(await demoFlareAt(ctx)).toBe(scheduled);
  const updates =
    await ctx.sql`select 1 from audit_log where org_id = ${created.orgId!} and action like 'source.%' and action <> 'source.add'`;
  expect(updates).toHaveLength(0);
});

it('schedules another flare-up when HINOKO_DEMO_FLARE_AFTER is set explicitly, but never over a running one', async () => {
  const first = new Date('2026-11-20T01:00:00Z');
  const created = await ensureDemo(contextWith({}), first);
  const explicit = contextWith({ HINOKO_DEMO_FLARE_AFTER: '90s' });

  // During the running flare-up (it began at +3 min and lasts 75 min) even an explicit setting waits.
  expect(await ensureDemo(explicit, minutes(first, 20))).toEqual({ action: 'unchanged', orgId: created.orgId });
  expect(await demoFlareAt(explicit)).toBe(minutes(first, 3).toISOString());

  const later = minutes(first, 3 * 60);
  expect(await ensureDemo(explicit, later)).toEqual({
    action: 'rescheduled',
    orgId: created.orgId,
    flareAt: new Date(later.getTime() + 90_000),
  });
  expect(await demoFlareAt(explicit)).toBe(new Date(later.getTime() + 90_000).toISOString());
});

it('two instances starting together on an empty database set the demo up once', async () => {
  const ctx = contextWith({});
  const startedAt = new Date('2026-11-20T01:00:00Z');
  const results = await Promise.all([ensureDemo(ctx, startedAt), ensureDemo(ctx, startedAt), ensureDemo(ctx, startedAt)]);
  expect(results.filter((r) => r.action === 'created')).toHaveLength(1);
  const orgId = results.find((r) => r.action === 'created')!.orgId!;
  for (const r of results) expect(r.orgId).toBe(orgId);
  const counts = one(
    await ctx.sql<{ orgs: number; targets: number; sources: number }[]>`
    select (select count(*)::int from organizations) as orgs,
      (select count(*)::int from watch_targets where org_id = ${orgId}) as targets,
      (select count(*)::int from sources where org_id = ${orgId}) as sources`,
  );
  expect(counts).toEqual({ orgs: 1, targets: 1, sources: 1 });
});
