import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.ts';
import { SourceRateLimitedError, SourceResponseError } from '../../../src/sources/http-errors.ts';
import type { WatchTargetSpec } from '../../../src/sources/types.ts';
import { SourceAuthError } from '../../../src/sources/types.ts';
import { parseXConfig, type XConfig } from '../../../src/sources/x/config.ts';
import type { XCursor } from '../../../src/sources/x/collector.ts';
import { xSource } from '../../../src/sources/x/index.ts';
import { mapTweet } from '../../../src/sources/x/map.ts';
import { buildXQueries } from '../../../src/sources/x/query.ts';
import { createTestRuntime, createVirtualClock, drainCollector, type TestRuntime, type VirtualClock } from '../../fakes/source-runtime.ts';
import { XFake } from '../../fakes/x-fake.ts';

const target: WatchTargetSpec = {
  id: 't1',
  names: ['さくら内科クリニック', 'さくら内科'],
  keywords: [],
  handles: { x: 'sakura_naika' },
  exclusions: ['大阪'],
};

let clock: VirtualClock;
let fake: XFake;
beforeEach(async () => {
  clock = createVirtualClock();
  fake = new XFake({ now: clock.now });
  await fake.start();
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): XConfig {
  return parseXConfig({ baseUrl: fake.baseUrl, bearerTokenEnv: 'X_BEARER_TOKEN', requestTimeoutMs: 1000, deletionCheckIds: 0, ...extra });
}
function runtime(token = fake.token, random?: () => number): TestRuntime {
  return createTestRuntime({ clock, secrets: { bearerToken: token }, ...(random ? { random } : {}) });
}

async function run(cfg: XConfig, cursor: unknown, rt: TestRuntime, targets = [target]) {
  const { pages, error } = await drainCollector(() => xSource.collect!({ config: cfg, cursor, targets, runtime: rt }));
  const last = pages.length > 0 ? pages[pages.length - 1]!.cursor : cursor;
  return { pages, error, cursor: last as XCursor | null, ids: pages.flatMap((p) => p.mentions.map((m) => m.externalId)) };
}

function seed(n: number, text = (i: number) => `さくら内科で診てもらった ${i}`) {
  return Array.from({ length: n }, (_, i) => fake.addTweet({ text: text(i) }));
}
const sorted = (ids: string[]) => [...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));

describe('X query building', () => {
  it('quotes names, adds the handle, exclusions, lang and retweet filter', () => {
    const plan = buildXQueries(
      { ...target, names: ['さくら "内科"', 'さくら内科クリニック'], keywords: ['院長'] },
      { maxLength: 512, lang: 'ja', excludeRetweets: true },
    );
    expect(plan.queries).toEqual(['("さくら 内科" OR "さくら内科クリニック" OR "院長" OR @sakura_naika) lang:ja -is:retweet -"大阪"']);
  });
  it('splits into several queries under the length limit and never exceeds it', () => {
    const names = Array.from({ length: 60 }, (_, i) => `クリニック名その${i}番`);
    const plan = buildXQueries({ ...target, names }, { maxLength: 120, lang: null, excludeRetweets: false });
    expect(plan.queries.length).toBeGreaterThan(5);
    for (const q of plan.queries) expect(q.length).toBeLessThanOrEqual(120);
    const covered = plan.queries.join(' ');
    for (const n of names) expect(covered).toContain(`"${n}"`);
  });
  it('moves exclusions that do not fit to client-side filtering and skips impossible terms', () => {
    const exclusions = Array.from({ length: 30 }, (_, i) => `除外語${i}`);
    const plan = buildXQueries(
      { ...target, names: ['さくら', 'x'.repeat(200)], exclusions },
      { maxLength: 100, lang: null, excludeRetweets: false },
    );
    expect(plan.clientSideExclusions.length).toBeGreaterThan(0);
    expect(plan.skippedTerms).toEqual([`"${'x'.repeat(200)}"`]);
    for (const q of plan.queries) expect(q.length).toBeLessThanOrEqual(100);
  });
});

