import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInstagramConfig, type InstagramConfig } from '../../../src/sources/instagram/config.ts';
import type { InstagramCursor } from '../../../src/sources/instagram/collector.ts';
import { instagramSource } from '../../../src/sources/instagram/index.ts';
import type { WatchTargetSpec, WebhookRequest, WebhookResult } from '../../../src/sources/types.ts';
import { SourceAuthError } from '../../../src/sources/types.ts';
import { InstagramFake } from '../../fakes/instagram-fake.ts';
import {
  createTestRuntime,
  createVirtualClock,
  drainCollector,
  secretsFrom,
  type TestRuntime,
  type VirtualClock,
} from '../../fakes/source-runtime.ts';

const igUserId = '17841400000000001';
const target: WatchTargetSpec = { id: 't1', names: ['さくら内科'], keywords: [], handles: { instagram: igUserId }, exclusions: [] };
const secrets: Record<string, string> = { accessToken: 'graph-test-token', appSecret: 'app-secret', verifyToken: 'verify-me' };

let clock: VirtualClock;
let fake: InstagramFake;
beforeEach(async () => {
  clock = createVirtualClock();
  fake = new InstagramFake(igUserId, { now: clock.now, appSecret: 'app-secret' });
  await fake.start();
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): InstagramConfig {
  return parseInstagramConfig({
    baseUrl: fake.baseUrl,
    igUserId,
    accessTokenEnv: 'IG_TOKEN',
    appSecretEnv: 'IG_APP_SECRET',
    verifyTokenEnv: 'IG_VERIFY',
    requestTimeoutMs: 1000,
    pageSize: 25,
    ...extra,
  });
}
function runtime(random?: () => number): TestRuntime {
  return createTestRuntime({ clock, secrets, ...(random ? { random } : {}) });
}
async function run(cfg: InstagramConfig, cursor: unknown, rt = runtime()) {
  const queriesAtPage: number[] = [];
  const { pages, error } = await drainCollector(() => instagramSource.collect!({ config: cfg, cursor, targets: [target], runtime: rt }), {
    onPage: () => queriesAtPage.push(fake.hashtagQueries.length),
  });
  return {
    pages,
    error,
    queriesAtPage,
    cursor: (pages.length > 0 ? pages[pages.length - 1]!.cursor : cursor) as InstagramCursor | null,
    ids: pages.flatMap((p) => p.mentions.map((m) => m.externalId)),
  };
}
const minutesAgo = (n: number) => new Date(clock.now().getTime() - n * 60_000);

describe('Instagram collection against the fake', () => {
  it('collects tagged media, own media with comments and all replies, and hashtag media', async () => {
    const tagged = Array.from({ length: 30 }, (_, i) => fake.addTaggedMedia(`さくら内科に行った ${i}`, 'patient_a', minutesAgo(100 - i)));
    const own = [fake.addOwnMedia('年末年始の休診', minutesAgo(50)), fake.addOwnMedia('インフルエンザ予防接種', minutesAgo(40))];
    const top = fake.addComment(own[0]!.id, '何日からですか？');
    const replies = Array.from({ length: 5 }, (_, i) => fake.addComment(own[0]!.id, `返信 ${i}`, { parentId: top.id }));
    const others = Array.from({ length: 30 }, (_, i) => fake.addComment(own[1]!.id, `コメント ${i}`));
    const hashtag = Array.from({ length: 120 }, (_, i) => fake.addHashtagMedia('さくら内科', `#さくら内科 ${i}`, minutesAgo(i)));
    fake.addHashtagMedia('さくら内科', 'two days old', new Date(clock.now().getTime() - 2 * 86_400_000));

    const result = await run(config({ hashtags: ['#さくら内科'], maxPagesPerHashtag: 10 }), null);
    expect(result.error).toBeNull();
    const expected = [...tagged, ...own, top, ...replies, ...others, ...hashtag].map((x) => x.id).sort();
    expect([...new Set(result.ids)].sort()).toEqual(expected);
    expect(fake.allIds()).toEqual(expected);
    for (const p of result.pages) expect(new Set(p.mentions.map((m) => m.externalId)).size).toBe(p.mentions.length);
    const reply = result.pages.flatMap((p) => p.mentions).find((m) => m.externalId === replies[4]!.id);
    expect(reply).toMatchObject({ replyToExternalId: top.id, authorHandle: 'patient_b' });
    expect(fake.requests.some((u) => u.pathname.endsWith(`/${top.id}/replies`))).toBe(true);
    expect(result.cursor?.hashtagUses).toEqual({ さくら内科: clock.now().getTime() });
    expect(JSON.stringify(result.pages.map((p) => p.cursor))).not.toContain('graph-test-token');
  });

  it('on the next run reads tags until a page brings nothing new, and comments only where the count changed', async () => {
    Array.from({ length: 60 }, (_, i) => fake.addTaggedMedia(`tag ${i}`, 'patient_a', minutesAgo(100 - i)));
    const own = [fake.addOwnMedia('a', minutesAgo(50)), fake.addOwnMedia('b', minutesAgo(40))];
    fake.addComment(own[0]!.id, 'first');
    fake.addComment(own[1]!.id, 'second');
    const first = await run(config(), null);
    expect(first.ids).toHaveLength(64);

    clock.advance(60_000);
    const newTag = fake.addTaggedMedia('new tag');
    const newComment = fake.addComment(own[1]!.id, '待ち時間が長い');
    const before = fake.requests.length;
    const second = await run(config(), first.cursor);
    const later = fake.requests.slice(before).map((u) => u.pathname.replace(/^\/v25\.0/, ''));
    // Page 1 holds the new tag, page 2 nothing new: stop there, not at page 3 of 3.
    expect(later.filter((p) => p.endsWith('/tags'))).toHaveLength(2);
    expect(later.filter((p) => p.endsWith('/comments'))).toEqual([`/${own[1]!.id}/comments`]);
    expect(second.ids).toEqual(expect.arrayContaining([newTag.id, newComment.id]));
  });

  it('reads comments in full every few hours, so a deleted comment and a new one (same count) do not hide the new one', async () => {
    const media = fake.addOwnMedia('a', minutesAgo(50));
    const gone = fake.addComment(media.id, '最初のコメント');
    const first = await run(config(), null);
    expect(first.ids).toContain(gone.id);

    clock.advance(60_000);
    fake.removeComment(gone.id);
    const hidden = fake.addComment(media.id, '受付の対応がひどい');
    // The count is back where it was: soon after, nothing says there is anything to read …
    const soon = await run(config(), first.cursor);
    expect(soon.ids).not.toContain(hidden.id);
    // … but after fullReadEveryHours (default 6) the comments are read in full.
    clock.advance(6 * 3_600_000);
    const later = await run(config(), soon.cursor);
    expect(later.ids).toContain(hidden.id);
    // Read: the next run within the hours does not read them again.
    const before = fake.requests.length;
    await run(config(), later.cursor);
    expect(fake.requests.slice(before).filter((u) => u.pathname.endsWith('/comments'))).toEqual([]);
  });

  it('notices own media that vanished from the listing', async () => {
    const old = fake.addOwnMedia('古い投稿', minutesAgo(90));
    const gone = fake.addOwnMedia('問題の投稿', minutesAgo(60));
    fake.addOwnMedia('新しい投稿', minutesAgo(30));
    const first = await run(config(), null);
    fake.removeOwnMedia(gone.id);
    const second = await run(config(), first.cursor);
    expect(second.pages.flatMap((p) => p.tombstones ?? []).map((t) => [t.externalId, t.reason])).toEqual([[gone.id, 'unavailable']]);
    expect(Object.keys(second.cursor!.media)).not.toContain(gone.id);
    expect(Object.keys(second.cursor!.media)).toContain(old.id);
  });

  it('never exceeds 30 unique hashtags in 7 days, and commits each use before spending it', async () => {
    const tagsA = Array.from({ length: 20 }, (_, i) => `tag_a${i}`);
    const tagsB = Array.from({ length: 20 }, (_, i) => `tag_b${i}`);
    for (const t of [...tagsA, ...tagsB]) fake.addHashtagMedia(t, `#${t}`);
    const rt = runtime();
    const first = await run(config({ hashtags: tagsA, maxMediaForComments: 0 }), null, rt);
    // Before the first request for each hashtag, a page already carried its use.
    for (const tag of tagsA) {
      const i = first.pages.findIndex((p) => tag in (p.cursor as InstagramCursor).hashtagUses);
      expect(first.queriesAtPage[i]).toBe(tagsA.indexOf(tag));
    }
    clock.advance(86_400_000);
    const second = await run(config({ hashtags: tagsB, maxMediaForComments: 0 }), first.cursor, rt);
    expect(new Set(fake.hashtagQueries.map((q) => q.tag)).size).toBe(30);
    expect(fake.hashtagLimitErrors).toBe(0);
    expect(rt.logs.filter((l) => String(l.msg).includes('30 unique hashtags'))).toHaveLength(10);

    // A week after the first uses, the remaining ten are allowed.
    clock.advance(6 * 86_400_000 + 60_000);
    await run(config({ hashtags: tagsB, maxMediaForComments: 0 }), second.cursor, rt);
    expect(new Set(fake.hashtagQueries.map((q) => q.tag))).toEqual(new Set([...tagsA, ...tagsB]));
    expect(fake.hashtagLimitErrors).toBe(0);
  });

  it('counts hashtags another tool searched on the same account this week', async () => {
    for (let i = 0; i < 25; i += 1) fake.hashtagQueries.push({ tag: `elsewhere${i}`, at: clock.now().getTime() - 86_400_000 });
    const ours = Array.from({ length: 10 }, (_, i) => `ours${i}`);
    for (const t of ours) fake.addHashtagMedia(t, `#${t}`);
    const rt = runtime();
    await run(config({ hashtags: ours, maxMediaForComments: 0 }), null, rt);
    expect(fake.hashtagLimitErrors).toBe(0);
    expect(fake.hashtagQueries.filter((q) => q.tag.startsWith('ours')).map((q) => q.tag)).toEqual(ours.slice(0, 5));
    expect(rt.logs.filter((l) => String(l.msg).includes('30 unique hashtags'))).toHaveLength(5);
  });

  it('retries Graph throttling and transient errors; an expired token is an auth error', async () => {
    fake.addTaggedMedia('x');
    fake.injectFaults('transient', 'reset', 'server-error');
    const ok = await run(
      config(),
      null,
      runtime(() => 0.5),
    );
    expect(ok.error).toBeNull();
    expect(ok.ids).toHaveLength(1);
    fake.injectFaults('auth');
    const denied = await run(config(), null);
    expect(denied.error).toBeInstanceOf(SourceAuthError);
  });
});

describe('Instagram webhook', () => {
  const secret = secretsFrom(secrets);
  const handle = (req: Partial<WebhookRequest>): WebhookResult =>
    instagramSource.webhook!.handle({ method: 'POST', headers: {}, query: {}, rawBody: Buffer.alloc(0), ...req }, config(), secret, [
      target,
    ]);

  it('maps comments to mentions and mentions to activities', () => {
    const delivery = fake.delivery([
      {
        field: 'comments',
        value: {
          id: '17865799348089039',
          from: { id: '232323232', username: 'patient_c' },
          text: '受付の人が怖い',
          media: { id: '17900000000000001', media_product_type: 'FEED' },
        },
      },
      {
        field: 'comments',
        value: {
          id: '17865799348089040',
          from: { id: '232323232', username: 'patient_c' },
          text: '返信です',
          media: { id: '17900000000000001' },
          parent_id: '17865799348089039',
        },
      },
      { field: 'mentions', value: { media_id: '17887498072083520', comment_id: '17887498072083521' } },
    ]);
    const result = handle(delivery);
    if (result.kind !== 'events') throw new Error(JSON.stringify(result));
    expect(result.page.mentions.map((m) => [m.externalId, m.text, m.authorHandle, m.replyToExternalId])).toEqual([
      ['17865799348089039', '受付の人が怖い', 'patient_c', '17900000000000001'],
      ['17865799348089040', '返信です', 'patient_c', '17865799348089039'],
    ]);
    expect(result.activities).toEqual([
      expect.objectContaining({ kind: 'instagram.mention', eventId: 'instagram:mention:17887498072083520:17887498072083521' }),
    ]);
    expect(result.eventIds).toHaveLength(3);
    expect(result.page.mentions.every((m) => m.text.length > 0)).toBe(true);
    // The account's watch target, as the pull path assigns it.
    expect(result.page.mentions.map((m) => m.watchTargetId)).toEqual(['t1', 't1']);
  });

  it('accepts field/value on the entry itself, ignores other accounts, rejects bad signatures', () => {
    const time = Math.floor(clock.now().getTime() / 1000);
    const flat = fake.signedDelivery({
      object: 'instagram',
      entry: [
        { id: igUserId, time, field: 'comments', value: { id: '1', text: 'flat', from: { id: '2', username: 'u' }, media: { id: '3' } } },
      ],
    });
    expect(handle(flat)).toMatchObject({ kind: 'events', eventIds: ['instagram:comment:1'] });
    const other = fake.signedDelivery({
      object: 'instagram',
      entry: [{ id: '999', time, changes: [{ field: 'comments', value: { id: '1', text: 'x' } }] }],
    });
    expect(handle(other)).toMatchObject({ kind: 'events', eventIds: [] });
    expect(handle(fake.delivery([], 'wrong-secret'))).toMatchObject({ kind: 'rejected', status: 401 });
    expect(handle({ method: 'GET', query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '42' } })).toEqual({
      kind: 'challenge',
      body: '42',
    });
  });
});

describe('Instagram config', () => {
  it('caps hashtags at 30 and normalises them', () => {
    expect(() => parseInstagramConfig({ igUserId, accessTokenEnv: 'A', hashtags: Array.from({ length: 31 }, (_, i) => `t${i}`) })).toThrow(
      /hashtags/,
    );
    expect(() => parseInstagramConfig({ igUserId, accessTokenEnv: 'A', hashtags: ['a b'] })).toThrow(/hashtags\[0\]/);
    expect(parseInstagramConfig({ igUserId, accessTokenEnv: 'A', hashtags: ['#Sakura', 'sakura', '＃さくら'] }).hashtags).toEqual([
      'sakura',
      'さくら',
    ]);
  });
});
