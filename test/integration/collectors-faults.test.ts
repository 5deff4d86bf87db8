import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSource, type RunOutcome } from '../../src/collection/run-source.ts';
import { addSource } from '../../src/collection/sources.ts';
import type { AppContext } from '../../src/context.ts';
import { seededRandom } from '../fakes/source-runtime.ts';
import { BlueskyFake } from '../fakes/bluesky-fake.ts';
import type { FaultKind } from '../fakes/faulty-server.ts';
import { GoogleReviewsFake } from '../fakes/google-reviews-fake.ts';
import { MastodonFake } from '../fakes/mastodon-fake.ts';
import { RssFake } from '../fakes/rss-fake.ts';
import { YouTubeFake } from '../fakes/youtube-fake.ts';
import { XFake, compareIds, type FakeTweet } from '../fakes/x-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 5, "Proof": for X, Mastodon, Bluesky, Google reviews, YouTube and RSS, 200 collection
// runs each through the real runSource — advisory lock, run records, the ingest transaction that
// commits each page with its cursor — against the source's fake injecting 429s (with the API's
// own reset headers), 5xx, hangs, connection resets and malformed bodies at a seeded random rate,
// while its data set grows and (where the collector can see it) is edited and loses posts
// between runs. After three fault-free catch-up runs the database must hold exactly what the
// fake holds: nothing missing, nothing twice, current texts, earlier texts as versions,
// deletions as tombstones.
//
// Speed: runSource builds its runtime with real timers and Math.random jitter (run-source.ts
// runtimeFor), so backoff steps are drawn from Math.random here, scaled to 2 % (the first step
// is ≤ 20 ms instead of ≤ 1 s); the policy under test is unchanged, only its unit shrinks.
// Hangs end through the source's own requestTimeoutMs (set low), 429 resets are real waits.

let db: TestDatabase;
const jitter = seededRandom(2026);
beforeAll(async () => {
  db = await createTestDatabase();
  vi.spyOn(Math, 'random').mockImplementation(() => jitter() * 0.02);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await db.drop();
});

interface StoredRow {
  external_id: string;
  text: string;
  version: number;
  deleted: boolean;
}

async function storedRows(ctx: AppContext, orgId: string, sourceId: string): Promise<StoredRow[]> {
  return ctx.sql<StoredRow[]>`
    select external_id, text, version, deleted_at is not null as deleted
    from mentions where org_id = ${orgId} and source_id = ${sourceId} order by external_id`;
}

async function versionsByExternalId(ctx: AppContext, orgId: string, sourceId: string): Promise<Map<string, string[]>> {
  const rows = await ctx.sql<{ external_id: string; text: string }[]>`
    select m.external_id, v.text from mention_versions v
    join mentions m on m.org_id = v.org_id and m.id = v.mention_id
    where m.org_id = ${orgId} and m.source_id = ${sourceId} order by m.external_id, v.version`;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.external_id, [...(out.get(r.external_id) ?? []), r.text]);
  return out;
}

async function tombstoned(ctx: AppContext, orgId: string, sourceId: string): Promise<string[]> {
  const rows = await ctx.sql<{ external_id: string }[]>`
    select external_id from mention_tombstones where org_id = ${orgId} and source_id = ${sourceId} order by external_id`;
  return rows.map((r) => r.external_id);
}

/** True when `part` appears in `whole` in order (not necessarily adjacent). */
function isSubsequence(part: string[], whole: string[]): boolean {
  let i = 0;
  for (const w of whole) if (i < part.length && part[i] === w) i += 1;
  return i === part.length;
}

