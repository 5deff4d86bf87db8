import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { addSource } from '../../src/collection/sources.ts';
import { updateSource } from '../../src/collection/update-source.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/server/app.ts';
import { analyzeStored } from '../../src/ingest/analyze-stored.ts';
import { FacebookFake } from '../fakes/facebook-fake.ts';
import { LineFake } from '../fakes/line-fake.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { makeOrg, testContext } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('LINE webhook', () => {
  it('stores signed deliveries once, privately, answers 200 after the insert and analyses afterwards', async () => {
    const ctx = testContext(db, { analyzer: await loadAnalyzer() });
    const app = createApp(ctx);
    const { org } = await makeOrg(ctx);
    const line = new LineFake();
    const src = await addSource(ctx, {
      orgId: org.id,
      type: 'line',
      name: 'LINE公式',
      config: { destination: line.destination },
      credentials: { channelSecret: 'line-test-secret' },
    });
    const post = (d: { body: string; headers: Record<string, string> }) =>
      app.request(`/webhooks/${src.id}`, { method: 'POST', headers: d.headers, body: d.body });

    const message = line.textMessage('U1', '予約の時間を変更したいです。電話 090-1234-5678 です');
    const follow = line.follow('U2');
    const first = await post(line.delivery([message, follow]));
    expect(first.status).toBe(200);
    const again = await post(line.delivery(line.redelivery([message, follow])));
    expect(again.status).toBe(200);

    const rows = await ctx.sql`select text, is_private, analysis from mentions where org_id = ${org.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ is_private: true, analysis: null });
    const acts = await ctx.sql`select kind from source_activities where org_id = ${org.id}`;
    expect(acts.map((a) => a.kind)).toEqual(['line.follow']);

    await analyzeStored(ctx, { mode: 'missing', orgId: org.id });
    const analysed = one(await ctx.sql`select analysis from mentions where org_id = ${org.id}`);
    expect(analysed.analysis.pii.map((p: { type: string }) => p.type)).toContain('phone');

    const messageId = (message.message as { id: string }).id;
    expect((await post(line.delivery([line.unsend('U1', messageId)]))).status).toBe(200);
    const unsent = one(await ctx.sql`select text, deleted_at from mentions where org_id = ${org.id}`);
    expect(unsent.deleted_at).not.toBeNull();
    expect(unsent.text).toContain('予約の時間を変更したい');
    const tomb = one(await ctx.sql`select reason from mention_tombstones where org_id = ${org.id}`);
    expect(tomb.reason).toBe('unsent');
  });

  it('refuses bad or missing signatures (401) and oversized bodies (413), storing nothing', async () => {
    const ctx = testContext(db);
    const app = createApp(ctx);
    const { org } = await makeOrg(ctx);
    const line = new LineFake();
    const src = await addSource(ctx, {
      orgId: org.id,
      type: 'line',
      name: 'LINE',
      config: {},
      credentials: { channelSecret: 'line-test-secret' },
    });
    const forged = line.delivery([line.textMessage('U1', 'なりすまし')], { secret: 'wrong-secret' });
    expect((await app.request(`/webhooks/${src.id}`, { method: 'POST', headers: forged.headers, body: forged.body })).status).toBe(401);
    const unsigned = line.delivery([line.textMessage('U1', '署名なし')]);
    const { 'x-line-signature': _, ...noSig } = unsigned.headers;
    expect((await app.request(`/webhooks/${src.id}`, { method: 'POST', headers: noSig, body: unsigned.body })).status).toBe(401);
    const huge = line.delivery([line.textMessage('U1', 'あ'.repeat(600_000))]);
    const small = createApp({ ...ctx, config: loadConfig({ HINOKO_WEBHOOK_BODY_LIMIT_BYTES: '65536' }) });
    expect((await small.request(`/webhooks/${src.id}`, { method: 'POST', headers: huge.headers, body: huge.body })).status).toBe(413);
    const rows = await ctx.sql`select 1 from mentions where org_id = ${org.id}`;
    expect(rows).toHaveLength(0);
  });

  it('answers 404 for unknown, disabled and pull-only sources', async () => {
    const ctx = testContext(db);
    const app = createApp(ctx);
    const { org } = await makeOrg(ctx);
    const line = new LineFake();
    const src = await addSource(ctx, {
      orgId: org.id,
      type: 'line',
      name: 'LINE',
      config: {},
      credentials: { channelSecret: 'line-test-secret' },
    });
    await updateSource(ctx, src.id, undefined, { enabled: false });
    const d = line.delivery([line.textMessage('U1', 'x')]);
    expect((await app.request(`/webhooks/${src.id}`, { method: 'POST', headers: d.headers, body: d.body })).status).toBe(404);
    expect((await app.request('/webhooks/999999', { method: 'POST', headers: d.headers, body: d.body })).status).toBe(404);
    const demo = await addSource(ctx, { orgId: org.id, type: 'demo', name: 'demo', config: {} });
    expect((await app.request(`/webhooks/${demo.id}`, { method: 'POST', headers: d.headers, body: d.body })).status).toBe(404);
  });
});

describe('Facebook webhook', () => {
  it('answers the subscription handshake, stores a signed delivery, and keeps an edit in the same delivery as a version', async () => {
    const ctx = testContext(db);
    const app = createApp(ctx);
    const { org, target } = await makeOrg(ctx);
    const src = await addSource(ctx, {
      orgId: org.id,
      type: 'facebook',
      name: 'Facebookページ',
      config: { pageId: '1234567890' },
      credentials: { accessToken: 'graph-test-token', appSecret: 'app-secret', verifyToken: 'verify-me' },
    });
    const hello = await app.request(`/webhooks/${src.id}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe('1158201444');
    expect((await app.request(`/webhooks/${src.id}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);

    const fake = new FacebookFake('1234567890', { appSecret: 'app-secret' });
    const from = { id: '555', name: '患者A' };
    const delivery = fake.feedDelivery([
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
    ]);
    const res = await app.request(`/webhooks/${src.id}`, { method: 'POST', headers: delivery.headers, body: delivery.rawBody });
    expect(res.status).toBe(200);
    const m = one(await ctx.sql`select id, text, version, watch_target_id from mentions where org_id = ${org.id}`);
    // The Page's watch target, as the pull path assigns it: pushed and pulled comments are one series.
    expect(m).toMatchObject({ text: '受付が不親切でした（追記）', version: 2, watch_target_id: target.id });
    const versions = await ctx.sql`select version, text from mention_versions where mention_id = ${m.id}`;
    expect(versions).toEqual([{ version: 1, text: '受付が不親切' }]);
    const forged = fake.feedDelivery(
      [{ from, post_id: '1234567890_1', comment_id: '1_11', created_time: 1764057601, item: 'comment', verb: 'add', message: '偽' }],
      'not-the-secret',
    );
    expect((await app.request(`/webhooks/${src.id}`, { method: 'POST', headers: forged.headers, body: forged.rawBody })).status).toBe(401);
    expect(await ctx.sql`select 1 from mentions where org_id = ${org.id}`).toHaveLength(1);
  });
});
