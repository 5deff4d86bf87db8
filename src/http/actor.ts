import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AuditActor } from '../audit/record.ts';
import type { Auth } from '../access/auth.ts';
import { UnauthorizedError } from '../errors.ts';
import type { AppEnv } from './env.ts';

// Who is asking, per request: the authenticated user the auth middleware attached, the client
// address, and the audit actor verbs record.

export function setRequestAuth(c: Context<AppEnv>, auth: Auth): void {
  c.set('auth', auth);
}

/** The authenticated caller, or null on a public route. */
export function maybeRequestAuth(c: Context<AppEnv>): Auth | null {
  return c.get('auth') ?? null;
}

/** The authenticated caller of an /api request: user, org, role, session or token, scopes. */
export function requestAuth(c: Context<AppEnv>): Auth {
  const auth = maybeRequestAuth(c);
  // The middleware in src/server/app.ts authenticates every non-public /api route before its handler.
  if (!auth) throw new UnauthorizedError();
  return auth;
}

/**
 * The client's address: the socket's peer, or — with HINOKO_TRUST_PROXY behind a reverse proxy —
 * the last X-Forwarded-For entry, the one our proxy appended (earlier entries are client-supplied).
 */
export function resolveSourceIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1);
    if (forwarded && forwarded.length <= 64) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // Requests made in-process (tests, app.request) have no socket.
    return null;
  }
}

export function setRequestSourceIp(c: Context<AppEnv>, ip: string | null): void {
  c.set('sourceIp', ip);
}

export function requestSourceIp(c: Context<AppEnv>): string | null {
  // Unset when a handler runs outside createApp's middleware (a bare sub-app in a test).
  const set = c.get('sourceIp') as string | null | undefined;
  return set === undefined ? resolveSourceIp(c, false) : set;
}

/** The audit actor of a request: the user (id as a string), its request id and peer address. */
export function requestActor(c: Context<AppEnv>): AuditActor {
  const auth = maybeRequestAuth(c);
  return { type: 'user', id: auth?.userId ?? null, requestId: requestIdOf(c), sourceIp: requestSourceIp(c) };
}

/** The request id the first middleware set (null only outside createApp, e.g. a bare sub-app in a test). */
export function requestIdOf(c: Context<AppEnv>): string | null {
  return (c.get('requestId') as string | undefined) ?? null;
}
