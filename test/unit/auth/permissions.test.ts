import { describe, expect, it } from 'vitest';
import { actions, publicAction, roleAllows, roles, scopeAllows, tokenScopes, type Action } from '../../../src/access/permissions.ts';
import { routeActions } from '../../../src/server/api.ts';

describe('the role × action table', () => {
  it('roles are cumulative: whatever a role may do, every higher role may too', () => {
    for (const action of Object.keys(actions) as Action[]) {
      const allowed = roles.map((r) => roleAllows(r, action));
      expect(allowed.indexOf(true) === -1 || allowed.slice(allowed.indexOf(true)).every(Boolean), action).toBe(true);
    }
  });

  it('gives each role what the brief says, and no more where it matters', () => {
    expect(roleAllows('pr_staff', 'mentions.read')).toBe(true);
    expect(roleAllows('pr_staff', 'incidents.work')).toBe(true);
    expect(roleAllows('pr_staff', 'incidents.manage')).toBe(false);
    expect(roleAllows('pr_staff', 'statements.approve')).toBe(false);
    expect(roleAllows('oncall_manager', 'statements.approve')).toBe(true);
    expect(roleAllows('oncall_manager', 'postmortems.approve')).toBe(false);
    expect(roleAllows('director', 'postmortems.approve')).toBe(true);
    expect(roleAllows('director', 'users.manage')).toBe(false);
    expect(roleAllows('admin', 'users.manage')).toBe(true);
  });

  it('routes are keyed "METHOD /api/v1/…" and name a real action or public', () => {
    for (const [key, action] of Object.entries(routeActions)) {
      expect(key).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/api\/v1\//);
      expect(action === publicAction || action in actions, key).toBe(true);
    }
    expect(Object.values(routeActions).filter((a) => a === publicAction).length).toBeLessThanOrEqual(4);
  });

  it('token scopes only narrow', () => {
    expect(scopeAllows(['read'], 'mentions.read')).toBe(true);
    expect(scopeAllows(['read'], 'incidents.work')).toBe(false);
    expect(scopeAllows(['read'], 'account.self')).toBe(true);
    expect(scopeAllows([...tokenScopes], 'users.manage')).toBe(true);
  });
});
