import type { Auth } from '../access/auth.ts';
import { ForbiddenError } from './errors.ts';
import { roleAllows, scopeAllows, type Action } from '../access/permissions.ts';

/** Whether the caller's role — and, for a token, its scopes — allow an action of the table. */
export function may(auth: Auth, action: Action): boolean {
  return roleAllows(auth.role, action) && (auth.via !== 'token' || scopeAllows(auth.scopes, action));
}

/** For checks inside a route beyond its own action (e.g. revealing PII on a read): 403 unless allowed. */
export function authorize(auth: Auth, action: Action, message?: string): void {
  if (!may(auth, action)) throw new ForbiddenError(message);
}
