import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedMention } from '../../../src/mention.ts';
import { clearBlueskySessions } from '../../../src/sources/bluesky/client.ts';
import { blueskySource, type BlueskyConfig } from '../../../src/sources/bluesky/index.ts';
import { mapPost } from '../../../src/sources/bluesky/map.ts';
import { SourceAuthError, type WatchTargetSpec } from '../../../src/sources/types.ts';
import { BlueskyFake } from '../../fakes/bluesky-fake.ts';
import { runCollections } from '../../fakes/faulty-server.ts';
import { createTestRuntime, createVirtualClock, drainCollector, type TestRuntime, type VirtualClock } from '../../fakes/source-runtime.ts';

let clock: VirtualClock;
let fake: BlueskyFake;
let runtime: TestRuntime;
const targets: WatchTargetSpec[] = [{ id: 't1', names: ['さくら内科'], keywords: [], handles: {}, exclusions: ['札幌'] }];

beforeEach(async () => {
  clearBlueskySessions();
  clock = createVirtualClock(new Date('2026-11-25T09:00:00.000Z'));
  fake = await new BlueskyFake({ now: () => clock.now().getTime() }).start();
  runtime = createTestRuntime({ clock, secrets: { identifier: fake.identifier, appPassword: fake.password } });
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): BlueskyConfig {
  return blueskySource.parseConfig({
    baseUrl: fake.baseUrl,
    identifierEnv: 'BSKY_ID',
    appPasswordEnv: 'BSKY_PASS',
    pageSize: 10,
    requestTimeoutMs: 1000,
    ...extra,
  });
}

async function run(cursor: unknown, cfg = config()) {
  const { pages, error } = await drainCollector(() => blueskySource.collect!({ config: cfg, cursor, targets, runtime }));
  const mentions: NormalizedMention[] = pages.flatMap((p) => p.mentions);
  return { pages, mentions, cursor: pages.at(-1)?.cursor ?? cursor, error };
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 0, minute));

