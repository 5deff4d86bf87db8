import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.ts';
import { parseFacebookConfig, type FacebookConfig } from '../../../src/sources/facebook/config.ts';
import type { FacebookCursor } from '../../../src/sources/facebook/collector.ts';
import { facebookSource } from '../../../src/sources/facebook/index.ts';
import { mapComment, mapPagePost } from '../../../src/sources/facebook/map.ts';
import { verifyHubSignature } from '../../../src/sources/facebook/webhook-security.ts';
import type { WatchTargetSpec, WebhookRequest, WebhookResult } from '../../../src/sources/types.ts';
import { SourceAuthError } from '../../../src/sources/types.ts';
import { FacebookFake } from '../../fakes/facebook-fake.ts';
import {
  createTestRuntime,
  createVirtualClock,
  drainCollector,
  secretsFrom,
  type TestRuntime,
  type VirtualClock,
} from '../../fakes/source-runtime.ts';

const target: WatchTargetSpec = { id: 't1', names: ['さくら内科'], keywords: [], handles: { facebook: '1234567890' }, exclusions: [] };
const secrets = { accessToken: 'graph-test-token', appSecret: 'app-secret', verifyToken: 'verify-me' };

let clock: VirtualClock;
let fake: FacebookFake;
beforeEach(async () => {
  clock = createVirtualClock();
  fake = new FacebookFake('1234567890', { now: clock.now, appSecret: 'app-secret' });
  await fake.start();
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): FacebookConfig {
  return parseFacebookConfig({
    baseUrl: fake.baseUrl,
    pageId: '1234567890',
    accessTokenEnv: 'FB_PAGE_TOKEN',
    appSecretEnv: 'FB_APP_SECRET',
    verifyTokenEnv: 'FB_VERIFY_TOKEN',
    pageSize: 25,
    requestTimeoutMs: 1000,
    ...extra,
  });
}
function runtime(overrides: Partial<typeof secrets> = {}, random?: () => number): TestRuntime {
  return createTestRuntime({ clock, secrets: { ...secrets, ...overrides }, ...(random ? { random } : {}) });
}
async function run(cfg: FacebookConfig, cursor: unknown, rt: TestRuntime) {
  const { pages, error } = await drainCollector(() => facebookSource.collect!({ config: cfg, cursor, targets: [target], runtime: rt }));
  return {
    pages,
    error,
    cursor: (pages.length > 0 ? pages[pages.length - 1]!.cursor : cursor) as FacebookCursor | null,
    ids: pages.flatMap((p) => p.mentions.map((m) => m.externalId)),
  };
}

/** 60 posts over the last hour, each of the newest 3 with comments and a reply. */
function seedPage() {
  for (let i = 0; i < 60; i += 1) fake.addPost(`お知らせ ${i}`, { at: new Date(clock.now().getTime() - (60 - i) * 60_000) });
  for (const post of fake.posts.slice(0, 3)) {
    for (let j = 0; j < 30; j += 1) {
      const c = fake.addComment(post.id, `コメント ${j}`, { at: new Date(clock.now().getTime() - (30 - j) * 1000) });
      if (j % 10 === 0)
        fake.addComment(post.id, `返信 ${j}`, { parentId: c.id, at: new Date(clock.now().getTime() - (30 - j) * 1000 + 500) });
    }
  }
}

describe('Facebook mapping', () => {
  it('maps posts and comments with +0000 times, counts and reply relations', () => {
    const post = mapPagePost(
      {
        id: '1_2',
        message: '休診のお知らせ',
        created_time: '2026-11-25T08:00:00+0000',
        from: { id: '1', name: 'さくら内科' },
        permalink_url: 'https://www.facebook.com/1/posts/2',
        shares: { count: 3 },
        reactions: { data: [], summary: { total_count: 12 } },
        comments: { data: [], summary: { total_count: 4 } },
      },
      't1',
    );
    expect(post).toMatchObject({
      externalId: '1_2',
      postedAt: new Date('2026-11-25T08:00:00Z'),
      metrics: { likes: 12, replies: 4, reposts: 3 },
      authorName: 'さくら内科',
    });
    const reply = mapComment(
      { id: '2_9', message: 'ひどい', created_time: '2026-11-25T08:01:00+0000', parent: { id: '2_8' }, like_count: 1, comment_count: 0 },
      '1_2',
      null,
    );
    expect(reply).toMatchObject({ replyToExternalId: '2_8', metrics: { likes: 1, replies: 0 }, url: null });
    expect(mapComment({ id: '2_10', message: 'x', created_time: '2026-11-25T08:01:00+0000' }, '1_2', null)?.replyToExternalId).toBe('1_2');
    expect(mapComment({ id: '2_11', message: { evil: true }, created_time: '2026-11-25T08:01:00+0000' }, '1_2', null)).toBeNull();
    expect(mapPagePost({ id: '../me', created_time: '2026-11-25T08:00:00+0000' }, null)).toBeNull();
    expect(mapPagePost({ id: '1_3', permalink_url: 'javascript:alert(1)', created_time: '2026-11-25T08:00:00+0000' }, null)?.url).toBe(
      'https://www.facebook.com/1_3',
    );
  });
});

describe('Facebook collection against the fake', () => {
  it('collects the feed and every comment and reply exactly once, then only what is new', async () => {
    seedPage();
    const rt = runtime();
    const first = await run(config(), null, rt);
    expect(first.error).toBeNull();
    expect([...first.ids].sort()).toEqual(fake.allIds());
    expect(new Set(first.ids).size).toBe(first.ids.length);
    expect(fake.requests.every((u) => u.searchParams.get('appsecret_proof')?.length === 64)).toBe(true);
    const reply = first.pages.flatMap((p) => p.mentions).find((m) => m.text === '返信 10');
    expect(reply?.replyToExternalId).toMatch(/_/);
    expect(JSON.stringify(first.pages.map((p) => p.cursor))).not.toContain('graph-test-token');
    expect(JSON.stringify(rt.logs)).not.toContain('graph-test-token');

    clock.advance(60_000);
    const newPost = fake.addPost('新しいお知らせ');
    const newComment = fake.addComment(fake.posts[1]!.id, '駐車場が狭い');
    const second = await run(config(), first.cursor, runtime());
    const fresh = new Set(second.ids);
    expect(fresh.has(newPost.id)).toBe(true);
    expect(fresh.has(newComment.id)).toBe(true);
    // Only the inclusive since-boundary may repeat; nothing older comes back.
    expect(second.ids.length).toBeLessThan(10);
    const feedRequests = fake.requests.filter((u) => u.pathname.endsWith('/feed'));
    // since = the newest post of the first run (60 s before it started), not the run's clock.
    expect(feedRequests.at(-1)?.searchParams.get('since')).toBe(String(Date.parse('2026-11-25T09:00:00Z') / 1000 - 60));
  });

  it('follows time-based paging (paging.next without cursors) to the end, keeping the token out of cursors and logs', async () => {
    await fake.close();
    fake = new FacebookFake('1234567890', { now: clock.now, appSecret: 'app-secret', paging: 'time' });
    await fake.start();
    seedPage();
    const rt = runtime();
    const first = await run(config(), null, rt);
    expect(first.error).toBeNull();
    expect([...first.ids].sort()).toEqual(fake.allIds());
    expect(fake.requests.some((u) => u.searchParams.has('__paging_token'))).toBe(true);
    expect(JSON.stringify(first.pages.map((p) => p.cursor))).not.toContain('graph-test-token');
    expect(JSON.stringify(rt.logs)).not.toContain('graph-test-token');
  });

  it('fails loudly when paging.next points elsewhere and there is no cursor, instead of stopping as if at the end', async () => {
    await fake.close();
    fake = new FacebookFake('1234567890', { now: clock.now, appSecret: 'app-secret', paging: 'time' });
    fake.rewriteNext = (next) => next.replace('127.0.0.1', 'localhost');
    await fake.start();
    seedPage();
    const rt = runtime();
    const first = await run(config(), null, rt);
    expect(String(first.error)).toMatch(/paging\.next/);
    expect(fake.requests.some((u) => u.searchParams.has('__paging_token'))).toBe(false);
  });

  it('re-reads the followed window now and then, so edited posts and comments come back as new text', async () => {
    const post = fake.addPost('診療時間のお知らせ', { at: new Date(clock.now().getTime() - 120_000) });
    fake.addPost('別のお知らせ', { at: new Date(clock.now().getTime() - 60_000) });
    const comment = fake.addComment(post.id, '対応が遅い', { at: new Date(clock.now().getTime() - 30_000) });
    fake.addComment(post.id, '同感です'); // the newest: the inclusive `since` boundary falls here
    const cfg = config({ fullReadEveryHours: 6 });
    const first = await run(cfg, null, runtime());
    clock.advance(3_600_000);
    fake.editComment(comment.id, '対応が遅い（追記: 2時間待ち）');
    fake.editPost(post.id, '診療時間のお知らせ（訂正）');
    const soon = await run(cfg, first.cursor, runtime());
    // The first run set the watermark; an hour later nothing is due yet.
    expect(soon.pages.flatMap((p) => p.mentions).some((m) => m.text.includes('追記'))).toBe(false);
    clock.advance(6 * 3_600_000);
    const due = await run(cfg, soon.cursor, runtime());
    const texts = due.pages.flatMap((p) => p.mentions).map((m) => [m.externalId, m.text]);
    expect(texts).toEqual(
      expect.arrayContaining([
        [comment.id, '対応が遅い（追記: 2時間待ち）'],
        [post.id, '診療時間のお知らせ（訂正）'],
      ]),
    );
    expect(due.cursor!.feed.since).toBe(soon.cursor!.feed.since);
    expect(due.cursor!.posts[post.id]!.comments).toEqual(soon.cursor!.posts[post.id]!.comments);
  });

  it('tombstones a followed post that was deleted instead of failing on it every run', async () => {
    const kept = fake.addPost('残る投稿', { at: new Date(clock.now().getTime() - 120_000) });
    const gone = fake.addPost('消される投稿', { at: new Date(clock.now().getTime() - 60_000) });
    fake.addComment(gone.id, '炎上コメント');
    const first = await run(config(), null, runtime());
    expect(Object.keys(first.cursor!.posts).sort()).toEqual([kept.id, gone.id].sort());
    fake.deletePost(gone.id);
    const later = fake.addComment(kept.id, 'まだ読める');
    const second = await run(config(), first.cursor, runtime());
    expect(second.error).toBeNull();
    expect(second.pages.flatMap((p) => p.tombstones ?? []).map((t) => [t.externalId, t.reason])).toEqual([[gone.id, 'deleted']]);
    expect(second.ids).toContain(later.id);
    expect(Object.keys(second.cursor!.posts)).toEqual([kept.id]);
  });

  it('resumes from the last committed page after a crash without losing anything', async () => {
    seedPage();
    const full = await run(config(), null, runtime());
    const resumed = await run(config(), full.pages[1]!.cursor, runtime());
    const union = new Set([...full.pages[0]!.mentions, ...full.pages[1]!.mentions].map((m) => m.externalId).concat(resumed.ids));
    expect([...union].sort()).toEqual(fake.allIds());
  });

  it('backs off on Meta throttling and server errors, honouring the usage headers', async () => {
    seedPage();
    fake.injectFaults('throttle', 'buc-throttle', 'server-error', 'transient', 'reset');
    const rt = runtime({}, () => 0.5);
    const result = await run(config(), null, rt);
    expect(result.error).toBeNull();
    expect(new Set(result.ids).size).toBe(fake.allIds().length);
    // code 4 with X-App-Usage at 100 %: 5-minute pause; code 80001 with 2 minutes to regain access.
    // Then 0.5 × 2^n s on attempts n = 2, 3, 4.
    expect(rt.sleeps).toEqual([300_000, 120_000, 2_000, 4_000, 8_000]);
  });

  it('converges to exactly the fake set under random throttling, 5xx, resets and bad bodies', async () => {
    await fake.close();
    fake = new FacebookFake('1234567890', {
      now: clock.now,
      appSecret: 'app-secret',
      faultRate: 0.3,
      faultSeed: 5,
      faultKinds: ['throttle', 'buc-throttle', 'server-error', 'transient', 'reset', 'malformed'],
    });
    await fake.start();
    const seen = new Set<string>();
    let cursor: unknown = null;
    let failures = 0;
    for (let runNo = 0; runNo < 30; runNo += 1) {
      clock.advance(60_000);
      const post = fake.addPost(`お知らせ ${runNo}`);
      for (let j = 0; j < 7; j += 1) fake.addComment(fake.posts[j % fake.posts.length]!.id, `コメント ${runNo}-${j}`);
      fake.addComment(post.id, `返信 ${runNo}`, { parentId: fake.addComment(post.id, `親 ${runNo}`).id });
      const result = await run(
        config({ pageSize: 5 }),
        cursor,
        runtime({}, () => 0.5),
      );
      if (result.error) failures += 1;
      for (const id of result.ids) seen.add(id);
      cursor = result.cursor;
    }
    fake.faultRate = 0;
    const final = await run(config({ pageSize: 5 }), cursor, runtime());
    for (const id of final.ids) seen.add(id);
    expect([...seen].sort()).toEqual(fake.allIds());
    expect(failures).toBeGreaterThan(0);
  });

  it('treats an expired token (code 190) as an auth error without retrying', async () => {
    seedPage();
    fake.injectFaults('auth');
    const result = await run(config(), null, runtime());
    expect(result.error).toBeInstanceOf(SourceAuthError);
    expect((result.error as Error).message).not.toContain('graph-test-token');
    expect(fake.requests).toHaveLength(1);
  });

  it('skips a malformed comment and fails a malformed page without yielding it', async () => {
    const post = fake.addPost('告知');
    fake.addComment(post.id, 'ok');
    const bad = fake.addComment(post.id, 'bad');
    (bad as unknown as Record<string, unknown>).created_time = 'yesterday';
    const rt = runtime();
    const result = await run(config(), null, rt);
    expect(result.ids).toHaveLength(2);
    expect(rt.logs.some((l) => l.id === bad.id)).toBe(true);

    fake.injectFaults('malformed');
    const broken = await run(config(), null, runtime());
    expect(broken.error).toBeTruthy();
    expect(broken.pages).toHaveLength(0);
  });
});

describe('Facebook webhook', () => {
  const cfg = () => config();
  const secret = secretsFrom(secrets);
  const handle = (req: Partial<WebhookRequest>): WebhookResult =>
    facebookSource.webhook!.handle({ method: 'POST', headers: {}, query: {}, rawBody: Buffer.alloc(0), ...req }, cfg(), secret, [target]);

  it('answers the hub challenge only with the right verify token', () => {
    const q = (token: string, challenge = '1158201444') => ({
      method: 'GET',
      query: { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': challenge },
    });
    expect(handle(q('verify-me'))).toEqual({ kind: 'challenge', body: '1158201444' });
    expect(handle(q('wrong'))).toMatchObject({ kind: 'rejected', status: 403 });
    expect(handle(q('verify-me', '<script>alert(1)</script>'))).toMatchObject({ kind: 'rejected', status: 400 });
    expect(handle({ method: 'GET', query: {} })).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('verifies X-Hub-Signature-256 over the raw bytes', () => {
    const body = Buffer.from('{"object":"page","entry":[]}');
    const delivery = fake.signedDelivery(JSON.parse(body.toString()));
    expect(verifyHubSignature('app-secret', delivery.rawBody, delivery.headers['x-hub-signature-256'])).toBe(true);
    expect(
      verifyHubSignature('app-secret', Buffer.concat([delivery.rawBody, Buffer.from(' ')]), delivery.headers['x-hub-signature-256']),
    ).toBe(false);
    expect(handle({ rawBody: delivery.rawBody, headers: { 'x-hub-signature': delivery.headers['x-hub-signature'] } })).toMatchObject({
      kind: 'rejected',
      status: 401,
    });
    const forged = fake.signedDelivery({ object: 'page', entry: [] }, 'other-secret');
    expect(handle(forged)).toMatchObject({ kind: 'rejected', status: 401 });
    expect(handle({ rawBody: delivery.rawBody, headers: { 'x-hub-signature-256': 'sha256=zz' } })).toMatchObject({
      kind: 'rejected',
      status: 401,
    });
  });

  it("refuses deliveries it cannot verify; an unset secret is the server's problem, not the sender's", () => {
    const delivery = fake.feedDelivery([]);
    const req = { method: 'POST', headers: delivery.headers, query: {}, rawBody: delivery.rawBody };
    // No app secret for this source: nothing can be verified, so nothing is accepted.
    expect(facebookSource.webhook!.handle(req, cfg(), secretsFrom({ accessToken: 'graph-test-token' }), [target])).toMatchObject({
      kind: 'rejected',
      status: 401,
    });
  });

  it('turns comment add/edit into mentions and remove/hide into tombstones, with stable event ids', () => {
    const from = { id: '555', name: '山田' };
    const changes = [
      {
        from,
        post_id: '1234567890_1',
        comment_id: '1_10',
        parent_id: '1234567890_1',
        created_time: 1764057600,
        item: 'comment',
        verb: 'add',
        message: '受付が不親切',
      },
      {
        from,
        post_id: '1234567890_1',
        comment_id: '1_10',
        parent_id: '1234567890_1',
        created_time: 1764057600,
        item: 'comment',
        verb: 'edited',
        message: '受付が不親切でした（追記）',
      },
      { from, post_id: '1234567890_1', comment_id: '1_11', created_time: 1764057601, item: 'comment', verb: 'remove' },
      { from, post_id: '1234567890_2', created_time: 1764057602, item: 'status', verb: 'add', message: '本日休診' },
      { from, post_id: '1234567890_1', comment_id: '1_12', created_time: 1764057603, item: 'comment', verb: 'hide' },
      { from, post_id: '1234567890_1', created_time: 1764057604, item: 'reaction', verb: 'add', reaction_type: 'like' },
    ];
    const delivery = fake.feedDelivery(changes);
    const result = handle(delivery);
    if (result.kind !== 'events') throw new Error(JSON.stringify(result));
    expect(result.page.mentions.map((m) => [m.externalId, m.text, m.replyToExternalId])).toEqual([
      ['1_10', '受付が不親切', '1234567890_1'],
      ['1_10', '受付が不親切でした（追記）', '1234567890_1'],
      ['1234567890_2', '本日休診', null],
    ]);
    expect(result.page.mentions[0]!.postedAt).toEqual(new Date(1764057600 * 1000));
    expect(result.page.tombstones?.map((t) => [t.externalId, t.reason])).toEqual([
      ['1_11', 'deleted'],
      ['1_12', 'hidden'],
    ]);
    expect(result.eventIds).toHaveLength(5);
    expect(new Set(result.eventIds).size).toBe(5);
    const again = handle(delivery);
    expect(again.kind === 'events' && again.eventIds).toEqual(result.eventIds);
  });

  it('ignores entries for other Pages and survives signed garbage', () => {
    const other = fake.signedDelivery({
      object: 'page',
      entry: [
        {
          id: '999',
          time: 1,
          changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: '9_9', message: 'x', created_time: 1 } }],
        },
      ],
    });
    expect(handle(other)).toMatchObject({ kind: 'events', eventIds: [], page: { mentions: [] } });
    const garbage = fake.signedDelivery({
      object: 'page',
      entry: [
        null,
        5,
        { id: '1234567890', changes: [null, { field: 'feed', value: { item: 'comment', verb: 'add', comment_id: { x: 1 } } }] },
      ],
    });
    expect(handle(garbage)).toMatchObject({ kind: 'events', eventIds: [] });
    const raw = Buffer.from('{oops');
    const notJson = { rawBody: raw, headers: { 'x-hub-signature-256': fake.signedDelivery(null).headers['x-hub-signature-256'] } };
    expect(handle(notJson)).toMatchObject({ kind: 'rejected' });
  });
});

describe('Facebook config', () => {
  it('validates and lists secret names', () => {
    expect(() => parseFacebookConfig({ accessTokenEnv: 'A' })).toThrow(/pageId/);
    expect(() => parseFacebookConfig({ pageId: '1', accessTokenEnv: 'has space' })).toThrow(ValidationError);
    const c = parseFacebookConfig({ pageId: '1', accessTokenEnv: 'A', appSecretEnv: 'B' });
    expect(c.baseUrl).toBe('https://graph.facebook.com/v25.0');
    expect(facebookSource.credentials.map((s) => [s.name, s.envName(c)])).toEqual([
      ['accessToken', 'A'],
      ['appSecret', 'B'],
      ['verifyToken', null],
    ]);
    expect(facebookSource.requiredCredentials(c)).toEqual(['accessToken']);
    expect(facebookSource.endpoints(c).credentialOrigins).toEqual(['https://graph.facebook.com']);
  });
});
