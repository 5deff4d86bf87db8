import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, publicAction, roleAllows, roles, type Role } from '../../src/access/permissions.ts';
import { routeActions } from '../../src/server/api.ts';
import { secretHash, tokenPrefix, newSecret } from '../../src/auth/credentials.ts';
import { createApp } from '../../src/server/app.ts';
import { createSession } from '../../src/auth/credentials.ts';
import { definePage, registerPages } from '../../src/web/page.tsx';
import { webPages } from '../../src/web/routes.tsx';
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/env.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { testToken } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// GENERATED from the app itself: every route the app registers under /api, sent by every role,
// must answer 403 exactly when the one table (src/access/permissions.ts) forbids it — and never
// 401/403 when it allows it (validation errors and 404s for the made-up ids are fine).

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
let orgId: string;
const callers = {} as Record<Role, { token: string; userId: string }>;

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
  app = createApp(ctx);
  orgId = (await makeOrg(ctx)).org.id;
  for (const role of roles) callers[role] = await testToken(ctx, { orgId, role });
});
afterAll(async () => {
  await db.drop();
});

const registered = () => {
  const keys = new Set<string>();
  for (const r of app.routes) if (r.method !== 'ALL' && r.path.startsWith('/api/')) keys.add(`${r.method} ${r.path}`);
  return [...keys].sort();
};

/**
 * A concrete URL for a registered path: the caller's org and own user id, and an id nothing has
 * for every other parameter (so an allowed DELETE cannot remove the callers' own tokens).
 */
const urlFor = (path: string, userId: string) =>
  path.replace(/:([A-Za-z]\w*)/g, (_, name: string) => (name === 'orgId' ? orgId : name === 'userId' ? userId : '999999999'));

const send = (key: string, token: string, userId: string) => {
  const [method, path] = key.split(' ') as [string, string];
  return app.request(urlFor(path, userId), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
  });
};