function tally(outcomes: RunOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

/** A post as the fake holds it now: every text it has had (oldest first) and whether it is gone. */
interface FakeTruth {
  externalId: string;
  history: string[];
  deleted: boolean;
  editedAfterStored: boolean;
}

/**
 * The store equals the fake: the same posts, each once, with the current text (a deleted post
 * keeps the text it had), deleted ones marked and tombstoned, and earlier texts kept as versions
 * in order. A post edited twice between two successful runs only shows its latest text, so the
 * versions are a subsequence of the history, starting with the text first stored.
 */
async function expectStoreEqualsFake(ctx: AppContext, orgId: string, sourceId: string, truth: FakeTruth[]): Promise<void> {
  const byId = (a: { external_id: string }, b: { external_id: string }) =>
    a.external_id < b.external_id ? -1 : a.external_id > b.external_id ? 1 : 0;
  const expected = truth.map((t) => ({ external_id: t.externalId, text: t.history.at(-1)!, deleted: t.deleted })).sort(byId);
  const rows = await storedRows(ctx, orgId, sourceId);
  expect(rows.map(({ external_id, text, deleted }) => ({ external_id, text, deleted }))).toEqual(expected);
  expect(await tombstoned(ctx, orgId, sourceId)).toEqual(
    truth
      .filter((t) => t.deleted)
      .map((t) => t.externalId)
      .sort(),
  );
  const versions = await versionsByExternalId(ctx, orgId, sourceId);
  const truthById = new Map(truth.map((t) => [t.externalId, t]));
  for (const row of rows) {
    const t = truthById.get(row.external_id)!;
    const kept = versions.get(row.external_id) ?? [];
    expect(row.version).toBe(kept.length + 1);
    expect(isSubsequence(kept, t.history.slice(0, -1))).toBe(true);
    if (t.editedAfterStored) expect(kept[0]).toBe(t.history[0]);
    else expect(kept).toEqual([]);
  }
}

async function expectRunRecords(ctx: AppContext, orgId: string, sourceId: string, outcomes: RunOutcome[]): Promise<void> {
  const rows = await ctx.sql<{ status: string; n: number }[]>`
    select status, count(*)::int as n from collector_runs where org_id = ${orgId} and source_id = ${sourceId} group by status`;
  expect(Object.fromEntries(rows.map((r) => [r.status, r.n]))).toEqual(tally(outcomes));
}

const faultMix: FaultKind[] = ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed'];

/** `runs` manual runs with `between` before each, then three fault-free catch-up runs. */
async function runMany(
  ctx: AppContext,
  sourceId: string,
  runs: number,
  between: (run: number) => void | Promise<void>,
  stopFaults: () => void,
): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (let run = 0; run < runs; run += 1) {
    await between(run);
    outcomes.push(await runSource(ctx, { sourceId, trigger: 'manual' }));
  }
  stopFaults();
  for (let i = 0; i < 3; i += 1) outcomes.push(await runSource(ctx, { sourceId, trigger: 'manual' }));
  return outcomes;
}

/** The proof only proves something if every kind of fault was served and runs really failed. */
function expectFaultsMattered(outcomes: RunOutcome[], served: (FaultKind | null)[], kinds: FaultKind[]): void {
  const counts = tally(outcomes);
  expect(counts.failed ?? 0).toBeGreaterThan(0);
  expect(counts.succeeded ?? 0).toBeGreaterThan(outcomes.length / 2);
  for (const kind of kinds) expect(served).toContain(kind);
}

