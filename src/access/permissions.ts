// The ONE role × action table. Every route under /api/v1 names an action in its definition
// (src/http/route.ts); the middleware in src/auth/middleware.ts looks the matched route up and
// refuses (fail closed) what is missing.
// test/integration/route-matrix.test.ts walks every registered route with every role.

export const roles = ['pr_staff', 'oncall_manager', 'director', 'admin'] as const;
export type Role = (typeof roles)[number];

/** The roles as people call them. */
export const roleLabels: Record<Role, string> = {
  pr_staff: '広報担当',
  oncall_manager: '当番責任者',
  director: '院長・理事',
  admin: '管理者',
};

/**
 * What a per-user API token may be allowed to do. A scope only narrows: a token never does more
 * than its user's role allows, whatever scopes it carries.
 */
export const tokenScopes = ['read', 'read_pii', 'write', 'approve', 'manage'] as const;
export type TokenScope = (typeof tokenScopes)[number];

const everyone: readonly Role[] = roles;
const managers: readonly Role[] = ['oncall_manager', 'director', 'admin'];
const directors: readonly Role[] = ['director', 'admin'];
const admins: readonly Role[] = ['admin'];

type ActionRule = { roles: readonly Role[]; scope: TokenScope | null };

/**
 * Actions with the roles that may do them and the token scope they need (null: any token of the
 * user, e.g. reading who you are). Roles are cumulative by design — pr_staff ⊂ oncall_manager ⊂
 * director ⊂ admin — but each row lists them so a reviewer reads one line, not a hierarchy.
 */
export const actions = {
  // platform
  'account.self': { roles: everyone, scope: null },
  'organizations.read': { roles: everyone, scope: 'read' },
  'organizations.create': { roles: admins, scope: 'manage' },
  'settings.read': { roles: everyone, scope: 'read' },
  'settings.manage': { roles: admins, scope: 'manage' },
  'sources.read': { roles: everyone, scope: 'read' },
  'sources.manage': { roles: admins, scope: 'manage' },
  'mentions.read': { roles: everyone, scope: 'read' },
  'mentions.read_pii': { roles: managers, scope: 'read_pii' },
  // Private messages (LINE) are patients writing to the clinic, not posting in public.
  'mentions.read_private': { roles: managers, scope: 'read_pii' },
  // The payload as the platform sent it: every field, unmasked.
  'mentions.read_raw': { roles: admins, scope: 'read_pii' },
  'mentions.triage': { roles: everyone, scope: 'write' },
  'mentions.export': { roles: everyone, scope: 'read' },
  'alerts.read': { roles: everyone, scope: 'read' },
  'alerting.read': { roles: managers, scope: 'read' },
  // Quiet a watch target's notices for a while (never its crises).
  'alerts.mute': { roles: managers, scope: 'write' },
  'audit.read': { roles: admins, scope: 'read' },
  // people
  'users.read': { roles: everyone, scope: 'read' },
  'users.manage': { roles: admins, scope: 'manage' },
  // erasing a person's posts on their request (src/privacy/erase-person.ts)
  'privacy.erase': { roles: admins, scope: 'manage' },
  // running the retention pass now, or counting what it would remove (src/privacy/retention.ts)
  'privacy.retention': { roles: admins, scope: 'manage' },
  // Own tokens and password; the verb also checks that the target user is the caller (or an admin).
  'account.credentials': { roles: everyone, scope: 'manage' },
  // incidents
  'incidents.read': { roles: everyone, scope: 'read' },
  'incidents.work': { roles: everyone, scope: 'write' },
  'incidents.manage': { roles: managers, scope: 'write' },
  'playbooks.read': { roles: everyone, scope: 'read' },
  'playbooks.manage': { roles: directors, scope: 'manage' },
  // statements
  'statements.read': { roles: everyone, scope: 'read' },
  'statements.write': { roles: everyone, scope: 'write' },
  'statements.approve': { roles: managers, scope: 'approve' },
  // the clinic's own posts: anyone drafts and reviews (N colleagues, never the author); overriding a blocking finding is a manager's (approve-post.ts)
  'posts.read': { roles: everyone, scope: 'read' },
  'posts.write': { roles: everyone, scope: 'write' },
  'posts.review': { roles: everyone, scope: 'approve' },
  // oncall
  'oncall.read': { roles: everyone, scope: 'read' },
  'oncall.manage': { roles: managers, scope: 'write' },
  'oncall.acknowledge': { roles: managers, scope: 'write' },
  // postmortems
  'postmortems.read': { roles: everyone, scope: 'read' },
  'postmortems.write': { roles: managers, scope: 'write' },
  'postmortems.approve': { roles: directors, scope: 'approve' },
  'reports.read': { roles: directors, scope: 'read' },
} as const satisfies Record<string, ActionRule>;
export type Action = keyof typeof actions;

/** Reached without credentials (logging in). Everything else needs a session or a token. */
export const publicAction = 'public' as const;

/** Whether `role` may do `action` (tokens additionally need the action's scope: see `scopeAllows`). */
export function roleAllows(role: Role, action: Action): boolean {
  return (actions[action].roles as readonly Role[]).includes(role);
}

export function scopeAllows(scopes: readonly TokenScope[] | null, action: Action): boolean {
  const needed = actions[action].scope;
  return scopes === null || needed === null || scopes.includes(needed);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
