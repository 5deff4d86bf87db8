import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSource, type RunOutcome } from '../../src/collection/run-source.ts';
import { collectionScheduleJob } from '../../src/collection/scheduler.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { addSource, type SourceRecord } from '../../src/collection/sources.ts';
import { newInstanceId, type AppContext } from '../../src/context.ts';
import { MastodonFake } from '../fakes/mastodon-fake.ts';
import { seededRandom } from '../fakes/source-runtime.ts';
import { XFake, compareIds } from '../fakes/x-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 5, "Proof": two instances collecting the same sources against one database store each
// item once. Two contexts with their own instanceId share one database (as two processes would)
// and collect the same X and Mastodon sources at the same time, by hand and through two
// Schedulers, while the fakes keep publishing.

let db: TestDatabase;
let x: XFake;
let mastodon: MastodonFake;
const tag = 'テスト内科';

beforeAll(async () => {
  db = await createTestDatabase();
  x = new XFake({ rateLimit: { limit: 100_000, windowSeconds: 900 } });
  await x.start();
  mastodon = await new MastodonFake().start();
});
afterAll(async () => {
  await x.close();
  await mastodon.close();
  await db.drop();
});

interface SentRequest {
  instanceId: string;
  origin: string;
  at: number;
}
const sent: SentRequest[] = [];

/**
 * The instance's fetch: each request a few ms slower, so runs last long enough for the two
 * instances to collide, and logged, so a run's real start (its first request, made only once it
 * holds the source's lock) can be told from the moment it was recorded.
 */
function instance(): AppContext {
  const instanceId = newInstanceId();
  const fetchLogged: typeof fetch = async (input, init) => {
    await new Promise((r) => setTimeout(r, 3));
    sent.push({ instanceId, origin: new URL(input instanceof Request ? input.url : String(input)).origin, at: Date.now() });
    return globalThis.fetch(input, init);
  };
  return testContext(db, { instanceId, fetch: fetchLogged });
}

let n = 0;
function publish(count: number): void {
  for (let i = 0; i < count; i += 1) {
    n += 1;
    x.addTweet({ text: `テスト内科の対応について ${n}` });
    mastodon.post({ text: `テスト内科に行った ${n}`, tags: [tag], at: new Date() });
  }
}

async function addSources(
  ctx: AppContext,
  orgId: string,
  schedule?: string,
): Promise<{ xSource: SourceRecord; mastodonSource: SourceRecord }> {
  const xSource = await addSource(ctx, {
    orgId,
    type: 'x',
    name: unique('x'),
    ...(schedule ? { schedule } : {}),
    config: { baseUrl: x.baseUrl, maxResults: 10, maxPagesPerRun: 100, deletionCheckIds: 0 },
    credentials: { bearerToken: x.token },
  });
  const mastodonSource = await addSource(ctx, {
    orgId,
    type: 'mastodon',
    name: unique('m'),
    ...(schedule ? { schedule } : {}),
    config: {
      baseUrl: mastodon.baseUrl,
      hashtags: [tag],
      hashtagsFromTargets: false,
      pageSize: 10,
      backfillPages: 100,
      maxPagesPerRun: 100,
      recheckLimit: 0,
    },
  });
  return { xSource, mastodonSource };
}

async function storedIds(ctx: AppContext, sourceId: string): Promise<string[]> {
  const rows = await ctx.sql<{ external_id: string }[]>`select external_id from mentions where source_id = ${sourceId}`;
  return rows.map((r) => r.external_id).sort(compareIds);
}

/**
 * Runs that collected (not skipped) never overlap, and each item was inserted by exactly one run.
 * A run's row is written before it asks for the lock, so started_at can precede the end of the
 * run it waited for; its first request to the API is the moment it really began collecting.
 */
