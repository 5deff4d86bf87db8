import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../context.ts';
import { requestActor, requestAuth, requestIdOf, requestSourceIp } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { pathId, queryOf, readJson } from '../http/params.ts';
import { createUser } from './create-user.ts';
import { secretHash, sessionCookie } from './credentials.ts';
import { ForbiddenError, RateLimitedError } from './errors.ts';
import { login, logout, parseLoginInput, type LoginInput } from './login.ts';
import { requireRecentLogin } from './recent-login.ts';
import { parsePasswordInput, setPassword } from './set-password.ts';
import { updateUser } from './update-user.ts';
import { assertSelfOrAdmin, createUserToken, listUserTokens, parseNewTokenInput, revokeUserToken } from './user-tokens.ts';
import { getUser, listUsers, parseNewUserInput, parseUserPatch } from './users.ts';

// /api/v1/auth (login, logout, me) and the users and tokens routes. Thin: parse, one verb, map.

/** Secure when the request or the configured public URL (a TLS-terminating proxy in front) is https. */
function sessionCookieOptions(c: Context, ctx: AppContext) {
  const secure = new URL(c.req.url).protocol === 'https:' || ctx.config.mail.publicUrl.startsWith('https:');
  return { httpOnly: true, sameSite: 'Strict' as const, path: '/', secure, maxAge: Math.floor(ctx.config.auth.sessionMaxMs / 1000) };
}

/** Login for the web page and the API: the same verb, throttling and audit. */
export async function loginWithCookie(ctx: AppContext, c: Context, input: LoginInput) {
  try {
    const previous = getCookie(c, sessionCookie);
    const result = await login(ctx, input, { requestId: requestIdOf(c), sourceIp: requestSourceIp(c) });
    // A cookie the browser brought along is never promoted (no fixation): the session is new and the old one ends.
    if (previous && previous.length <= 200) await ctx.sql`delete from sessions where id_hash = ${secretHash(previous)}`;
    setCookie(c, sessionCookie, result.session.id, sessionCookieOptions(c, ctx));
    return result;
  } catch (err) {
    if (err instanceof RateLimitedError) c.header('retry-after', String(err.retryAfterSeconds));
    throw err;
  }
}

/** Login, logout, who am I; users and their tokens under /api/v1. Thin: parse, one verb, map. */
export function authRoutes(ctx: AppContext) {
  const r = new Hono<AppEnv>();
  const users = '/organizations/:orgId/users';

  r.post('/auth/login', async (c) => {
    const input = parseLoginInput(await readJson(c));
    const { user, session } = await loginWithCookie(ctx, c, input);
    return c.json({ user, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });
  r.post('/auth/logout', async (c) => {
    await logout(ctx, requestAuth(c), requestActor(c));
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.body(null, 204);
  });
  r.get('/auth/me', async (c) => {
    const auth = requestAuth(c);
    return c.json({ user: await getUser(ctx.sql, auth.orgId, auth.userId), via: auth.via, scopes: auth.scopes, csrfToken: auth.csrfToken ?? null });
  });

  r.get(users, async (c) => {
    queryOf(c, []);
    return c.json({ items: await listUsers(ctx.sql, pathId(c, 'orgId')) });
  });
  r.post(users, async (c) => {
    const input = parseNewUserInput(await readJson(c));
    requireRecentLogin(ctx, requestAuth(c));
    const result = await createUser(ctx, pathId(c, 'orgId'), input, requestActor(c));
    return c.json({ ...result.user, ...(result.initialPassword ? { initialPassword: result.initialPassword } : {}) }, 201);
  });
  r.get(`${users}/:userId`, async (c) => c.json(await getUser(ctx.sql, pathId(c, 'orgId'), pathId(c, 'userId'))));
  r.patch(`${users}/:userId`, async (c) =>
    c.json(await updateUser(ctx, pathId(c, 'orgId'), pathId(c, 'userId'), parseUserPatch(await readJson(c)), requestActor(c))));
  r.post(`${users}/:userId/password`, async (c) => {
    const orgId = pathId(c, 'orgId');
    const userId = pathId(c, 'userId');
    assertSelfOrAdmin(requestAuth(c), userId);
    const result = await setPassword(ctx, requestAuth(c), orgId, userId, parsePasswordInput(await readJson(c)), requestActor(c));
    return c.json({ ok: true, ...result });
  });

  r.get(`${users}/:userId/tokens`, async (c) => {
    const userId = pathId(c, 'userId');
    assertSelfOrAdmin(requestAuth(c), userId);
    return c.json({ items: await listUserTokens(ctx.sql, pathId(c, 'orgId'), userId) });
  });
  r.post(`${users}/:userId/tokens`, async (c) => {
    const userId = pathId(c, 'userId');
    assertSelfOrAdmin(requestAuth(c), userId);
    const input = parseNewTokenInput(await readJson(c), ctx.now());
    const auth = requestAuth(c);
    // A token cannot mint a wider one than itself.
    if (auth.via === 'token' && input.scopes.some((s) => !auth.scopes.includes(s))) throw new ForbiddenError('トークンより広いスコープのトークンは発行できません (a token cannot issue scopes it does not have)');
    const { token, info } = await createUserToken(ctx, pathId(c, 'orgId'), userId, input, requestActor(c));
    return c.json({ ...info, token }, 201);
  });
  r.delete(`${users}/:userId/tokens/:tokenId`, async (c) => {
    const userId = pathId(c, 'userId');
    assertSelfOrAdmin(requestAuth(c), userId);
    await revokeUserToken(ctx, pathId(c, 'orgId'), userId, pathId(c, 'tokenId'), requestActor(c));
    return c.body(null, 204);
  });
  return r;
}
