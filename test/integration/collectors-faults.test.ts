import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSource, type RunOutcome } from '../../src/collection/run-source.ts';
import { addSource } from '../../src/collection/sources.ts';
import type { AppContext } from '../../src/context.ts';
import { seededRandom } from '../fakes/source-runtime.ts';
import { MastodonFake } from '../fakes/mastodon-fake.ts';
import { XFake, type FakeTweet } from '../fakes/x-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 5, "Proof": hundreds of collection runs through the real runSource — advisory lock, run
// records, the ingest transaction that commits each page with its cursor — against a fake that
// injects 429s (with reset headers), 5xx, hangs and connection resets at a seeded random rate,
// while its data set grows, is edited and loses posts between runs. Afterwards the database must
// hold exactly what the fake holds.
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

interface StoredRow { external_id: string; text: string; version: number; deleted: boolean }

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

describe('collectors under random faults, through runSource into Postgres', () => {
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
    const tokenEnv = `HINOKO_TEST_X_${unique('t').slice(2).toUpperCase()}`;
    process.env[tokenEnv] = fake.token;
    try {
      const source = await addSource(ctx, {
        orgId: org.id, type: 'x', name: unique('x'),
        config: { baseUrl: fake.baseUrl, bearerTokenEnv: tokenEnv, maxResults: 10, maxPagesPerRun: 5, deletionCheckIds: 50, requestTimeoutMs: 150 },
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
        const live = fake.searchable().filter((t) => t.text.includes('テスト内科')).slice(0, 30);
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
      const expected = [...latest.entries()]
        .map(([id, t]) => ({ external_id: id, text: t.text, deleted: fake.deleted.has(t.id) }))
        .sort((a, b) => (a.external_id < b.external_id ? -1 : a.external_id > b.external_id ? 1 : 0));
      const rows = await storedRows(ctx, org.id, source.id);
      expect(rows.map(({ external_id, text, deleted }) => ({ external_id, text, deleted }))).toEqual(expected);
      expect(await tombstoned(ctx, org.id, source.id)).toEqual([...deletedOriginals].sort());

      // Edits: every earlier text kept as a version, in order, and the version number agrees.
      const versions = await versionsByExternalId(ctx, org.id, source.id);
      for (const row of rows) {
        const t = latest.get(row.external_id)!;
        const history = t.edit_history_tweet_ids.map((id) => fake.tweets.get(id)!.text);
        const kept = versions.get(row.external_id) ?? [];
        expect(row.version).toBe(kept.length + 1);
        expect(isSubsequence(kept, history.slice(0, -1))).toBe(true);
        // Edited only after it was stored: the text as first collected is among the versions.
        if (editedOriginals.has(row.external_id)) expect(kept[0]).toBe(history[0]);
        else expect(kept).toEqual([]);
      }

      // The proof only proves something if the faults happened and runs really failed.
      const counts = tally(outcomes);
      expect(counts.failed ?? 0).toBeGreaterThan(0);
      expect(counts.succeeded ?? 0).toBeGreaterThan(runs / 2);
      for (const kind of ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset', 'malformed']) expect(fake.faultsServed[kind] ?? 0).toBeGreaterThan(0);
      expect(editedOriginals.size).toBeGreaterThan(10);
      expect(deletedOriginals.size).toBeGreaterThan(5);
      expect(expected.length).toBeGreaterThan(200);
      const runRows = await ctx.sql<{ status: string; n: number }[]>`
        select status, count(*)::int as n from collector_runs where org_id = ${org.id} and source_id = ${source.id} group by status`;
      expect(Object.fromEntries(runRows.map((r) => [r.status, r.n]))).toEqual(counts);
    } finally {
      delete process.env[tokenEnv];
      await fake.close();
    }
  }, 120_000);
});