describe('bluesky collector', () => {
  it('searches each target name as a phrase, pages with the cursor, maps relations and drops exclusions', async () => {
    const root = fake.post({ text: 'さくら内科の待ち時間が長すぎる', handle: 'kanja.bsky.social', at: at(1), likes: 3 });
    for (let i = 0; i < 22; i += 1) fake.post({ text: `さくら内科 ${i}`, at: at(2 + i) });
    const reply = fake.post({ text: 'さくら内科、わかる', at: at(30), replyTo: root.uri });
    const quote = fake.post({ text: 'さくら内科 これ見て', at: at(31), quoteOf: root.uri });
    fake.post({ text: '札幌のさくら内科は良い', at: at(32) });
    fake.post({ text: '関係ない投稿', at: at(33) });
    const result = await run(null);
    expect(result.error).toBeNull();
    expect(result.pages).toHaveLength(3);
    expect(result.mentions).toHaveLength(25);
    expect(fake.http.answered('/xrpc/app.bsky.feed.searchPosts')[0]?.query).toMatchObject({
      q: '"さくら内科"',
      sort: 'latest',
      limit: '10',
    });
    const mappedRoot = result.mentions.find((m) => m.externalId === root.uri);
    expect(mappedRoot).toMatchObject({
      authorId: 'did:plc:kanjabskysocial',
      authorHandle: 'kanja.bsky.social',
      language: 'ja',
      watchTargetId: 't1',
      metrics: { likes: 3 },
      url: `https://bsky.app/profile/kanja.bsky.social/post/${root.uri.split('/').pop()}`,
    });
    expect(result.mentions.find((m) => m.externalId === reply.uri)?.replyToExternalId).toBe(root.uri);
    expect(result.mentions.find((m) => m.externalId === quote.uri)?.quoteOfExternalId).toBe(root.uri);
    expect((result.cursor as any).queries['"さくら内科"']).toEqual({ since: at(32).toISOString(), scan: null }); // the excluded post still moves the bound
    expect(fake.createSessionCalls).toBe(1);
  });

  it('asks only for posts since the newest it has, and reuses the session across runs', async () => {
    for (let i = 0; i < 5; i += 1) fake.post({ text: `さくら内科 ${i}`, at: at(i) });
    const first = await run(null);
    const late = fake.post({ text: 'さくら内科 新着', at: at(10) });
    const second = await run(first.cursor);
    expect(fake.http.answered('/xrpc/app.bsky.feed.searchPosts').at(-1)?.query.since).toBe(at(4).toISOString());
    expect(second.mentions.map((m) => m.externalId).sort()).toEqual([late.uri, first.mentions[0]!.externalId].sort());
    expect(fake.createSessionCalls).toBe(1);
  });

  it('keeps the session for the next process (collect --once), refreshes it when its exp has passed, and never across accounts', async () => {
    fake.post({ text: 'さくら内科 1', at: at(1) });
    await run(null);
    expect(fake.createSessionCalls).toBe(1);
    const stored = await runtime.session.load();
    expect(stored).not.toBeNull();
    // A new process: nothing in memory, the sealed session from the database.
    clearBlueskySessions();
    const second = await run(null);
    expect(second.error).toBeNull();
    expect(fake.createSessionCalls).toBe(1);

    // Three hours later the access token's exp has passed: refreshed before it is used, no failed search.
    clock.advance(3 * 3_600_000);
    clearBlueskySessions();
    const refused = fake.http.answered('/xrpc/app.bsky.feed.searchPosts').length - fake.searchCalls;
    const third = await run(null);
    expect(third.error).toBeNull();
    expect(fake.refreshSessionCalls).toBe(1);
    expect(fake.createSessionCalls).toBe(1);
    expect(fake.http.answered('/xrpc/app.bsky.feed.searchPosts').length - fake.searchCalls).toBe(refused);

    // Another account's session (the identifier was changed) is not used.
    clearBlueskySessions();
    const other = createTestRuntime({
      clock,
      secrets: { identifier: 'someone-else.bsky.social', appPassword: fake.password },
      session: runtime.session,
    });
    await drainCollector(() => blueskySource.collect!({ config: config(), cursor: null, targets, runtime: other }));
    expect(fake.createSessionCalls).toBe(2);
  });

  it('refreshes the session on ExpiredToken, logs in again when the refresh token is revoked, and fails as auth on a bad password', async () => {
    fake.post({ text: 'さくら内科 1', at: at(1) });
    await run(null);
    fake.expireAccessTokens();
    const afterExpiry = await run(null);
    expect(afterExpiry.error).toBeNull();
    expect(fake.refreshSessionCalls).toBe(1);
    expect(fake.createSessionCalls).toBe(1);
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    const afterRevoke = await run(null);
    expect(afterRevoke.error).toBeNull();
    expect(fake.createSessionCalls).toBe(2);
    clearBlueskySessions();
    // A changed app password revokes the sessions it opened.
    fake.password = 'changed';
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    const denied = await run(null);
    expect(denied.error).toBeInstanceOf(SourceAuthError);
    expect(JSON.stringify(runtime.logs)).not.toContain('abcd-efgh');
  });

  it('waits for RateLimit-Reset after a 429 and before an exhausted window; retries 5xx, timeouts and resets', async () => {
    for (let i = 0; i < 15; i += 1) fake.post({ text: `さくら内科 ${i}`, at: at(i) });
    fake.exhaustWindow();
    fake.http.failNext('rate-limit'); // createSession
    const result = await run(null);
    expect(result.error).toBeNull();
    expect(result.mentions).toHaveLength(15);
    // 429 says reset in 15 s; the exhausted window after page 1 says reset in 300 s.
    expect(runtime.sleeps).toEqual([15_000, 300_000]);
    fake.http.failNext('server-error');
    fake.http.failNext('hang');
    fake.http.failNext('reset');
    const again = await run(null);
    expect(again.error).toBeNull();
    expect(again.mentions).toHaveLength(15);
  });

  it('keeps an unfinished walk in the cursor when the page budget runs out, and finishes it next run', async () => {
    for (let i = 0; i < 35; i += 1) fake.post({ text: `さくら内科 ${i}`, at: at(i) });
    const first = await run(null, config({ maxPagesPerRun: 2 }));
    expect(first.mentions).toHaveLength(20);
    expect((first.cursor as any).queries['"さくら内科"'].scan.cursor).toBeTruthy();
    const second = await run(first.cursor, config({ maxPagesPerRun: 2 }));
    const all = new Set([...first.mentions, ...second.mentions].map((m) => m.externalId));
    expect(all.size).toBe(35);
    expect((second.cursor as any).queries['"さくら内科"']).toEqual({ since: at(34).toISOString(), scan: null });
  });

  it('skips malformed posts and never throws on hostile shapes', () => {
    expect(
      mapPost({ uri: 'at://x/app.bsky.feed.like/1', author: { did: 'd' }, record: { text: 'a', createdAt: '2026-01-01T00:00:00Z' } }, null),
    ).toMatchObject({ ok: false });
    expect(
      mapPost({ uri: 'at://did:plc:a/app.bsky.feed.post/abc', author: { did: 'did:plc:a' }, record: { text: 5 } }, null),
    ).toMatchObject({ ok: false });
    expect(mapPost(null, null)).toMatchObject({ ok: false });
    const ok = mapPost(
      {
        uri: 'at://did:plc:a/app.bsky.feed.post/abc',
        author: { did: 'did:plc:a', handle: 'handle.invalid' },
        record: { text: 'x', createdAt: 'nonsense' },
        indexedAt: '2026-01-01T00:00:00Z',
        likeCount: -5,
      },
      null,
    );
    expect(ok).toMatchObject({ ok: true, mention: { url: 'https://bsky.app/profile/did%3Aplc%3Aa/post/abc', metrics: {} } });
  });

  it('converges to exactly the matching posts under random faults and token expiry', async () => {
    const expected = new Set<string>();
    for (let i = 0; i < 45; i += 1) expected.add(fake.post({ text: `さくら内科 ${i}`, at: at(i) }).uri);
    fake.http.setFaults({ rate: 0.3, seed: 5 });
    const result = await runCollections({
      runs: 45,
      collect: (cursor) => blueskySource.collect!({ config: config({ requestTimeoutMs: 400 }), cursor, targets, runtime }),
      between: (run) => {
        if (run === 40) fake.http.setFaults({ rate: 0 });
        if (run < 35) expected.add(fake.post({ text: `さくら内科 live${run}`, at: at(100 + run) }).uri);
        if (run < 35) fake.post({ text: `無関係 ${run}`, at: at(100 + run) });
        if (run % 9 === 0) fake.expireAccessTokens();
      },
    });
    expect(result.failedRuns).toBeGreaterThan(0);
    expect([...result.stored.keys()].sort()).toEqual([...expected].sort());
  });

  it('validates its config', () => {
    expect(() => blueskySource.parseConfig({ identifierEnv: 'A', appPasswordEnv: 'has space' })).toThrow(/appPasswordEnv/);
    expect(blueskySource.requiredCredentials(blueskySource.parseConfig({}))).toEqual(['identifier', 'appPassword']);
    expect(() => blueskySource.parseConfig({ identifierEnv: 'A', appPasswordEnv: 'B', lang: 'japanese!' })).toThrow(/lang/);
    expect(blueskySource.parseConfig({ identifierEnv: 'A', appPasswordEnv: 'B' }).baseUrl).toBe('https://bsky.social');
  });
});
