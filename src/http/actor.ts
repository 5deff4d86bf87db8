import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AuditActor } from '../audit/record.ts';
import type { Auth } from '../auth/credentials.ts';
import { UnauthorizedError } from '../errors.ts';

const authKey = 'auth' as never;

export function setRequestAuth(c: Context, auth: Auth): void {
  c.set(authKey, auth as never);
}

/** The authenticated caller, or null on a public route. */
export function maybeRequestAuth(c: Context): Auth | null {
  return (c.get(authKey) as Auth | undefined) ?? null;
}

/** The authenticated caller of an /api request: user, org, role, session or token, scopes. */
export function requestAuth(c: Context): Auth {
  const auth = maybeRequestAuth(c);
  // The middleware in src/http/app.ts authenticates every non-public /api route before its handler.
  if (!auth) throw new UnauthorizedError();
  return auth;
}

export function requestSourceIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // Requests made in-process (tests, app.request) have no socket.
    return null;
  }
}

/** The audit actor of a request: the user (id as a string), its request id and peer address. */
export function requestActor(c: Context): AuditActor {
  const auth = maybeRequestAuth(c);
  return { type: 'user', id: auth?.userId ?? null, requestId: (c.get('requestId' as never) as string | undefined) ?? null, sourceIp: requestSourceIp(c) };
}
