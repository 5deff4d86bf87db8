import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Role } from '../access/permissions.ts';

// The users repository: rows in, plain views out (never the password hash). Verbs own transactions.

export interface User {
  id: string;
  orgId: string;
  name: string;
  email: string;
  role: Role;
  hasPassword: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type UserRow = Row<'users'>;

/** The people who may still be picked (assignees, owners): active users, by id and name. */
export function activePeople(users: readonly User[]): { id: string; name: string }[] {
  return users.filter((u) => !u.disabledAt).map((u) => ({ id: u.id, name: u.name }));
}

/**
 * A person's name from an id or a stored reference ('user:4'), as pages and exports show it: never
 * the code; an id nobody has any more says so, and no id at all is the system.
 */
export function nameOf(users: readonly Pick<User, 'id' | 'name'>[]): (idOrRef: unknown) => string {
  const names = new Map(users.map((u) => [u.id, u.name]));
  return (v) =>
    typeof v === 'string' || typeof v === 'number' ? (names.get(String(v).replace(/^user:/, '')) ?? '（不明な利用者）') : 'システム';
}

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    email: r.email,
    role: r.role,
    hasPassword: r.password_hash !== null,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// Local part kept as typed (it may be case-sensitive in theory); the domain is lower-cased. The
// unique index is on lower(email), so two spellings of one mailbox cannot both exist.
const emailPattern =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(raw: string, field = 'email'): string {
  const v = raw.trim();
  if (v.length > 254 || !emailPattern.test(v))
    throw new ValidationError(`${field} はメールアドレスの形式ではありません (must be an e-mail address such as tanaka@clinic.example.jp)`);
  const at = v.lastIndexOf('@');
  return `${v.slice(0, at)}@${v.slice(at + 1).toLowerCase()}`;
}

export interface NewUserInput {
  name: string;
  email: string;
  role: Role;
  password?: string;
}

export interface UserPatch {
  name?: string;
  role?: Role;
  disabled?: boolean;
}

export async function listUsers(sql: Sql, orgId: string): Promise<User[]> {
  const rows = await sql<UserRow[]>`select * from users where org_id = ${orgId} order by id`;
  return rows.map(toUser);
}

export async function getUserRow(sql: Sql | Tx, orgId: string, userId: string, forUpdate = false): Promise<UserRow> {
  const [row] = forUpdate
    ? await sql<UserRow[]>`select * from users where org_id = ${orgId} and id = ${userId} for no key update`
    : await sql<UserRow[]>`select * from users where org_id = ${orgId} and id = ${userId}`;
  if (!row) throw new NotFoundError('利用者が見つかりません (user not found)');
  return row;
}

export async function getUser(sql: Sql, orgId: string, userId: string): Promise<User> {
  return toUser(await getUserRow(sql, orgId, userId));
}

/** Resolves --org for the CLI: a decimal id or a slug. */
/**
 * The other organisations where this e-mail holds an active account with a password (a hospital
 * group's admin has one per clinic): what the organisation page offers to switch to.
 */
export async function otherAccountsOf(
  sql: Sql,
  email: string,
  orgId: string,
): Promise<{ orgId: string; name: string; slug: string; role: Role }[]> {
  return sql<{ orgId: string; name: string; slug: string; role: Role }[]>`
    select o.id as "orgId", o.name, o.slug, u.role from users u join organizations o on o.id = u.org_id
    where lower(u.email) = ${email.toLowerCase()} and u.org_id <> ${orgId} and u.disabled_at is null and u.password_hash is not null
    order by o.name limit 20`;
}

export async function findOrganization(sql: Sql, idOrSlug: string): Promise<{ id: string; name: string; slug: string } | null> {
  const [row] = /^\d{1,19}$/.test(idOrSlug)
    ? await sql<Pick<Row<'organizations'>, 'id' | 'name' | 'slug'>[]>`select id, name, slug from organizations where id = ${idOrSlug}`
    : await sql<Pick<Row<'organizations'>, 'id' | 'name' | 'slug'>[]>`select id, name, slug from organizations where slug = ${idOrSlug}`;
  return row ?? null;
}

/** Refuses ids that are not active users of the organization (the foreign key alone would accept a disabled one). */
export async function requireActiveUsers(tx: Tx, orgId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx<
    Pick<Row<'users'>, 'id'>[]
  >`select id from users where org_id = ${orgId} and id in ${tx(ids)} and disabled_at is null`;
  const missing = ids.filter((id) => !found.some((u) => u.id === id));
  if (missing.length > 0) {
    throw new ValidationError(`この組織の有効なユーザーではありません (not an active user of this organization): ${missing.join(', ')}`);
  }
}
