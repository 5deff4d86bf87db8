import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedMention } from '../../../src/mention.ts';
import { SourceRateLimitedError } from '../../../src/sources/http-errors.ts';
import { nextPacificMidnight } from '../../../src/sources/youtube/client.ts';
import { youtubeSource, type YouTubeConfig } from '../../../src/sources/youtube/index.ts';
import { SourceAuthError } from '../../../src/sources/types.ts';
import { runCollections } from '../../fakes/faulty-server.ts';
import { YouTubeFake } from '../../fakes/youtube-fake.ts';
import { createTestRuntime, createVirtualClock, drainCollector, type TestRuntime, type VirtualClock } from '../../fakes/source-runtime.ts';

const channel = 'UCsakuraNaikaClinic000001';
let clock: VirtualClock;
let fake: YouTubeFake;
let runtime: TestRuntime;

beforeEach(async () => {
  clock = createVirtualClock(new Date('2026-11-25T09:00:00.000Z'));
  fake = await new YouTubeFake({ now: () => clock.now().getTime() }).start();
  runtime = createTestRuntime({ clock, secrets: { apiKey: fake.apiKey } });
  fake.addVideo('vid00000001', channel);
  fake.addVideo('vid00000002', channel);
  fake.addVideo('other000001', 'UCsomebodyElse0000000001');
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): YouTubeConfig {
  return youtubeSource.parseConfig({
    baseUrl: fake.baseUrl,
    apiKeyEnv: 'YT_KEY',
    channelIds: [channel],
    pageSize: 10,
    requestTimeoutMs: 1000,
    ...extra,
  });
}

async function run(cursor: unknown, cfg = config()) {
  const { pages, error } = await drainCollector(() =>
    youtubeSource.collect!({
      config: cfg,
      cursor,
      targets: [{ id: 't1', names: [], keywords: [], handles: { youtube: channel }, exclusions: [] }],
      runtime,
    }),
  );
  const mentions: NormalizedMention[] = pages.flatMap((p) => p.mentions);
  return { pages, mentions, cursor: pages.at(-1)?.cursor ?? cursor, error };
}

function minutes(n: number): Date {
  return new Date(Date.UTC(2026, 10, 20, 0, n));
}

describe('youtube collector', () => {
  it('collects every thread of the channel with all replies, plain text, and reply relations', async () => {
    for (let i = 0; i < 25; i += 1)
      fake.comment(i % 2 === 0 ? 'vid00000001' : 'vid00000002', { text: `コメント${i} <script>&`, at: minutes(i), likes: i });
    const busy = fake.comment('vid00000001', { text: '説明がなかった', at: minutes(30), author: '@kanja' });
    for (let i = 0; i < 8; i += 1) fake.comment('vid00000001', { text: `返信${i}`, at: minutes(31 + i), replyTo: busy.id });
    const unrelated = fake.comment('other000001', { text: '関係ない動画', at: minutes(5) });
    const result = await run(null);
    expect(result.error).toBeNull();
    const ids = result.mentions.map((m) => m.externalId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(
      fake
        .allCommentIds()
        .filter((id) => id !== unrelated.id)
        .sort(),
    );
    expect(ids).toHaveLength(26 + 8);
    const top = result.mentions.find((m) => m.externalId === busy.id);
    expect(top).toMatchObject({
      text: '説明がなかった',
      authorHandle: 'kanja',
      authorName: '@kanja',
      watchTargetId: 't1',
      metrics: { likes: 0, replies: 8 },
    });
    expect(top?.url).toBe(`https://www.youtube.com/watch?v=vid00000001&lc=${busy.id}`);
    const replies = result.mentions.filter((m) => m.replyToExternalId === busy.id);
    expect(replies).toHaveLength(8); // 5 embedded + 3 from comments.list
    expect(fake.http.answered('/youtube/v3/comments')).toHaveLength(1);
    expect(result.mentions.find((m) => m.text.startsWith('コメント3'))?.text).toBe('コメント3 <script>&');
    // The API key never shows up in logs.
    expect(JSON.stringify(runtime.logs)).not.toContain(fake.apiKey);
  });

  it('strips HTML from textDisplay when textOriginal is absent', async () => {
    fake.sendTextOriginal = false;
    fake.comment('vid00000001', { text: '待ち時間が\n長い & 最悪 <b>', at: minutes(1) });
    const result = await run(null);
    expect(result.mentions[0]?.text).toBe('待ち時間が\n長い & 最悪 <b>');
  });

  it('stops at threads it already has on the next run, and picks up edits', async () => {
    for (let i = 0; i < 35; i += 1) fake.comment('vid00000001', { text: `c${i}`, at: minutes(i) });
    const first = await run(null);
    expect(first.mentions).toHaveLength(35);
    expect(first.pages).toHaveLength(4);
    const newer = fake.comment('vid00000002', { text: '新しいコメント', at: minutes(100) });
    const listings = () => fake.http.answered('/youtube/v3/commentThreads').filter((r) => r.query.id === undefined).length;
    const before = listings();
    const second = await run(first.cursor);
    expect(listings() - before).toBe(1);
    expect(second.mentions.map((m) => m.externalId)).toContain(newer.id);
    fake.edit(newer.id, '新しいコメント（編集済み）', minutes(101));
    const third = await run(second.cursor);
    expect(third.mentions.find((m) => m.externalId === newer.id)?.text).toBe('新しいコメント（編集済み）');
  });

  it('stops on quotaExceeded until midnight Pacific, records it in the cursor, and does not call the API meanwhile', async () => {
    for (let i = 0; i < 15; i += 1) fake.comment('vid00000001', { text: `c${i}`, at: minutes(i) });
    fake.quota = 1;
    const first = await run(null);
    expect(first.error).toBeInstanceOf(SourceRateLimitedError);
    expect(first.error).not.toBeInstanceOf(SourceAuthError);
    // 2026-11-25 09:00Z is 01:00 PST; the quota resets at 2026-11-26 00:00 PST = 08:00Z.
    expect((first.cursor as { pausedUntil: string }).pausedUntil).toBe('2026-11-26T08:00:00.000Z');
    expect(first.mentions).toHaveLength(10);
    const calls = fake.http.requests.length;
    const paused = await run(first.cursor);
    expect(paused.error).toBeNull();
    expect(fake.http.requests.length).toBe(calls);
    clock.advance(24 * 3_600_000);
    fake.quota = Number.POSITIVE_INFINITY;
    const resumed = await run(paused.cursor);
    expect(resumed.error).toBeNull();
    expect(new Set([...first.mentions, ...resumed.mentions].map((m) => m.externalId)).size).toBe(15);
  });

  it('skips a video with comments disabled without failing the run; a bad key is an auth error', async () => {
    fake.disabledVideos.add('vid00000002');
    fake.comment('vid00000001', { text: 'ok', at: minutes(1) });
    const result = await run(null, config({ channelIds: [], videoIds: ['vid00000002', 'vid00000001'] }));
    expect(result.error).toBeNull();
    expect(result.mentions.map((m) => m.text)).toEqual(['ok']);
    fake.apiKey = 'rotated';
    const denied = await run(null);
    expect(denied.error).toBeInstanceOf(SourceAuthError);
  });

  it('retries 5xx, timeouts and resets; waits on rateLimitExceeded', async () => {
    for (let i = 0; i < 12; i += 1) fake.comment('vid00000001', { text: `c${i}`, at: minutes(i) });
    fake.http.failNext('unavailable');
    fake.http.failNext('hang');
    fake.http.failNext('reset');
    fake.http.failNext('rate-limit');
    const result = await run(null);
    expect(result.error).toBeNull();
    expect(result.mentions).toHaveLength(12);
    expect(runtime.sleeps).toHaveLength(4);
  });

  it('computes midnight Pacific across daylight saving time', () => {
    expect(nextPacificMidnight(new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-07-02T07:00:00.000Z');
    expect(nextPacificMidnight(new Date('2026-11-25T07:59:00Z')).toISOString()).toBe('2026-11-25T08:00:00.000Z');
    expect(nextPacificMidnight(new Date('2026-03-08T06:00:00Z')).toISOString()).toBe('2026-03-08T08:00:00.000Z');
  });

  it('re-reads recent threads by id: a new reply to an older thread, an edit and a deleted thread are all caught', async () => {
    const threads = Array.from({ length: 30 }, (_, i) => fake.comment('vid00000001', { text: `t${i}`, at: minutes(i) }));
    const first = await run(null);
    expect(first.mentions).toHaveLength(30);
    const oldThread = threads[2]!;
    const reply = fake.comment('vid00000001', { text: '今さらですが同意します', at: minutes(200), replyTo: oldThread.id });
    fake.edit(threads[3]!.id, 't3（追記）', minutes(201));
    fake.remove(threads[4]!.id);
    const second = await run(first.cursor);
    expect(second.error).toBeNull();
    // The listing's first page comes again (harmless); the watch page carries exactly the changes.
    const watchPage = second.pages.at(-1)!;
    expect(watchPage.mentions.map((m) => m.externalId).sort()).toEqual([oldThread.id, reply.id, threads[3]!.id].sort());
    expect(watchPage.mentions.find((m) => m.externalId === threads[3]!.id)?.text).toBe('t3（追記）');
    expect(watchPage.tombstones?.map((t) => t.externalId)).toEqual([threads[4]!.id]);
    expect(second.mentions.some((m) => m.externalId === threads[5]!.id)).toBe(false);
    // 30 watched threads less the 10 the listing just re-read: one id lookup, and one more to
    // confirm the missing thread is gone.
    const lookups = fake.http.answered('/youtube/v3/commentThreads').filter((r) => r.query.id !== undefined);
    expect(lookups.map((r) => r.query.id!.split(',').length)).toEqual([20, 1]);
    const third = await run(second.cursor);
    expect(third.pages.flatMap((p) => p.tombstones ?? [])).toHaveLength(0);
    expect(third.mentions.every((m) => !threads.slice(0, 20).some((t) => t.id === m.externalId))).toBe(true);
    // Older than watchThreadsDays: no longer re-read.
    clock.advance(8 * 86_400_000);
    const calls = fake.http.requests.length;
    await run(third.cursor);
    expect(fake.http.answered('/youtube/v3/commentThreads').slice(-1)[0]?.query.id).toBeUndefined();
    expect(fake.http.requests.length - calls).toBe(1);
  });

  it('loses nothing when the quota runs out between the listing and the thread re-read', async () => {
    const threads = Array.from({ length: 12 }, (_, i) => fake.comment('vid00000001', { text: `t${i}`, at: minutes(i) }));
    const first = await run(null);
    // Six replies: the id lookup sees the new count, then comments.list (for the sixth) hits the quota.
    for (let i = 0; i < 5; i += 1) fake.comment('vid00000001', { text: `返信${i}`, at: minutes(290 + i), replyTo: threads[0]!.id });
    const reply = fake.comment('vid00000001', { text: '遅れて返信', at: minutes(300), replyTo: threads[0]!.id });
    fake.quota = 2;
    const stopped = await run(first.cursor);
    expect(stopped.error).toBeInstanceOf(SourceRateLimitedError);
    expect(stopped.mentions.map((m) => m.externalId)).not.toContain(reply.id);
    fake.quota = Number.POSITIVE_INFINITY;
    clock.advance(24 * 3_600_000);
    const resumed = await run(stopped.cursor);
    expect(resumed.mentions.map((m) => m.externalId)).toContain(reply.id);
    expect(resumed.mentions.filter((m) => m.replyToExternalId === threads[0]!.id)).toHaveLength(6);
  });

  it("converges to exactly the fake's comments under random faults", async () => {
    for (let i = 0; i < 40; i += 1) fake.comment('vid00000001', { text: `c${i}`, at: minutes(i) });
    fake.http.setFaults({ rate: 0.3, seed: 11 });
    const unrelated = fake.comment('other000001', { text: '別チャンネル', at: minutes(1) });
    const result = await runCollections({
      runs: 45,
      collect: (cursor) => youtubeSource.collect!({ config: config({ requestTimeoutMs: 400 }), cursor, targets: [], runtime }),
      between: (run) => {
        if (run === 40) fake.http.setFaults({ rate: 0 });
        if (run < 35) fake.comment(run % 2 === 0 ? 'vid00000001' : 'vid00000002', { text: `live${run}`, at: minutes(100 + run) });
        // Replies to older threads reach us only through the by-id re-read.
        if (run < 35 && run % 3 === 0)
          fake.comment('vid00000001', { text: `後からの返信${run}`, at: minutes(200 + run), replyTo: `Ugz${5 + run}` });
      },
    });
    expect(result.failedRuns).toBeGreaterThan(0);
    expect([...result.tombstoned]).toEqual([]);
    expect([...result.stored.keys()].sort()).toEqual(
      fake
        .allCommentIds()
        .filter((id) => id !== unrelated.id)
        .sort(),
    );
  });

  it('validates its config', () => {
    expect(() => youtubeSource.parseConfig({ apiKeyEnv: 'K' })).toThrow(/videoIds/);
    expect(() => youtubeSource.parseConfig({ apiKeyEnv: 'K', channelIds: ['not-a-channel'] })).toThrow(/channelIds\[0\]/);
    expect(() => youtubeSource.parseConfig({ channelIds: [channel], apiKeyEnv: 'ya29.key value' })).toThrow(/apiKeyEnv/);
    expect(youtubeSource.requiredCredentials(youtubeSource.parseConfig({ channelIds: [channel] }))).toEqual(['apiKey']);
  });
});