// Concurrent: each test has its own org, source and fake, and most of their time is spent waiting
// (backoff, resets, timeouts), so together they take about as long as the slowest (X).
describe.concurrent('collectors under random faults, through runSource into Postgres', () => {
  it('X: 200 faulty runs while posts appear, are edited and deleted; the store equals the fake exactly', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const fake = new XFake({
      faultRate: 0.25,
      faultSeed: 5,
      // Retried faults rarely outlast six attempts, so a malformed body (not retried: the run
      // stops) is in the mix to make runs fail part-way, after some pages committed.
      faultKinds: ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed'],
      // X announces the reset in whole epoch seconds: "0 s from now" is a real wait of up to 1 s.
      faultResetSeconds: 0,
      rateLimit: { limit: 100_000, windowSeconds: 900 },
    });
    await fake.start();
    try {
      const source = await addSource(ctx, {
        orgId: org.id,
        type: 'x',
        name: unique('x'),
        config: { baseUrl: fake.baseUrl, maxResults: 10, maxPagesPerRun: 5, deletionCheckIds: 50, requestTimeoutMs: 150 },
        credentials: { bearerToken: fake.token },
      });
      const rnd = seededRandom(11);
      const author = fake.addUser({ username: 'kanja_1', name: '患者1' });
      const other = fake.addUser({ username: 'kanja_2', name: '患者2' });
      let n = 0;
      const post = () => {
        n += 1;
        // Every fifth post is about another clinic: the search must not return it.
        const text = n % 5 === 0 ? `べつの病院の話 ${n}` : `テスト内科の待ち時間が長い ${n}`;
        return fake.addTweet({ text, author: n % 2 ? author : other, metrics: { like_count: n % 7 } });
      };
      for (let i = 0; i < 25; i += 1) post(); // more than one run's page budget: the backlog spans runs

      const outcomes: RunOutcome[] = [];
      const editedOriginals = new Set<string>();
      const deletedOriginals = new Set<string>();
      const runs = 200;
      for (let run = 0; run < runs; run += 1) {
        const stored = await storedRows(ctx, org.id, source.id);
        const storedText = new Map(stored.filter((r) => !r.deleted).map((r) => [r.external_id, r.text]));
        // Candidates for edits and deletions: stored, still live, among the newest posts (the
        // collector re-checks recent posts for deletions; older ones are out of its scope).
        const live = fake
          .searchable()
          .filter((t) => t.text.includes('テスト内科'))
          .slice(0, 30);
        const storedLive = live.filter((t) => storedText.has(t.edit_history_tweet_ids[0]!));
        // Deleted only once its latest text is stored: what we hold of a deleted post is what
        // we saw of it, so an edit never seen would make "the fake's text" unknowable to us.
        const storedCurrent = storedLive.filter((t) => storedText.get(t.edit_history_tweet_ids[0]!) === t.text);
        const newPosts = Math.floor(rnd() * 4);
        for (let i = 0; i < newPosts; i += 1) post();
        if (storedCurrent.length > 0 && rnd() < 0.12) {
          const t = storedCurrent[Math.floor(rnd() * storedCurrent.length)]!;
          fake.deleteTweet(t.id);
          deletedOriginals.add(t.edit_history_tweet_ids[0]!);
        }
        const editable = storedLive.filter((t) => !fake.deleted.has(t.id));
        if (editable.length > 0 && rnd() < 0.25) {
          const t = editable[Math.floor(rnd() * editable.length)]!;
          fake.editTweet(t.id, `${t.text}（追記${run}）`);
          editedOriginals.add(t.edit_history_tweet_ids[0]!);
        }
        outcomes.push(await runSource(ctx, { sourceId: source.id, trigger: 'manual' }));
      }
      // Catch-up: the faults stop; a few clean runs must bring the store level with the fake
      // (deletions are noticed by re-checking recent posts, a batch per run).
      fake.faultRate = 0;
      for (let i = 0; i < 4; i += 1) outcomes.push(await runSource(ctx, { sourceId: source.id, trigger: 'manual' }));

      // The fake's truth, per post (by its first id, which X keeps across edits).
      const latest = new Map<string, FakeTweet>();
      for (const t of fake.tweets.values()) {
        if (!t.text.includes('テスト内科') || t.edit_history_tweet_ids.at(-1) !== t.id) continue;
        latest.set(t.edit_history_tweet_ids[0]!, t);
      }
      await expectStoreEqualsFake(
        ctx,
        org.id,
        source.id,
        [...latest.entries()].map(([id, t]) => ({
          externalId: id,
          history: t.edit_history_tweet_ids.map((v) => fake.tweets.get(v)!.text),
          deleted: fake.deleted.has(t.id),
          editedAfterStored: editedOriginals.has(id),
        })),
      );

      // The proof only proves something if the faults happened and runs really failed.
      const counts = tally(outcomes);
      expect(counts.failed ?? 0).toBeGreaterThan(0);
      expect(counts.succeeded ?? 0).toBeGreaterThan(runs / 2);
      for (const kind of ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed'])
        expect(fake.faultsServed[kind] ?? 0).toBeGreaterThan(0);
      expect(editedOriginals.size).toBeGreaterThan(10);
      expect(deletedOriginals.size).toBeGreaterThan(5);
      expect(latest.size).toBeGreaterThan(200);
      await expectRunRecords(ctx, org.id, source.id, outcomes);
    } finally {
      await fake.close();
    }
  }, 120_000);

  it('Mastodon: 200 faulty runs while statuses appear, are edited and deleted; the store equals the fake exactly', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const tag = 'テスト内科';
    // The fake's clock runs 14.95 s behind ours: its 429s announce a reset 15 s ahead on its
    // clock (as an ISO instant, as Mastodon does), which is 50 ms ahead on ours — a real wait,
    // just short.
    const fake = await new MastodonFake({ now: () => Date.now() - 14_950 }).start();
    fake.http.setFaults({ rate: 0.04, seed: 9, kinds: ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed'] });
    try {
      const source = await addSource(ctx, {
        orgId: org.id,
        type: 'mastodon',
        name: unique('m'),
        config: {
          baseUrl: fake.baseUrl,
          hashtags: [tag],
          hashtagsFromTargets: false,
          pageSize: 10,
          backfillPages: 100,
          maxPagesPerRun: 5,
          recheckLimit: 8,
          requestTimeoutMs: 150,
        },
      });
      const rnd = seededRandom(13);
      // What the fake holds, as the collector will render it: the status text, then its hashtag.
      const truth = new Map<string, { history: string[]; deleted: boolean; editedAfterStored: boolean }>();
      const rendered = (text: string) => `${text} #${tag}`;
      let n = 0;
      const post = () => {
        n += 1;
        const text = `テスト内科の受付の対応について ${n}`;
        const status = fake.post({ text, tags: [tag], at: new Date(), user: `kanja${n % 3}` });
        truth.set(status.id, { history: [rendered(text)], deleted: false, editedAfterStored: false });
      };
      for (let i = 0; i < 25; i += 1) post();

      const outcomes: RunOutcome[] = [];
      let edits = 0;
      let deletions = 0;
      const runs = 200;
      for (let run = 0; run < runs; run += 1) {
        const stored = new Map((await storedRows(ctx, org.id, source.id)).filter((r) => !r.deleted).map((r) => [r.external_id, r.text]));
        // The collector re-reads the newest statuses it has (recheckLimit) for edits and
        // deletions; changes are made to the newest two stored, well inside that window.
        const newest = fake
          .allIds(tag)
          .filter((id) => stored.has(id))
          .sort(compareIds)
          .slice(-2);
        if (rnd() < 0.5) post();
        const current = newest.filter((id) => stored.get(id) === truth.get(id)!.history.at(-1));
        if (current.length > 0 && rnd() < 0.1) {
          const id = current[Math.floor(rnd() * current.length)]!;
          fake.delete(id);
          truth.get(id)!.deleted = true;
          deletions += 1;
        } else if (newest.length > 0 && rnd() < 0.25) {
          const id = newest[Math.floor(rnd() * newest.length)]!;
          const text = `テスト内科の受付の対応について（訂正${run}）`;
          fake.edit(id, text, new Date());
          const t = truth.get(id)!;
          t.history.push(rendered(text));
          t.editedAfterStored = true;
          edits += 1;
        }
        outcomes.push(await runSource(ctx, { sourceId: source.id, trigger: 'manual' }));
      }
      fake.http.setFaults({ rate: 0 });
      for (let i = 0; i < 3; i += 1) outcomes.push(await runSource(ctx, { sourceId: source.id, trigger: 'manual' }));

      await expectStoreEqualsFake(
        ctx,
        org.id,
        source.id,
        [...truth.entries()].map(([externalId, t]) => ({ externalId, ...t })),
      );
      const counts = tally(outcomes);
      expect(counts.failed ?? 0).toBeGreaterThan(0);
      expect(counts.succeeded ?? 0).toBeGreaterThan(runs / 2);
      const served = new Set(fake.http.requests.map((r) => r.fault));
      for (const kind of ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed'] as const)
        expect(served.has(kind)).toBe(true);
      expect(edits).toBeGreaterThan(10);
      expect(deletions).toBeGreaterThan(5);
      await expectRunRecords(ctx, org.id, source.id, outcomes);
    } finally {
      await fake.close();
    }
  }, 120_000);

  // The remaining pull sources. Their 429s (Retry-After, epoch-second resets, none at all) would
  // make real waits of many seconds, so the fakes' clocks are set back to land each reset within
  // a second of ours (RSS's Retry-After is relative, so its mix leaves 429s out; http.ts's
  // Retry-After handling is unit-tested).

  it('Bluesky: 200 faulty runs with new posts and expiring sessions; the store equals the search results exactly', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    // Resets in whole epoch seconds, 15 s ahead on the fake's clock: the next second on ours.
    const fake = await new BlueskyFake({ now: () => Date.now() - 15_000 }).start();
    fake.http.setFaults({ rate: 0.06, seed: 21, kinds: faultMix });
    try {
      const source = await addSource(ctx, {
        orgId: org.id,
        type: 'bluesky',
        name: unique('b'),
        config: { baseUrl: fake.baseUrl, pageSize: 10, maxPagesPerRun: 5, requestTimeoutMs: 150 },
        credentials: { identifier: fake.identifier, appPassword: fake.password },
      });
      const rnd = seededRandom(23);
      const truth: FakeTruth[] = [];
      let n = 0;
      const post = () => {
        n += 1;
        const text = `テスト内科で診てもらった ${n}`;
        truth.push({
          externalId: fake.post({ text, handle: `kanja${n % 4}.bsky.social`, at: new Date() }).uri,
          history: [text],
          deleted: false,
          editedAfterStored: false,
        });
        if (n % 4 === 0) fake.post({ text: `関係のない投稿 ${n}`, at: new Date() });
      };
      for (let i = 0; i < 25; i += 1) post();
      const outcomes = await runMany(
        ctx,
        source.id,
        200,
        (run) => {
          if (rnd() < 0.6) post();
          if (run % 25 === 24) fake.expireAccessTokens();
        },
        () => fake.http.setFaults({ rate: 0 }),
      );
      await expectStoreEqualsFake(ctx, org.id, source.id, truth);
      expectFaultsMattered(
        outcomes,
        fake.http.requests.map((r) => r.fault),
        faultMix,
      );
      expect(fake.refreshSessionCalls + fake.createSessionCalls).toBeGreaterThan(1);
      await expectRunRecords(ctx, org.id, source.id, outcomes);
    } finally {
      await fake.close();
    }
  }, 120_000);

  it('Google reviews: 200 faulty runs while reviews arrive and are edited; the store equals the listing exactly, edits as versions', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    // Google's 429 carries no reset; the client backs off.
    const fake = await new GoogleReviewsFake().start();
    fake.http.setFaults({ rate: 0.06, seed: 31, kinds: faultMix });
    const loc = 'accounts/111/locations/222';
    try {
      const source = await addSource(ctx, {
        orgId: org.id,
        type: 'google_reviews',
        name: unique('g'),
        config: {
          baseUrl: fake.baseUrl,
          locations: [{ name: loc, ownerName: 'テスト内科' }],
          pageSize: 10,
          maxPagesPerRun: 5,
          requestTimeoutMs: 150,
          oauth: { tokenUrl: fake.tokenUrl },
        },
        credentials: { clientId: fake.clientId, clientSecret: fake.clientSecret, refreshToken: fake.refreshToken },
      });
      const rnd = seededRandom(33);
      const truth = new Map<string, FakeTruth>();
      let n = 0;
      // updateTime only moves forward (Google stamps it on write); a millisecond apart at least.
      let last = Date.now();
      const stamp = () => new Date((last = Math.max(last + 1, Date.now())));
      const add = () => {
        n += 1;
        const reviewId = `r${String(n).padStart(4, '0')}`;
        const comment = `受付の方の説明が分かりやすかった ${n}`;
        fake.addReview(loc, { reviewId, rating: ((n % 5) + 1) as 1, comment, author: n % 6 === 0 ? null : `患者${n}`, at: stamp() });
        truth.set(reviewId, { externalId: reviewId, history: [comment], deleted: false, editedAfterStored: false });
      };
      for (let i = 0; i < 25; i += 1) add();
      let edits = 0;
      const outcomes = await runMany(
        ctx,
        source.id,
        200,
        async (run) => {
          if (rnd() < 0.5) add();
          if (rnd() < 0.25) {
            const stored = new Set((await storedRows(ctx, org.id, source.id)).map((r) => r.external_id));
            const candidates = [...truth.keys()].filter((id) => stored.has(id));
            const id = candidates[Math.floor(rnd() * candidates.length)];
            if (id !== undefined) {
              const comment = `追記${run}: 待ち時間が長かった`;
              fake.editReview(loc, id, comment, stamp(), 2);
              truth.get(id)!.history.push(comment);
              truth.get(id)!.editedAfterStored = true;
              edits += 1;
            }
          }
        },
        () => fake.http.setFaults({ rate: 0 }),
      );
      await expectStoreEqualsFake(ctx, org.id, source.id, [...truth.values()]);
      expectFaultsMattered(
        outcomes,
        fake.http.requests.map((r) => r.fault),
        faultMix,
      );
      expect(edits).toBeGreaterThan(10);
      await expectRunRecords(ctx, org.id, source.id, outcomes);
    } finally {
      await fake.close();
    }
  }, 120_000);

  it('RSS: 200 faulty runs while articles are published; the store equals the matching items exactly', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const fake = await new RssFake().start();
    const mix = faultMix.filter((k) => k !== 'rate-limit');
    fake.http.setFaults({ rate: 0.08, seed: 41, kinds: mix });
    try {
      const feedUrl = `${fake.baseUrl}/feed.xml`;
      const source = await addSource(ctx, {
        orgId: org.id,
        type: 'rss',
        name: unique('r'),
        config: { feeds: [feedUrl], requestTimeoutMs: 150 },
      });
      const rnd = seededRandom(43);
      const truth: FakeTruth[] = [];
      let n = 0;
      const publish = () => {
        n += 1;
        const about = n % 3 !== 0;
        const title = about ? `テスト内科で検査機器を更新 第${n}報` : `駅前再開発のお知らせ 第${n}報`;
        const now = new Date();
        fake.add({ guid: `a${n}`, title, description: `<p>本文 ${n}</p>`, pubDate: now }, now);
        if (about)
          truth.push({ externalId: `${feedUrl}#a${n}`, history: [`${title}\n本文 ${n}`], deleted: false, editedAfterStored: false });
      };
      for (let i = 0; i < 10; i += 1) publish();
      const outcomes = await runMany(
        ctx,
        source.id,
        200,
        () => {
          if (rnd() < 0.3) publish();
        },
        () => fake.http.setFaults({ rate: 0 }),
      );
      await expectStoreEqualsFake(ctx, org.id, source.id, truth);
      expectFaultsMattered(
        outcomes,
        fake.http.requests.map((r) => r.fault),
        mix,
      );
      await expectRunRecords(ctx, org.id, source.id, outcomes);
    } finally {
      await fake.close();
    }
  }, 120_000);

  it("YouTube: 200 faulty runs while comments and replies to older threads arrive; the store equals the channel's comments exactly", async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    // YouTube's 429 carries no reset; the client backs off.
    const fake = await new YouTubeFake().start();
    fake.http.setFaults({ rate: 0.06, seed: 51, kinds: faultMix });
    const channel = 'UCtestnaika0000000000001';
    fake.addVideo('vid00000001', channel);
    fake.addVideo('vid00000002', channel);
    fake.addVideo('other000001', 'UCsomebodyElse0000000001');
    try {
      const source = await addSource(ctx, {
        orgId: org.id,
        type: 'youtube',
        name: unique('y'),
        config: { baseUrl: fake.baseUrl, channelIds: [channel], pageSize: 10, maxPagesPerRun: 10, requestTimeoutMs: 150 },
        credentials: { apiKey: fake.apiKey },
      });
      const rnd = seededRandom(53);
      const truth: FakeTruth[] = [];
      const threads: { id: string; videoId: string }[] = [];
      let n = 0;
      const comment = () => {
        n += 1;
        const text = `テスト内科の紹介動画、分かりやすい ${n}`;
        // Some replies go to older threads, which only a re-read of watched threads finds.
        const thread = threads.length > 3 && rnd() < 0.3 ? threads[Math.floor(rnd() * threads.length)] : undefined;
        const videoId = thread?.videoId ?? (n % 2 ? 'vid00000001' : 'vid00000002');
        const c = fake.comment(videoId, { text, at: new Date(), ...(thread ? { replyTo: thread.id } : {}) });
        if (!thread) threads.push({ id: c.id, videoId });
        truth.push({ externalId: c.id, history: [text], deleted: false, editedAfterStored: false });
        if (n % 5 === 0) fake.comment('other000001', { text: `別のチャンネル ${n}`, at: new Date() });
      };
      for (let i = 0; i < 25; i += 1) comment();
      const outcomes = await runMany(
        ctx,
        source.id,
        200,
        () => {
          if (rnd() < 0.6) comment();
        },
        () => fake.http.setFaults({ rate: 0 }),
      );
      await expectStoreEqualsFake(ctx, org.id, source.id, truth);
      expect(truth.length).toBe(fake.allCommentIds().length - Math.floor(n / 5));
      expectFaultsMattered(
        outcomes,
        fake.http.requests.map((r) => r.fault),
        faultMix,
      );
      await expectRunRecords(ctx, org.id, source.id, outcomes);
    } finally {
      await fake.close();
    }
  }, 120_000);
});