describe('the role × route matrix', () => {
  it('lists every registered /api route in the permission table, and nothing the app does not serve', () => {
    const served = registered();
    expect(served.length).toBeGreaterThan(40);
    expect(served.filter((k) => !(k in routeActions))).toEqual([]);
    expect(Object.keys(routeActions).filter((k) => !served.includes(k))).toEqual([]);
  });

  it('every role gets 403 exactly where the table forbids the route', async () => {
    const wrong: string[] = [];
    for (const key of registered()) {
      const action = routeActions[key];
      if (action === undefined) continue; // reported by the test above
      for (const role of roles) {
        const res = await send(key, callers[role].token, callers[role].userId);
        const allowed = action === publicAction || roleAllows(role, action);
        const ok = allowed ? res.status !== 401 && res.status !== 403 : res.status === 403;
        if (!ok) wrong.push(`${role} ${key} → ${res.status} (table: ${allowed ? 'allowed' : 'forbidden'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a token gets 403 where its scopes do not cover the action, whatever its role allows', async () => {
    const admin = callers.admin;
    const readOnly = `${tokenPrefix}${newSecret()}`;
    await ctx.sql`insert into user_tokens (org_id, user_id, label, token_hash, scopes, created_at) values (${orgId}, ${admin.userId}, 'read only', ${secretHash(readOnly)}, ${['read']}, now())`;
    const wrong: string[] = [];
    for (const key of registered()) {
      const action = routeActions[key];
      if (action === undefined || action === publicAction) continue;
      const scope = actions[action].scope;
      const allowed = scope === null || scope === 'read';
      const res = await send(key, readOnly, admin.userId);
      if (allowed ? res.status === 401 || res.status === 403 : res.status !== 403) wrong.push(`${key} → ${res.status} (scope ${scope})`);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses (fail closed) a route that is registered but missing from the table', async () => {
    const extra = createApp(ctx);
    extra.get('/api/v1/organizations/:orgId/unlisted', (c) => c.json({ leaked: true }));
    const res = await extra.request(`/api/v1/organizations/${orgId}/unlisted`, {
      headers: { authorization: `Bearer ${callers.admin.token}` },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it("another organization's paths are 404 for every role, whatever the route", async () => {
    const other = (await makeOrg(ctx)).org.id;
    const wrong: string[] = [];
    for (const key of registered().filter((k) => k.includes('/organizations/:orgId'))) {
      const [method, path] = key.split(' ') as [string, string];
      for (const role of roles) {
        const url = urlFor(path, callers[role].userId).replace(`/organizations/${orgId}`, `/organizations/${other}`);
        const res = await app.request(url, {
          method,
          headers: { authorization: `Bearer ${callers[role].token}`, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        if (res.status !== 404) wrong.push(`${role} ${key} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the role × page matrix', () => {
  // Pages sit outside /api: they are declared in src/web/routes.tsx with an action of the same table.
  const outsideThePages = /^\/(api|assets|webhooks|ack)\/|^\/(healthz|metrics|login|logout|favicon\.ico)$/;
  const pageKeys = () => {
    const keys = new Set<string>();
    for (const r of app.routes) if (r.method !== 'ALL' && !outsideThePages.test(r.path)) keys.add(`${r.method} ${r.path}`);
    return [...keys].sort();
  };
  const declared = webPages.map((p) => `${p.method.toUpperCase()} ${p.path}`).sort();
  const cookies = {} as Record<Role, string>;
  const csrf = {} as Record<Role, string>;
  beforeAll(async () => {
    for (const role of roles) {
      const session = await ctx.sql.begin((tx) => createSession(tx, ctx, { id: callers[role].userId, orgId }, new Date(), null));
      cookies[role] = `hinoko_session=${session.id}`;
      csrf[role] = session.csrfToken;
    }
  });
  // Made-up ids, except the caller's own user id on pages of their own credentials
  // (account.credentials is "own, or anyone's for an admin"), as urlFor does for the API.
  const pageUrl = (path: string, role?: Role, action?: string) =>
    path.replace(/:([A-Za-z]\w*)/g, (_, name: string) =>
      name === 'userId' && role && action === 'account.credentials' ? callers[role].userId : '999999999',
    );

  it('serves exactly the declared pages', () => {
    expect(pageKeys()).toEqual(declared);
    expect(declared.length).toBeGreaterThan(1);
  });

  it('every role opens a page exactly where the table allows it; without a session, the login page and back', async () => {
    const wrong: string[] = [];
    for (const page of webPages.filter((p) => p.method === 'get')) {
      for (const role of roles) {
        const res = await app.request(pageUrl(page.path, role, page.action), { headers: { cookie: cookies[role] } });
        const allowed = roleAllows(role, page.action);
        const ok = allowed ? [200, 404].includes(res.status) : res.status === 403;
        if (!ok) wrong.push(`${role} ${page.path} → ${res.status} (table: ${allowed ? 'allowed' : 'forbidden'})`);
      }
      const anonymous = await app.request(pageUrl(page.path));
      if (anonymous.status !== 303 || anonymous.headers.get('location') !== `/login?next=${encodeURIComponent(pageUrl(page.path))}`)
        wrong.push(`anonymous ${page.path} → ${anonymous.status} ${anonymous.headers.get('location')}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every role may post a page form exactly where the table allows it', async () => {
    const wrong: string[] = [];
    for (const page of webPages.filter((p) => p.method === 'post')) {
      for (const role of roles) {
        const res = await app.request(pageUrl(page.path, role, page.action), {
          method: 'POST',
          headers: { cookie: cookies[role], 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
          body: new URLSearchParams({ _csrf: csrf[role] }).toString(),
        });
        const allowed = roleAllows(role, page.action);
        // Allowed: the made-up incident is 404 or the empty form 400 — never 401/403 or a 500.
        const ok = allowed ? [400, 404, 409].includes(res.status) : res.status === 403;
        if (!ok) wrong.push(`${role} POST ${page.path} → ${res.status} (table: ${allowed ? 'allowed' : 'forbidden'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a page of a narrower action answers 403 to the roles outside it, and a post without the CSRF token is refused', async () => {
    const web = new Hono<AppEnv>();
    let ran = 0;
    registerPages(web, ctx, [
      definePage({ method: 'get', path: '/audit-only', action: 'audit.read', handler: () => async (c) => (ran++, c.text('ok')) }),
      definePage({ method: 'post', path: '/write', action: 'incidents.work', handler: () => async (c) => (ran++, c.text('ok')) }),
    ]);
    for (const role of roles) {
      const res = await web.request('/audit-only', { headers: { cookie: cookies[role] } });
      expect(res.status, role).toBe(roleAllows(role, 'audit.read') ? 200 : 403);
    }
    const post = (body: string, site = 'same-origin') =>
      web.request('/write', {
        method: 'POST',
        headers: { cookie: cookies.pr_staff, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': site },
        body,
      });
    const before = ran;
    expect((await post('')).status).toBe(403);
    expect((await post('_csrf=forged')).status).toBe(403);
    expect(ran).toBe(before);
  });

  it('login sends a person back only to a path on this site', async () => {
    const { safeNext } = await import('../../src/web/page.tsx');
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/\u0000x', ' /x', '']) {
      expect(safeNext(evil), JSON.stringify(evil)).toBe('/');
    }
    expect(safeNext('/incidents/12?tab=tasks')).toBe('/incidents/12?tab=tasks');
    const res = await app.request('/login?next=%2F%2Fevil.example', { headers: { cookie: cookies.admin } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });
});
