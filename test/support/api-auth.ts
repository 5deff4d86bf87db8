import { randomBytes } from 'node:crypto';
import { newSecret, secretHash, tokenPrefix } from '../../src/auth/credentials.ts';
import { tokenScopes, type Role } from '../../src/access/permissions.ts';
import type { AppContext } from '../../src/context.ts';

export type TestRole = Role;

// Test users and their tokens are written straight to the tables: no scrypt (there is no
// password) and no audit rows, so tests that read an org's audit chain see only their own actions.

async function testUser(ctx: AppContext, orgId: string, role: Role): Promise<string> {
  const [existing] = await ctx.sql<{ id: string }[]>`
    select id from users where org_id = ${orgId} and role = ${role} and email like 'test-%@example.com' and disabled_at is null order by id limit 1`;
  if (existing) return existing.id;
  const [row] = await ctx.sql<{ id: string }[]>`
    insert into users (org_id, name, email, role) values (${orgId}, ${`テスト ${role}`}, ${`test-${role}-${randomBytes(6).toString('hex')}@example.com`}, ${role})
    returning id`;
  return row!.id;
}

const platformOrgs = new WeakMap<object, Promise<string>>();

/** An organization of its own for callers that give no orgId: its admin may create organizations. */
function platformOrg(ctx: AppContext): Promise<string> {
  let org = platformOrgs.get(ctx.sql);
  if (!org) {
    org = ctx.sql<{ id: string }[]>`
      insert into organizations (name, slug) values ('テスト運営', ${`test-platform-${randomBytes(4).toString('hex')}`}) returning id`.then(
      (r) => r[0]!.id,
    );
    platformOrgs.set(ctx.sql, org);
  }
  return org;
}

/** A per-user API token with every scope for a user with `role` in `orgId` (created once, reused). */
export async function testToken(
  ctx: AppContext,
  opts: { orgId?: string; role?: Role } = {},
): Promise<{ token: string; userId: string; orgId: string }> {
  const orgId = opts.orgId ?? (await platformOrg(ctx));
  const userId = await testUser(ctx, orgId, opts.role ?? 'admin');
  const token = `${tokenPrefix}${newSecret()}`;
  await ctx.sql`
    insert into user_tokens (org_id, user_id, label, token_hash, scopes, created_at)
    values (${orgId}, ${userId}, 'test', ${secretHash(token)}, ${[...tokenScopes]}, now())`;
  return { token, userId, orgId };
}

/**
 * Headers that authenticate an API request in tests as someone with `role` (default admin) in
 * `orgId`: a per-user API token carrying all scopes. Without orgId, an admin of an organization of
 * its own, who may create organizations (and sees only their own). Route tests use this instead of
 * building credentials themselves, so the way the API authenticates can change in one place.
 */
export async function authHeaders(ctx: AppContext, opts: { orgId?: string; role?: TestRole } = {}): Promise<Record<string, string>> {
  return { authorization: `Bearer ${(await testToken(ctx, opts)).token}` };
}

/**
 * A new person with `role` in `orgId` and an API token of their own: for tests where who acts
 * matters (an author may not approve their own post; two approvals need two people).
 */
export async function newTestPerson(ctx: AppContext, orgId: string, role: Role): Promise<{ id: string; headers: Record<string, string> }> {
  const [user] = await ctx.sql<{ id: string }[]>`
    insert into users (org_id, name, email, role) values (${orgId}, ${`職員 ${role}`}, ${`p-${randomBytes(6).toString('hex')}@example.com`}, ${role})
    returning id`;
  const token = `${tokenPrefix}${newSecret()}`;
  await ctx.sql`
    insert into user_tokens (org_id, user_id, label, token_hash, scopes, created_at)
    values (${orgId}, ${user!.id}, 'test', ${secretHash(token)}, ${[...tokenScopes]}, now())`;
  return { id: user!.id, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}
