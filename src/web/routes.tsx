/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { verifyApiToken } from '../auth/api-token.ts';
import type { AppContext } from '../context.ts';
import { countMentions, listMentions } from '../mentions/queries.ts';
import { listOrganizations } from '../organizations/organizations.ts';
import { DashboardPage, EmptyPage, LoginPage } from './views.tsx';

export const SESSION_COOKIE = 'hinoko_token';

/**
 * Cookie-authenticated writes (login, logout) must come from our own pages. Browsers say so in
 * Sec-Fetch-Site; older ones in Origin (which is "null" under a no-referrer policy, so it alone
 * cannot be trusted to be present). A request with neither did not come from a browser page.
 */
function sameOrigin(req: Request): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = req.headers.get('origin');
  if (origin && origin !== 'null') return origin === new URL(req.url).origin;
  return origin === null;
}

export function webRoutes(ctx: AppContext) {
  const web = new Hono();

  web.get('/', async (c) => {
    if (!(await verifyApiToken(ctx, getCookie(c, SESSION_COOKIE)))) return c.html(<LoginPage />);
    const orgs = await listOrganizations(ctx.db);
    if (orgs.length === 0) return c.html(<EmptyPage />);
    const wanted = c.req.query('org');
    const org = orgs.find((o) => o.id === wanted) ?? orgs[0]!;
    const now = ctx.now();
    const [buckets, page] = await Promise.all([
      countMentions(ctx.sql, { orgId: org.id, from: new Date(now.getTime() - 24 * 3_600_000), to: now, bucket: '15m' }),
      listMentions(ctx.sql, { orgId: org.id, limit: 50 }),
    ]);
    return c.html(<DashboardPage orgs={orgs} org={org} buckets={buckets} mentions={page.items} now={now} />);
  });

  web.post('/login', async (c) => {
    if (!sameOrigin(c.req.raw)) return c.html(<LoginPage error="不正なリクエストです (cross-site request refused)" />, 403);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    if (!(await verifyApiToken(ctx, token))) return c.html(<LoginPage error="トークンが正しくありません (invalid token)" />, 401);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:', maxAge: 7 * 24 * 3600,
    });
    return c.redirect('/', 303);
  });

  web.post('/logout', (c) => {
    if (!sameOrigin(c.req.raw)) return c.text('cross-site request refused', 403);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  return web;
}