describe('X mapping', () => {
  it('maps an edited long post with relations onto its original id', () => {
    const users = new Map([['10', { id: '10', name: '患者A', username: 'patient_a' }]]);
    const m = mapTweet(
      {
        id: '300',
        text: 'short…',
        note_tweet: { text: 'long full text' },
        author_id: '10',
        created_at: '2026-11-25T08:00:00.000Z',
        lang: 'ja',
        edit_history_tweet_ids: ['100', '300'],
        referenced_tweets: [
          { type: 'replied_to', id: '50' },
          { type: 'quoted', id: '60' },
        ],
        public_metrics: { retweet_count: 2, reply_count: 1, like_count: 5, quote_count: 1, bookmark_count: 0, impression_count: 900 },
      },
      users,
      't1',
    );
    expect(m).toMatchObject({
      externalId: '100',
      url: 'https://x.com/patient_a/status/300',
      authorHandle: 'patient_a',
      authorName: '患者A',
      text: 'long full text',
      language: 'ja',
      replyToExternalId: '50',
      quoteOfExternalId: '60',
      repostOfExternalId: null,
      metrics: { likes: 5, reposts: 2, quotes: 1, replies: 1, views: 900 },
      watchTargetId: 't1',
    });
  });
  it('rejects malformed posts and ignores hostile fields', () => {
    expect(mapTweet({ id: 'abc', text: 'x', created_at: '2026-11-25T08:00:00Z' }, new Map(), null)).toBeNull();
    expect(mapTweet({ id: '1', text: 5, created_at: '2026-11-25T08:00:00Z' }, new Map(), null)).toBeNull();
    expect(mapTweet({ id: '1', text: 'x', created_at: 'yesterday' }, new Map(), null)).toBeNull();
    const m = mapTweet(
      { id: '1', text: 'x', created_at: '2026-11-25T08:00:00Z', lang: 'und', public_metrics: { like_count: -3 } },
      new Map(),
      null,
    );
    expect(m).toMatchObject({ url: 'https://x.com/i/web/status/1', language: null, metrics: {} });
  });
});

describe('X config', () => {
  it('names the bad field', () => {
    expect(() => parseXConfig({ bearerTokenEnv: 'not a name' })).toThrow(ValidationError);
    expect(() => parseXConfig({ bearerTokenEnv: 'X', maxResults: 5 })).toThrow(/maxResults/);
    expect(() => parseXConfig({ bearerTokenEnv: 'X', baseUrl: 'ftp://a' })).toThrow(/baseUrl/);
    expect(parseXConfig({ bearerTokenEnv: 'X' }).baseUrl).toBe('https://api.x.com');
    expect(xSource.credentials.map((s) => s.name)).toEqual(['bearerToken']);
    expect(xSource.endpoints(parseXConfig({})).operatorUrls).toEqual([
      { field: 'baseUrl', url: 'https://api.x.com', defaultUrl: 'https://api.x.com' },
    ]);
  });
});

