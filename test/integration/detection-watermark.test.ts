import { afterEach, beforeEach, expect, it } from 'vitest';
import { detectionJob } from '../../src/detection-pass/detection-job.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// A 10-minute outage in the middle of the demo flare-up, then catch-up (simulated time).

let db: TestDatabase;
let analyzer: Awaited<ReturnType<typeof loadAnalyzer>>;
beforeEach(async () => {
  db = await createTestDatabase();
  analyzer ??= await loadAnalyzer();
});
afterEach(async () => {
  await db.drop();
});

const start = new Date('2026-11-20T01:00:00Z');
const minute = (n: number) => new Date(start.getTime() + n * 60_000);
const WAIT = 5 * 60_000;

async function demoOrg(ctx: ReturnType<typeof testContext>) {
  const demo = await ensureDemo(ctx, start);
  const [src] = await ctx.sql<{ id: string }[]>`select id from sources where org_id = ${demo.orgId!} and type = 'demo'`;
  return { orgId: demo.orgId!, sourceId: src!.id, flareAt: demo.flareAt!.getTime() };
}

async function firstCrisisOpen(ctx: ReturnType<typeof testContext>, orgId: string) {
  const [row] = await ctx.sql<{ opened_at: Date; notify: boolean; created_at: Date; summary_ja: string }[]>`
    select a.opened_at, e.notify, e.created_at, a.summary_ja from alerts a join alert_events e on e.org_id = a.org_id and e.alert_id = a.id and e.action = 'open'
    where a.org_id = ${orgId} and a.kind = 'crisis' and a.opened_at >= ${start} order by a.opened_at limit 1`;
  return row;
}

it('after a restart, detection waits for the collectors to catch up before judging the outage, then pages at once', async () => {
  let now = start;
  const ctx = testContext(db, { analyzer, now: () => now });
  const { orgId, sourceId, flareAt } = await demoOrg(ctx);
  let waitFrom = start.getTime();
  const pass = () => detectOrg(ctx, orgId, now, { waitFromMs: waitFrom, waitMs: WAIT });
  await runSource(ctx, { sourceId, trigger: 'manual' });
  await pass();
  for (let m = 1; m <= 2; m++) {
    now = minute(m);
    await runSource(ctx, { sourceId, trigger: 'manual' });
    await pass();
  }
  // Down from minute 2 to minute 12 (the flare-up starts at minute 3). On restart the detection
  // pass runs first, before the collector has caught up — as it does in the service.
  now = minute(12);
  waitFrom = now.getTime();
  await pass();
  const judgedBeforeCatchUp = await ctx.sql<
    { last: Date }[]
  >`select last_bucket_start as last from detector_states where org_id = ${orgId} and watch_target_id is null`;
  // Nothing past what was collected before the outage was judged.
  expect(judgedBeforeCatchUp[0]!.last.getTime()).toBeLessThan(minute(2).getTime());
  await runSource(ctx, { sourceId, trigger: 'manual' });
  await pass();
  const open = await firstCrisisOpen(ctx, orgId);
  expect(open, 'a crisis alert right after catch-up').toBeDefined();
  expect(open!.notify).toBe(true);
  // Judged on complete buckets: opened on one of the flare-up's first buckets, not after the gap.
  expect(open!.opened_at.getTime()).toBeLessThanOrEqual(flareAt + 5 * 60_000);
  expect(open!.summary_ja).not.toContain('収集待ち');
  process.stdout.write(
    `[watermark] restart after 10 min: crisis alert for the bucket at +${(open!.opened_at.getTime() - flareAt) / 60_000} min of the flare-up, paged at the restart (+${(now.getTime() - flareAt) / 60_000} min; 0 min after it)\n`,
  );
}, 180_000);

it('a collector that stays behind past the wait: the buckets are judged anyway, and judged again when the posts arrive, paging then', async () => {
  let now = start;
  const job = detectionJob();
  const ctx = testContext(db, { analyzer, now: () => now, detection: job });
  const detection = new JobRunner(ctx, job);
  const { orgId, sourceId, flareAt } = await demoOrg(ctx);
  const pass = () => detectOrg(ctx, orgId, now, { waitFromMs: start.getTime(), waitMs: WAIT });
  await runSource(ctx, { sourceId, trigger: 'manual' });
  await detection.drain();
  await pass();
  for (let m = 1; m <= 2; m++) {
    now = minute(m);
    await runSource(ctx, { sourceId, trigger: 'manual' });
    await detection.drain();
    await pass();
  }
  // The collector fails from minute 2 to minute 12; detection goes on every minute.
  for (let m = 3; m <= 12; m++) {
    now = minute(m);
    await pass();
  }
  const judged = await ctx.sql<
    { last: Date }[]
  >`select last_bucket_start as last from detector_states where org_id = ${orgId} and watch_target_id is null`;
  // After the wait it judged the buckets anyway (they were empty: nothing to alert on).
  expect(judged[0]!.last.getTime()).toBeGreaterThanOrEqual(minute(0).getTime());
  expect(await firstCrisisOpen(ctx, orgId)).toBeUndefined();
  // The collector catches up at minute 13: its posts land in buckets already judged.
  now = minute(13);
  await runSource(ctx, { sourceId, trigger: 'manual' });
  await detection.drain();
  await pass();
  const open = await firstCrisisOpen(ctx, orgId);
  expect(open, 'the re-judged buckets raise the crisis alert').toBeDefined();
  expect(open!.notify).toBe(true);
  expect(open!.opened_at.getTime()).toBeLessThanOrEqual(flareAt + 5 * 60_000);
  process.stdout.write(
    `[watermark] collector 10 min behind: re-judged bucket at +${(open!.opened_at.getTime() - flareAt) / 60_000} min of the flare-up, paged when the posts arrived (+${(now.getTime() - flareAt) / 60_000} min)\n`,
  );
}, 180_000);