async function checkRuns(ctx: AppContext, source: SourceRecord, origin: string): Promise<{ instances: number; skipped: number }> {
  const runs = await ctx.sql<{ status: string; instance_id: string; started_at: Date; finished_at: Date | null; inserted: number }[]>`
    select status, instance_id, started_at, finished_at, inserted from collector_runs where source_id = ${source.id} order by finished_at, id`;
  expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  const collected = runs
    .filter((r) => r.status === 'succeeded' || r.status === 'failed')
    .map((r) => {
      const first = sent.find(
        (q) =>
          q.instanceId === r.instance_id &&
          q.origin === origin &&
          q.at >= r.started_at.getTime() - 1 &&
          q.at <= r.finished_at!.getTime() + 1,
      );
      return { ...r, began: first?.at ?? null };
    });
  for (const r of collected) expect(r.began).not.toBeNull();
  for (let i = 1; i < collected.length; i += 1) {
    // 1 ms of slack: Date.now() is whole milliseconds, Postgres timestamps are microseconds.
    expect(collected[i]!.began!).toBeGreaterThanOrEqual(collected[i - 1]!.finished_at!.getTime() - 1);
  }
  const [count] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from mentions where source_id = ${source.id}`;
  expect(collected.reduce((sum, r) => sum + r.inserted, 0)).toBe(count!.n);
  return {
    instances: new Set(collected.filter((r) => r.status === 'succeeded').map((r) => r.instance_id)).size,
    skipped: runs.filter((r) => r.status === 'skipped').length,
  };
}

describe('two instances on one database', () => {
  it('collecting the same X and Mastodon sources concurrently store each item once, runs never overlapping', async () => {
    const a = instance();
    const b = instance();
    const { org } = await makeOrg(a);
    publish(120);
    const { xSource, mastodonSource } = await addSources(a, org.id);

    const outcomes: RunOutcome[] = [];
    const loop = async (ctx: AppContext, rounds: number, seed: number) => {
      const pause = seededRandom(seed);
      for (let i = 0; i < rounds; i += 1) {
        // Uneven pauses, like two processes' timers: otherwise whichever instance wins the
        // first lock keeps winning and the other only ever skips. The range must exceed a run's
        // length (a few tens of ms, more on a loaded machine), or the loser keeps arriving while
        // the winner still holds the lock.
        await new Promise((r) => setTimeout(r, Math.floor(pause() * 150)));
        if (i % 3 === 0) publish(7);
        const [ox, om] = await Promise.all([
          runSource(ctx, { sourceId: xSource.id, trigger: 'manual' }),
          runSource(ctx, { sourceId: mastodonSource.id, trigger: 'manual' }),
        ]);
        outcomes.push(ox, om);
      }
    };
    await Promise.all([loop(a, 12, 1), loop(b, 12, 2)]);
    // Whatever was published during the last rounds is picked up by one more run.
    await runSource(a, { sourceId: xSource.id, trigger: 'manual' });
    await runSource(b, { sourceId: mastodonSource.id, trigger: 'manual' });

    expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(outcomes.some((o) => o.status === 'skipped')).toBe(true);
    expect(await storedIds(a, xSource.id)).toEqual(x.expectedIds(`"${tag}"`));
    expect(await storedIds(a, mastodonSource.id)).toEqual(mastodon.allIds(tag).sort(compareIds));
    for (const [source, origin] of [
      [xSource, x.baseUrl],
      [mastodonSource, mastodon.baseUrl],
    ] as const) {
      const runs = await checkRuns(a, source, origin);
      expect(runs.instances).toBe(2);
      expect(runs.skipped).toBeGreaterThan(0);
    }
  }, 60_000);

  it('two Schedulers firing every second claim each tick once and store each item once', async () => {
    const a = instance();
    const b = instance();
    // Only this test's sources may run: the schedulers pick up every enabled source in the database.
    await a.sql`update sources set enabled = false`;
    const { org } = await makeOrg(a);
    const { xSource, mastodonSource } = await addSources(a, org.id, '* * * * * *');
    const j1 = collectionScheduleJob();
    const j2 = collectionScheduleJob();
    const s1 = new JobRunner(a, j1);
    const s2 = new JobRunner(b, j2);
    await Promise.all([s1.start(), s2.start()]);
    for (let i = 0; i < 8; i += 1) {
      publish(5);
      await new Promise((r) => setTimeout(r, 500));
    }
    await Promise.all([s1.stop(), s2.stop()]);
    await runSource(a, { sourceId: xSource.id, trigger: 'manual' });
    await runSource(b, { sourceId: mastodonSource.id, trigger: 'manual' });

    for (const [source, origin] of [
      [xSource, x.baseUrl],
      [mastodonSource, mastodon.baseUrl],
    ] as const) {
      const ticks = await a.sql<{ n: number }[]>`
        select count(*)::int as n from collector_runs where source_id = ${source.id} and scheduled_for is not null group by scheduled_for`;
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.every((t) => t.n === 1)).toBe(true);
      await checkRuns(a, source, origin);
    }
    const outcomes = [...j1.outcomes, ...j2.outcomes].map((o) => o.outcome);
    expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(outcomes.some((o) => o.status === 'claimed-elsewhere')).toBe(true);
    expect(await storedIds(a, xSource.id)).toEqual(x.expectedIds(`"${tag}"`));
    expect(await storedIds(a, mastodonSource.id)).toEqual(mastodon.allIds(tag).sort(compareIds));
  }, 60_000);
});
