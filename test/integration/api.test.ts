import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { createApp } from '../../src/server/app.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { defaultIngestLimits } from '../../src/ingest/normalise.ts';
import { logger } from '../../src/logger.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeOrg, makeSource, mentionFixture, testContext, stubAnalyzer } from '../factories/index.ts';

let db: TestDatabase;
let platform: Record<string, string>;
let current: Record<string, string>;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
  platform = await authHeaders(ctx);
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});
// Each test acts as an admin: of an organization of its own by default, of `org` after signIn(org.id).
beforeEach(() => {
  current = platform;
});

const auth = () => current;
const signIn = async (orgId: string) => {
  current = await authHeaders(ctx, { orgId });
};
const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { ...auth(), 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});

describe('health', () => {
  it('answers 200 when the database answers', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok', workers: {} });
  });

  it('answers 503 when the database does not', async () => {
    const dead = connect('postgres://postgres@127.0.0.1:1/none');
    const res = await createApp({ ...ctx, sql: dead.sql }).request('/healthz');
    expect(res.status).toBe(503);
    await dead.close();
  });
});

describe('authentication', () => {
  it("refuses the API without a token, with a wrong token, and accepts a user's token", async () => {
    expect((await app.request('/api/v1/organizations')).status).toBe(401);
    const wrong = await app.request('/api/v1/organizations', { headers: { authorization: 'Bearer hnk_wrong' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await app.request('/api/v1/organizations', { headers: auth() })).status).toBe(200);
  });

  it('refuses the retired platform token setting at boot, pointing at users', () => {
    expect(() => loadConfig({ HINOKO_API_TOKEN: 'a-preset-token-that-is-long-enough' })).toThrow(/hinoko users add/);
  });
});

describe('organizations and validation', () => {
  it('creates an organization (201) and refuses a duplicate slug (409)', async () => {
    const res = await app.request('/api/v1/organizations', json({ name: '東京ひかり病院', slug: 'hikari' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: '東京ひかり病院', slug: 'hikari', isDemo: false });
    const dup = await app.request('/api/v1/organizations', json({ name: 'x', slug: 'hikari' }));
    expect(dup.status).toBe(409);
  });

  it('names the field that is wrong', async () => {
    const bad = await app.request('/api/v1/organizations', json({ name: '', slug: 'Bad Slug!' }));
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toContain('name');
    const unknown = await app.request('/api/v1/organizations', json({ name: 'a', slug: 'a', admin: true }));
    expect((await unknown.json()).error.message).toContain('"admin"');
  });

  it('refuses a non-JSON body (415), broken JSON (400) and an oversized body (413)', async () => {
    const form = await app.request('/api/v1/organizations', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(form.status).toBe(415);
    const broken = await app.request('/api/v1/organizations', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.status).toBe(400);
    const big = await app.request('/api/v1/organizations', json({ name: 'x'.repeat(2 * 1024 * 1024), slug: 'big' }));
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('payload_too_large');
  });

  it('answers unknown routes and ids with JSON 404s', async () => {
    const res = await app.request('/api/v1/nothing-here', { headers: auth() });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
    expect((await app.request('/api/v1/organizations/999999', { headers: auth() })).status).toBe(404);
    expect((await app.request('/api/v1/organizations/abc', { headers: auth() })).status).toBe(400);
  });
});

describe('watch targets and sources', () => {
  it('adds a watch target and a source; bad schedules and embedded secrets are refused', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const wt = await app.request(
      `/api/v1/organizations/${org.id}/watch-targets`,
      json({ name: 'みどり歯科', names: ['みどり歯科', 'みどりデンタル'], exclusions: ['みどり歯科 大阪'] }),
    );
    expect(wt.status).toBe(201);
    const src = await app.request(`/api/v1/organizations/${org.id}/sources`, json({ type: 'demo', name: 'demo', config: { seed: 3 } }));
    expect(src.status).toBe(201);
    const created = await src.json();
    expect(created).toMatchObject({ type: 'demo', enabled: true, health: 'unknown' });
    const badCron = await app.request(
      `/api/v1/organizations/${org.id}/sources`,
      json({ type: 'demo', name: 'd', schedule: 'every minute' }),
    );
    expect(badCron.status).toBe(400);
    expect((await badCron.json()).error.message).toContain('cron');
    const badType = await app.request(`/api/v1/organizations/${org.id}/sources`, json({ type: 'myspace', name: 'd' }));
    expect(badType.status).toBe(400);
    const disabled = await app.request(`/api/v1/organizations/${org.id}/sources/${created.id}`, {
      method: 'PATCH',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(await disabled.json()).toMatchObject({ enabled: false });
    const other = await makeOrg(ctx);
    // A source is only reachable under its own organization.
    expect((await app.request(`/api/v1/organizations/${other.org.id}/sources/${created.id}`, { headers: auth() })).status).toBe(404);
  });

  it('changes and removes a watch target: the list drops it, another organisation cannot touch it, a removed one is gone', async () => {
    const { org, target } = await makeOrg(ctx);
    await signIn(org.id);
    const path = `/api/v1/organizations/${org.id}/watch-targets/${target.id}`;
    const send = (method: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { ...auth(), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const changed = await send('PATCH', { keywords: ['院長'], handles: { x: 'test_clinic' } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      name: 'テスト内科',
      names: ['テスト内科', 'テストクリニック'],
      keywords: ['院長'],
      handles: { x: 'test_clinic' },
    });
    expect((await send('PATCH', { keywords: ['x'.repeat(201)] })).status).toBe(400);
    expect((await send('PATCH', { colour: 'red' })).status).toBe(400);
    const other = await makeOrg(ctx);
    const foreign = await app.request(`/api/v1/organizations/${other.org.id}/watch-targets/${target.id}`, {
      method: 'DELETE',
      headers: auth(),
    });
    expect(foreign.status).toBe(404);
    // An open alert of the target: detection stops stepping it, so removing the target closes it.
    const [alert] = await ctx.sql<{ id: string }[]>`
      insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${org.id}, ${target.id}, 'e1', 'notice', 'open', 2, 0.5, now() - interval '1 hour', now(), 'お知らせ', '{}'::jsonb)
      returning id`;
    expect((await send('DELETE')).status).toBe(204);
    const [closed] = await ctx.sql<{ status: string }[]>`select status from alerts where id = ${alert!.id}`;
    expect(closed!.status).toBe('closed');
    const events = await ctx.sql<
      { action: string; notify: boolean }[]
    >`select action, notify from alert_events where alert_id = ${alert!.id}`;
    expect(events).toEqual([{ action: 'close', notify: false }]);
    expect((await send('DELETE')).status).toBe(404);
    expect((await send('PATCH', { name: 'x' })).status).toBe(404);
    const list = await (await app.request(`/api/v1/organizations/${org.id}/watch-targets`, { headers: auth() })).json();
    expect(list.items).toEqual([]);
  });
});

describe('mentions', () => {
  it('lists newest first with filters and cursor pagination, and counts per bucket', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const src = await makeSource(ctx, org.id);
    const analyzer = stubAnalyzer('t', (text: string) => ({
      sentiment: { label: text.includes('最悪') ? ('negative' as const) : ('neutral' as const), score: 0 },
      risks: [],
      pii: [],
      terms: [],
    }));
    const items = Array.from({ length: 25 }, (_, i) =>
      mentionFixture(i, { text: i % 5 === 0 ? `最悪 <script>alert(${i})</script>` : `普通 ${i}` }),
    );
    await ingest(
      { sql: ctx.sql, analyzer, detection: null, limits: defaultIngestLimits, now: () => new Date(), log: logger },
      { orgId: org.id, sourceId: src.id, mentions: items },
    );

    const page1 = await (await app.request(`/api/v1/organizations/${org.id}/mentions?limit=10`, { headers: auth() })).json();
    expect(page1.items).toHaveLength(10);
    expect(page1.items[0].externalId).toBe('m-24');
    const page2 = await (
      await app.request(`/api/v1/organizations/${org.id}/mentions?limit=10&cursor=${page1.nextCursor}`, { headers: auth() })
    ).json();
    const page3 = await (
      await app.request(`/api/v1/organizations/${org.id}/mentions?limit=10&cursor=${page2.nextCursor}`, { headers: auth() })
    ).json();
    expect(page3.nextCursor).toBeNull();
    const ids = [...page1.items, ...page2.items, ...page3.items].map((m: { externalId: string }) => m.externalId);
    expect(new Set(ids).size).toBe(25);

    const neg = await (await app.request(`/api/v1/organizations/${org.id}/mentions?sentiment=negative`, { headers: auth() })).json();
    expect(neg.items.map((m: { externalId: string }) => m.externalId)).toEqual(['m-20', 'm-15', 'm-10', 'm-5', 'm-0']);
    // Search needs the analyzer that split the posts (test/integration/mentions-feed.test.ts has the real one).
    const searching = createApp({ ...ctx, analyzer });
    const q = await (
      await searching.request(`/api/v1/organizations/${org.id}/mentions?q=${encodeURIComponent('普通 12')}`, { headers: auth() })
    ).json();
    expect(q.items.map((m: { text: string }) => m.text)).toEqual(['普通 12']);
    expect((await app.request(`/api/v1/organizations/${org.id}/mentions?q=x`, { headers: auth() })).status).toBe(503);
    const ranged = await (
      await app.request(`/api/v1/organizations/${org.id}/mentions?from=2026-11-01T00:05:00Z&to=2026-11-01T00:10:00Z`, { headers: auth() })
    ).json();
    expect(ranged.items.map((m: { externalId: string }) => m.externalId)).toEqual(['m-9', 'm-8', 'm-7', 'm-6', 'm-5']);
    expect((await app.request(`/api/v1/organizations/${org.id}/mentions?sentiment=angry`, { headers: auth() })).status).toBe(400);
    expect((await app.request(`/api/v1/organizations/${org.id}/mentions?cursor=bogus`, { headers: auth() })).status).toBe(400);
    expect((await app.request(`/api/v1/organizations/${org.id}/mentions?orgId=1`, { headers: auth() })).status).toBe(400);

    const counts = await (
      await app.request(`/api/v1/organizations/${org.id}/mention-counts?from=2026-11-01T00:00:00Z&to=2026-11-01T01:00:00Z&bucket=15m`, {
        headers: auth(),
      })
    ).json();
    expect(counts.items.map((b: { total: number }) => b.total)).toEqual([15, 10, 0, 0]);
    expect(counts.items.map((b: { negative: number }) => b.negative)).toEqual([3, 2, 0, 0]);
  });
});

describe('emerging terms', () => {
  it('lists the terms rising in a window against the windows before it, with counts', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const src = await makeSource(ctx, org.id);
    const analyzer = stubAnalyzer('t', (text: string) => ({
      sentiment: { label: 'neutral' as const, score: 0 },
      risks: [],
      pii: [],
      terms: text.split(' '),
    }));
    const hour = Date.parse('2026-11-20T00:00:00Z');
    const mentions = [];
    let i = 0;
    // Seven quiet hours: 受付 once an hour, 駐車場 now and then.
    for (let h = 0; h < 7; h++) {
      mentions.push(mentionFixture(i++, { text: '受付 予約', postedAt: new Date(hour + h * 3_600_000 + 60_000) }));
      if (h % 3 === 0) mentions.push(mentionFixture(i++, { text: '駐車場', postedAt: new Date(hour + h * 3_600_000 + 120_000) }));
    }
    // The eighth hour: 受付 everywhere, 駐車場 twice.
    for (let k = 0; k < 15; k++)
      mentions.push(mentionFixture(i++, { text: '受付 態度', postedAt: new Date(hour + 7 * 3_600_000 + k * 60_000) }));
    for (let k = 0; k < 2; k++)
      mentions.push(mentionFixture(i++, { text: '駐車場', postedAt: new Date(hour + 7 * 3_600_000 + 30 * 60_000 + k) }));
    await ingest(
      { sql: ctx.sql, analyzer, detection: null, limits: defaultIngestLimits, now: () => new Date(), log: logger },
      { orgId: org.id, sourceId: src.id, mentions },
    );
    const from = new Date(hour + 7 * 3_600_000).toISOString();
    const to = new Date(hour + 8 * 3_600_000).toISOString();
    const res = await app.request(`/api/v1/organizations/${org.id}/emerging-terms?from=${from}&to=${to}`, { headers: auth() });
    expect(res.status).toBe(200);
    const body = await res.json();
    const terms = body.items.map((t: { term: string }) => t.term);
    expect(terms).toContain('受付');
    expect(terms).toContain('態度');
    expect(terms).not.toContain('駐車場');
    expect(body.items.find((t: { term: string }) => t.term === '受付')).toMatchObject({ count: 15, baselineMean: 1 });
    expect((await app.request(`/api/v1/organizations/${org.id}/emerging-terms?from=${to}&to=${from}`, { headers: auth() })).status).toBe(
      400,
    );
  });
});

describe('detection settings', () => {
  it("reads and changes the organization's sensitivity, validated and audited", async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const url = `/api/v1/organizations/${org.id}/detection`;
    expect(await (await app.request(url, { headers: auth() })).json()).toEqual({ sensitivity: 'balanced' });
    const patch = (body: unknown) =>
      app.request(url, { method: 'PATCH', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ sensitivity: 'fewer' })).status).toBe(200);
    expect(await (await app.request(url, { headers: auth() })).json()).toEqual({ sensitivity: 'fewer' });
    const bad = await patch({ sensitivity: 'paranoid' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('sensitivity');
    const audit = await ctx.sql`select before, after from audit_log where chain = ${org.id} and action = 'detection.configure'`;
    expect(audit).toEqual([{ before: { sensitivity: 'balanced' }, after: { sensitivity: 'fewer' } }]);
    const { detectionSettingsFor } = await import('../../src/detection-pass/run-detection.ts');
    expect((await detectionSettingsFor(ctx.sql, org.id)).sensitivity).toBe('fewer');
  });
});