it('a source that does not catch up holds the buckets back only for the wait; the alert then says which source was behind', async () => {
  let now = start;
  const ctx = testContext(db, { analyzer, now: () => now });
  const { orgId, sourceId, flareAt } = await demoOrg(ctx);
  // A second collector that fails from the start (never a successful run).
  await ctx.sql`insert into sources (org_id, type, name, config, schedule) values (${orgId}, 'rss', 'RSS 停止中', '{}', '* * * * *')`;
  const pass = () => detectOrg(ctx, orgId, now, { waitFromMs: start.getTime(), waitMs: WAIT });
  for (let m = 0; m <= 8; m++) {
    now = minute(m);
    await runSource(ctx, { sourceId, trigger: 'manual' });
    await pass();
    // Within the wait nothing about the flare-up (minute 3) is judged yet.
    if (m <= 7) expect(await firstCrisisOpen(ctx, orgId)).toBeUndefined();
  }
  // The flare-up's first two minutes (the 01:00 bucket) do not yet prove more than good news would
  // (issue 16): the crisis is the 01:05 bucket's, judged when the wait after it ends (minute 15).
  for (let m = 9; m <= 16 && !(await firstCrisisOpen(ctx, orgId)); m++) {
    now = minute(m);
    await runSource(ctx, { sourceId, trigger: 'manual' });
    await pass();
  }
  const open = await firstCrisisOpen(ctx, orgId);
  expect(open).toBeDefined();
  expect(open!.notify).toBe(true);
  expect(open!.summary_ja).toContain('収集待ちのソースあり: RSS 停止中');
  const [row] = await ctx.sql<
    { explanation: { collection: unknown } }[]
  >`select explanation from alerts where org_id = ${orgId} and kind = 'crisis' order by opened_at limit 1`;
  expect(row!.explanation.collection).toEqual({ complete: false, lagging: ['RSS 停止中'] });
  process.stdout.write(
    `[watermark] one source down for good: alert for +${(open!.opened_at.getTime() - flareAt) / 60_000} min paged at +${(now.getTime() - flareAt) / 60_000} min, noting the source\n`,
  );
}, 180_000);

it('the first run to finish after a bucket settled gets its org judged, once per bucket: a quiet clinic waits for no post and no poll', async () => {
  let now = minute(4);
  const job = detectionJob();
  // Only finished runs kick here (stored posts kick too in the service; a quiet clinic has none).
  const ctx = testContext(db, { analyzer, now: () => now, detection: { afterStore: async () => {}, afterRun: job.afterRun } });
  const { orgId, sourceId } = await demoOrg(ctx);
  const pass = { triggered: false, scheduledFor: null, startedAt: start, signal: new AbortController().signal };
  const judged = async () =>
    (
      await ctx.sql<{ last: Date }[]>`
        select last_bucket_start as last from detector_states where org_id = ${orgId} and watch_target_id is null`
    )[0]?.last.toISOString();
  const runAt = async (at: Date) => {
    now = at;
    await runSource(ctx, { sourceId, trigger: 'manual' });
    return (await job.run(ctx, pass)).orgs;
  };
  // 01:04: the bucket that ended at 01:00 has settled (a minute for late posts) and is covered.
  expect(await runAt(minute(4))).toBe(1);
  expect(await judged()).toBe('2026-11-20T00:55:00.000Z');
  // The bucket ending at 01:05 is covered at 01:05:02 but settles only at 01:06: no pass yet…
  expect(await runAt(new Date(minute(5).getTime() + 2_000))).toBe(0);
  // …the first run to finish after 01:06 asks for it, and later runs ask for nothing more.
  expect(await runAt(new Date(minute(6).getTime() + 5_000))).toBe(1);
  expect(await judged()).toBe('2026-11-20T01:00:00.000Z');
  expect(await runAt(new Date(minute(6).getTime() + 15_000))).toBe(0);
}, 180_000);
