import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionScheduleJob } from '../../src/collection/scheduler.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { newInstanceId } from '../../src/context.ts';
import type { CollectPage, SourceDefinition } from '../../src/sources/types.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { makeOrg, makeSource, mentionFixture, testContext, withTestSource } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A source that records every run's interval and yields one new mention per run. */
function recordingSource(intervals: { start: number; end: number }[], runMs: number): SourceDefinition<Record<string, never>> {
  let n = 0;
  return {
    type: 'rss',
    label: 'recording',
    defaultSchedule: '* * * * * *',
    parseConfig: () => ({}),
    credentials: [],
    requiredCredentials: () => [],
    endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
    async *collect({ runtime }): AsyncIterable<CollectPage> {
      const start = Date.now();
      await runtime.sleep(runMs);
      const i = n++;
      intervals.push({ start, end: Date.now() });
      yield { mentions: [mentionFixture(i, { externalId: `run-${start}-${i}` })], cursor: { n: i } };
    },
  };
}

describe('scheduler', () => {
  it('runs each tick once across two instances on one database', async () => {
    const intervals: { start: number; end: number }[] = [];
    const source = recordingSource(intervals, 50);
    const a = withTestSource(testContext(db, { instanceId: newInstanceId() }), source);
    const b = withTestSource(testContext(db, { instanceId: newInstanceId() }), source);
    const { org } = await makeOrg(a);
    const src = await makeSource(a, org.id, 'rss', '* * * * * *');
    const j1 = collectionScheduleJob();
    const j2 = collectionScheduleJob();
    const s1 = new JobRunner(a, j1);
    const s2 = new JobRunner(b, j2);
    await Promise.all([s1.start(), s2.start()]);
    await new Promise((r) => setTimeout(r, 4200));
    await Promise.all([s1.stop(), s2.stop()]);

    const runs = await a.sql<{ scheduled_for: Date; n: number; instances: number }[]>`
      select scheduled_for, count(*)::int as n, count(distinct instance_id)::int as instances
      from collector_runs where org_id = ${org.id} and source_id = ${src.id} group by scheduled_for`;
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.n === 1)).toBe(true);
    // Both instances fired the ticks, but each tick ran once: the claims split between them. On a
    // busy machine one instance's timer can miss a tick altogether (node-cron drops a tick it
    // wakes too late for), so the losing claims are counted up to the runs, not exactly.
    const outcomes = [...j1.outcomes, ...j2.outcomes];
    expect(outcomes.filter((o) => o.outcome.status === 'succeeded')).toHaveLength(runs.length);
    const lost = outcomes.filter((o) => o.outcome.status === 'claimed-elsewhere').length;
    expect(lost).toBeGreaterThanOrEqual(1);
    expect(lost).toBeLessThanOrEqual(runs.length);
    const { count } = one(await a.sql`select count(*)::int as count from mentions where org_id = ${org.id}`);
    expect(count).toBe(runs.length);
  });

  it('never overlaps two runs of one source, even when a run outlasts its interval', async () => {
    const intervals: { start: number; end: number }[] = [];
    const source = recordingSource(intervals, 1600);
    const a = withTestSource(testContext(db, { instanceId: newInstanceId() }), source);
    const b = withTestSource(testContext(db, { instanceId: newInstanceId() }), source);
    // Only this test's source may run: the schedulers pick up every enabled source in the database.
    await a.sql`update sources set enabled = false`;
    const { org } = await makeOrg(a);
    const src = await makeSource(a, org.id, 'rss', '* * * * * *');
    const j1 = collectionScheduleJob();
    const j2 = collectionScheduleJob();
    const s1 = new JobRunner(a, j1);
    const s2 = new JobRunner(b, j2);
    await Promise.all([s1.start(), s2.start()]);
    await new Promise((r) => setTimeout(r, 4500));
    await Promise.all([s1.stop(), s2.stop()]);

    intervals.sort((x, y) => x.start - y.start);
    expect(intervals.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]!.start).toBeGreaterThanOrEqual(intervals[i - 1]!.end);
    const statuses = await a.sql<{ status: string }[]>`select status from collector_runs where source_id = ${src.id}`;
    expect(statuses.some((s) => s.status === 'skipped')).toBe(true);
  });
});
