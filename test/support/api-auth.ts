import { rotateApiToken } from '../../src/auth/api-token.ts';
import { systemActor } from '../../src/audit/record.ts';
import type { AppContext } from '../../src/context.ts';

export type TestRole = 'pr_staff' | 'oncall_manager' | 'director' | 'admin';

/**
 * Headers that authenticate an API request in tests as someone with `role` in `orgId`.
 * Route tests use this instead of building credentials themselves, so the way the API
 * authenticates can change in one place.
 */
export async function authHeaders(ctx: AppContext, _opts: { orgId?: string; role?: TestRole } = {}): Promise<Record<string, string>> {
  const token = await rotateApiToken(ctx, systemActor);
  return { authorization: `Bearer ${token}` };
}
