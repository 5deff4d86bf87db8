import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { printCss } from '../../src/postmortems/render.ts';
import { addSource } from '../../src/collection/sources.ts';
import { createApp } from '../../src/server/app.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 11 item 7.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('CSP forbids framing, foreign form targets and <base>; answers are not cached', async () => {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx);
  const app = createApp(ctx);
  for (const path of ['/', '/login', '/healthz', `/api/v1/organizations/${org.id}/mentions`, '/api/v1/nowhere']) {
    const res = await app.request(path, { headers: await authHeaders(ctx, { orgId: org.id }) });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("form-action 'self'");
    expect(csp, path).toContain("base-uri 'none'");
    expect(res.headers.get('cache-control'), path).toMatch(/no-store/);
    // No inline script or style anywhere; the post-mortem print page's stylesheet is allowed by its hash only.
    expect(csp, path).not.toContain('unsafe-inline');
    expect(csp, path).toContain(`style-src 'self' 'sha256-${createHash('sha256').update(printCss).digest('base64')}'`);
    expect(csp, path).toContain("script-src 'self'");
  }
});

it('JSON escapes <, > and & so a post can never be read as markup, and parses back to the same text', async () => {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  const text = 'テスト内科 <script>alert("x")</script> & <img src=x onerror=alert(1)>';
  await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(1, { text })] });
  const res = await createApp(ctx).request(`/api/v1/organizations/${org.id}/mentions?revealPii=true`, {
    headers: await authHeaders(ctx, { orgId: org.id, role: 'admin' }),
  });
  const raw = await res.text();
  expect(raw).not.toMatch(/[<>&]/);
  expect(raw).toContain('\\u003cscript\\u003e');
  expect(JSON.parse(raw).items[0].text).toBe(text);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  // c.json escapes as it writes; JSON made another way is escaped on its way out, status and headers kept.
  const app = createApp(ctx);
  app.get(
    '/raw-json',
    () => new Response('{"a":"<b>&</b>"}', { status: 202, headers: { 'content-type': 'application/json', 'x-kept': '1' } }),
  );
  app.get('/json-init', (c) => c.json({ a: '<i>' }, { status: 201, headers: { 'x-kept': '2' } }));
  const made = await app.request('/raw-json');
  expect([made.status, made.headers.get('x-kept'), await made.text()]).toEqual([
    202,
    '1',
    '{"a":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}',
  ]);
  const init = await app.request('/json-init');
  expect([init.status, init.headers.get('x-kept'), init.headers.get('content-type'), await init.text()]).toEqual([
    201,
    '2',
    'application/json',
    '{"a":"\\u003ci\\u003e"}',
  ]);
});

it('webhook refusals carry the request id and the code that matches their status', async () => {
  const ctx = testContext(db);
  const { org } = await makeOrg(ctx);
  const fb = await addSource(ctx, {
    orgId: org.id,
    type: 'facebook',
    name: 'FB',
    config: { pageId: '1234567890' },
    credentials: { accessToken: 'graph-test-token', appSecret: 'app-secret', verifyToken: 'verify-me' },
  });
  const app = createApp(ctx);
  const wrongVerify = await app.request(`/webhooks/${fb.id}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=123`, {
    headers: { 'x-request-id': 'req-fb-1' },
  });
  expect(wrongVerify.status).toBe(403);
  expect(await wrongVerify.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String), requestId: 'req-fb-1' } });
  const unsigned = await app.request(`/webhooks/${fb.id}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  expect(unsigned.status).toBe(401);
  const body = await unsigned.json();
  expect(body.error.code).toBe('unauthorized');
  expect(body.error.requestId).toBe(unsigned.headers.get('x-request-id'));
});
