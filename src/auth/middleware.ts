import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { setRequestAuth } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { errorBody } from '../http/errors.ts';
import { sessionAuth, sessionCookie, tokenAuth } from './credentials.ts';
import { csrfPasses } from './csrf.ts';
import { ForbiddenError } from './errors.ts';
import { authorize } from './authorize.ts';
import { publicAction, roleAllows, type Action } from '../access/permissions.ts';

export function bearerToken(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/** The route a request matched, as registered ('/api/v1/organizations/:orgId/…'), or null for none. */
export function matchedRouteKey(c: Context<AppEnv>): string | null {
  // HEAD is served by the GET handler.
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const route = matchedRoutes(c).find((r) => r.method === method);
  return route ? `${method} ${route.path}` : null;
}

const orgPath = /^\/api\/v1\/organizations\/([1-9]\d{0,17})(?:\/|$)/;

/**
 * Authorises every /api request against the one table (src/access/permissions.ts): matched route →
 * action (`routeActions`, derived from the route definitions in src/server/api.ts); public actions pass; otherwise a session cookie or a bearer token must name a live user,
 * another organization's path is 404 (its existence is not revealed), cookie writes need the CSRF
 * token, and the role (and a token's scopes) must allow the action. A route missing from the
 * table is refused for everyone: fail closed.
 */
export function authorizeApi(
  ctx: AppContext,
  routeActions: Readonly<Record<string, Action | typeof publicAction>>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = matchedRouteKey(c);
    const action = key ? routeActions[key] : undefined;
    if (action === publicAction) return next();

    const bearer = bearerToken(c.req.header('authorization'));
    const auth = bearer !== null ? await tokenAuth(ctx, bearer) : await sessionAuth(ctx, getCookie(c, sessionCookie));
    if (!auth) {
      c.header('www-authenticate', 'Bearer realm="hinoko"');
      return c.json(
        errorBody(
          'unauthorized',
          'ログインするか、API トークン (Authorization: Bearer …) を指定してください (log in or send a valid API token)',
          c.get('requestId'),
        ),
        401,
      );
    }
    setRequestAuth(c, auth);
    if (key === null) return next(); // no such route: the 404 handler answers

    const org = orgPath.exec(c.req.path);
    if (org && key.includes(' /api/v1/organizations/:orgId') && org[1] !== auth.orgId) throw new NotFoundError('organization not found');
    if (action === undefined) {
      ctx.log.error({ route: key }, 'route missing from the permission table (src/access/permissions.ts); refused');
      throw new ForbiddenError('この API は権限表に登録されていません (route not in the permission table)');
    }
    if (!csrfPasses(c.req.raw, auth, c.req.header('x-csrf-token'), ctx.config.mail.publicUrl)) {
      throw new ForbiddenError('CSRF トークンがないか、別のサイトからのリクエストです (missing x-csrf-token or cross-site request)');
    }
    if (!roleAllows(auth.role, action)) throw new ForbiddenError();
    authorize(auth, action, `このトークンには ${action} に必要なスコープがありません (token scope does not allow ${action})`);
    await next();
  };
}