describe('X collection against the fake', () => {
  it('pages newest first, keeps since_id pending until the last page, then only fetches new posts', async () => {
    seed(250);
    fake.addTweet({ text: '大阪のさくら内科は別の病院' }); // excluded
    fake.addTweet({ text: '関係ない投稿' }); // not matched
    const rt = runtime();
    const first = await run(config(), null, rt);
    expect(first.error).toBeNull();
    expect(first.pages).toHaveLength(3);
    const query = fake.requests[0]!.searchParams.get('query')!;
    expect(sorted(first.ids)).toEqual(fake.expectedIds(query));
    expect(first.ids).toHaveLength(250);
    const streams = (c: unknown) => Object.values((c as XCursor).streams);
    expect(streams(first.pages[0]!.cursor)[0]).toMatchObject({ sinceId: null, pending: { newestId: first.ids[0] } });
    expect(streams(first.cursor)[0]).toEqual({ sinceId: first.ids[0], pending: null });
    expect(fake.requests.map((u) => u.searchParams.get('since_id'))).toEqual([null, null, null]);
    expect(fake.requests[0]!.searchParams.get('expansions')).toContain('referenced_tweets.id');

    const fresh = seed(3, (i) => `さくら内科クリニック 新しい投稿 ${i}`);
    const second = await run(config(), first.cursor, rt);
    expect(sorted(second.ids)).toEqual(sorted(fresh.map((t) => t.id)));
    expect(fake.requests[3]!.searchParams.get('since_id')).toBe(first.ids[0]);
  });

  it('resumes from the cursor of the last committed page after a crash, losing and repeating nothing', async () => {
    seed(250);
    const rt = runtime();
    const full = await run(config(), null, rt);
    const afterFirstPage = full.pages[0]!.cursor;
    const resumed = await run(config(), afterFirstPage, runtime());
    const union = [...full.pages[0]!.mentions.map((m) => m.externalId), ...resumed.ids];
    expect(new Set(union).size).toBe(union.length);
    expect(sorted(union)).toEqual(sorted(full.ids));
  });

  it('waits for the announced reset after a 429 and retries 5xx, resets and hangs', async () => {
    seed(120);
    fake.injectFaults('rate-limit', 'unavailable', 'reset', 'hang', 'server-error');
    const rt = runtime(fake.token, () => 0.5);
    const result = await run(config(), null, rt);
    expect(result.error).toBeNull();
    expect(result.ids).toHaveLength(120);
    expect(rt.sleeps[0]).toBe(60_000); // the 429 announced a reset 60 s ahead
    expect(rt.sleeps.slice(1)).toEqual([1000, 2000, 4000, 8000]); // 0.5 × 2^n s for 503, reset, hang, 500
    expect(fake.faultsServed).toMatchObject({ 'rate-limit': 1, unavailable: 1, reset: 1, hang: 1, 'server-error': 1 });
  });

  it('waits for the window reset before the platform has to refuse', async () => {
    await fake.close();
    fake = new XFake({ now: clock.now, rateLimit: { limit: 2, windowSeconds: 900 } });
    await fake.start();
    seed(250);
    const rt = runtime();
    const result = await run(config(), null, rt);
    expect(result.ids).toHaveLength(250);
    expect(rt.sleeps).toEqual([900_000]);
    expect(fake.requests).toHaveLength(3); // no request was spent on a 429
  });

  it('stops at once on rejected credentials', async () => {
    seed(10);
    const result = await run(config(), null, runtime('wrong-token'));
    expect(result.error).toBeInstanceOf(SourceAuthError);
    expect(fake.requests).toHaveLength(1);
    expect(result.pages).toHaveLength(0);
  });

  it('ends the run on a usage cap without waiting', async () => {
    seed(10);
    fake.injectFaults('usage-capped');
    const rt = runtime();
    const result = await run(config(), null, rt);
    expect(result.error).toBeInstanceOf(SourceRateLimitedError);
    expect(rt.sleeps).toEqual([]);
  });

  it('skips and logs a malformed post; a malformed or oversized page is an error and yields nothing', async () => {
    seed(15);
    const bad = fake.addTweet({ text: 'さくら内科 壊れた投稿' });
    (bad as unknown as Record<string, unknown>).created_at = 'not-a-date';
    const rt = runtime();
    const result = await run(config(), null, rt);
    expect(result.ids).toHaveLength(15);
    expect(rt.logs.some((l) => l.id === bad.id && String(l.msg).includes('malformed'))).toBe(true);

    fake.injectFaults('malformed');
    const broken = await run(config(), null, runtime());
    expect(broken.error).toBeInstanceOf(SourceResponseError);
    expect(broken.pages).toHaveLength(0);

    fake.injectFaults('oversized');
    const huge = await run(config(), null, runtime());
    expect(huge.error).toBeInstanceOf(SourceResponseError);
    expect((huge.error as Error).message).toMatch(/大きすぎ/);
  });

  it('keeps edits as new text for the same id and turns deletions into tombstones', async () => {
    const [a, b] = seed(2);
    const referenced = fake.addTweet({ text: '元の投稿' });
    const quote = fake.addTweet({ text: 'さくら内科 引用', referenced: [{ type: 'quoted', id: referenced.id }] });
    const rt = runtime();
    const cfg = config({ deletionCheckIds: 100 });
    const first = await run(cfg, null, rt);
    expect(first.ids).toHaveLength(3);
    const quoted = first.pages.flatMap((p) => p.mentions).find((m) => m.externalId === quote.id);
    expect(quoted).toMatchObject({
      quoteOfExternalId: referenced.id,
      raw: { referenced: [expect.objectContaining({ text: '元の投稿' })] },
    });

    const edited = fake.editTweet(a!.id, 'さくら内科 追記: 対応がひどかった');
    fake.deleteTweet(b!.id);
    fake.deleteTweet(referenced.id);
    clock.advance(60_000);
    const second = await run(cfg, first.cursor, rt);
    const tombstones = second.pages.flatMap((p) => p.tombstones ?? []);
    expect(tombstones.map((t) => [t.externalId, t.reason])).toEqual(expect.arrayContaining([[b!.id, 'deleted']]));
    const editMention = second.pages.flatMap((p) => p.mentions).find((m) => m.text.includes('追記'));
    expect(editMention).toMatchObject({ externalId: a!.id, url: expect.stringContaining(edited.id) });
    const recent = (second.cursor as XCursor).recent.map((e) => e[0]);
    expect(recent).not.toContain(b!.id);
  });

  it('reads the newer spec names (referenced_posts, includes.posts, edit_history_post_ids) as the documented ones', async () => {
    fake.renamedFields = true;
    const [a] = seed(1);
    const referenced = fake.addTweet({ text: '元の投稿' });
    const quote = fake.addTweet({ text: 'さくら内科 引用', referenced: [{ type: 'quoted', id: referenced.id }] });
    const cfg = config({ deletionCheckIds: 100 });
    const first = await run(cfg, null, runtime());
    const quoted = first.pages.flatMap((p) => p.mentions).find((m) => m.externalId === quote.id);
    expect(quoted).toMatchObject({
      quoteOfExternalId: referenced.id,
      raw: { referenced: [expect.objectContaining({ text: '元の投稿' })] },
    });
    const edited = fake.editTweet(a!.id, 'さくら内科 追記あり');
    clock.advance(60_000);
    const second = await run(cfg, first.cursor, runtime());
    // The edit is the same post: its original id, the new text.
    expect(second.pages.flatMap((p) => p.mentions).find((m) => m.text.includes('追記'))).toMatchObject({
      externalId: a!.id,
      url: expect.stringContaining(edited.id),
    });
  });

  it('restarts a query stream whose since_id has fallen out of the 7-day window', async () => {
    seed(5);
    const rt = runtime();
    const first = await run(config(), null, rt);
    clock.advance(8 * 86_400_000);
    const fresh = seed(3, (i) => `さくら内科 一週間後 ${i}`);
    const later = await run(config(), first.cursor, rt);
    expect(later.error).toBeNull();
    // Only the last 7 days are searchable again: the new posts, nothing older.
    expect(later.ids).toEqual(fresh.map((t) => t.id).reverse());
    expect(rt.logs.some((l) => String(l.msg).includes('restarting'))).toBe(true);
    const sinceIds = fake.requests.slice(1).map((u) => u.searchParams.get('since_id'));
    expect(sinceIds).toEqual([first.ids[0], null]);
  });

  it('shares the page budget fairly between targets', async () => {
    const other: WatchTargetSpec = { id: 't2', names: ['みどり歯科'], keywords: [], handles: {}, exclusions: [] };
    seed(500);
    const mine = seed(20, (i) => `みどり歯科 ${i}`);
    const result = await run(config({ maxPagesPerRun: 4, maxResults: 10 }), null, runtime(), [target, other]);
    expect(result.error).toBeNull();
    // Two pages each: the backlog of the first target does not take the second one's turn.
    expect(result.pages).toHaveLength(4);
    expect(
      result.pages
        .slice(2)
        .flatMap((p) => p.mentions.map((m) => m.externalId))
        .sort(),
    ).toEqual(mine.map((t) => t.id).sort());
    expect(Object.values((result.cursor as XCursor).streams).map((s) => s.pending === null)).toEqual([false, true]);
  });

  it('checks deletions after search, and a lookup refused with 403 is a warning, not a lost run', async () => {
    seed(2);
    const cfg = config({ deletionCheckIds: 100 });
    const first = await run(cfg, null, runtime());
    // Nothing known before the first run: nothing to look up yet.
    expect(fake.requests.filter((u) => u.pathname === '/2/tweets')).toEqual([]);
    fake.lookupForbidden = true;
    const [fresh] = seed(1, (i) => `さくら内科の新しい投稿 ${i}`);
    clock.advance(60_000);
    const rt = runtime();
    const second = await run(cfg, first.cursor, rt);
    expect(second.error).toBeNull();
    expect(second.ids).toContain(fresh!.id);
    const paths = fake.requests.map((u) => u.pathname);
    expect(paths.lastIndexOf('/2/tweets')).toBeGreaterThan(paths.lastIndexOf('/2/tweets/search/recent'));
    expect(rt.logs.some((l) => String(l.msg).includes('deletion check failed'))).toBe(true);
    // The search position moved on: the next run does not fetch the same posts again.
    expect((second.cursor as XCursor).streams).not.toEqual((first.cursor as XCursor).streams);
  });

  it('spreads deletion checks over runs, least recently checked first', async () => {
    const [a, b] = seed(2);
    const cfg = config({ deletionCheckIds: 1 });
    const first = await run(cfg, null, runtime());
    const lookups = () => fake.requests.filter((u) => u.pathname === '/2/tweets').map((u) => u.searchParams.get('ids'));
    clock.advance(1000);
    const second = await run(cfg, first.cursor, runtime());
    clock.advance(1000);
    await run(cfg, second.cursor, runtime());
    expect(lookups()).toEqual([b!.id, a!.id]);
  });

  it('collects exactly the fake set despite random faults across many runs', async () => {
    await fake.close();
    fake = new XFake({
      now: clock.now,
      faultRate: 0.3,
      faultSeed: 42,
      faultKinds: ['rate-limit', 'server-error', 'unavailable', 'reset', 'malformed'],
    });
    await fake.start();
    const seen = new Map<string, number>();
    let cursor: unknown = null;
    let failures = 0;
    for (let runNo = 0; runNo < 25; runNo += 1) {
      seed(37, (i) => `さくら内科 run ${runNo} post ${i}`);
      const result = await run(
        config({ maxResults: 10 }),
        cursor,
        runtime(fake.token, () => 0.5),
      );
      if (result.error) failures += 1;
      for (const id of result.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      cursor = result.cursor;
    }
    fake.faultRate = 0;
    const final = await run(config({ maxResults: 10 }), cursor, runtime());
    for (const id of final.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    const query = fake.requests[0]!.searchParams.get('query')!;
    expect(sorted([...seen.keys()])).toEqual(fake.expectedIds(query));
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(failures).toBeGreaterThan(0);
  });
});
