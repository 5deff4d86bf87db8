import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { Auth } from '../access/auth.ts';
import { tokenScopes } from '../access/permissions.ts';

// Sessions (cookie) and per-user API tokens (bearer): both are 32 random bytes shown to their
// holder once; the database keeps only their SHA-256, looked up by equality.

export const sessionCookie = 'hinoko_session';
export const tokenPrefix = 'hnk_';

export function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sameSecret(a: string, b: string): boolean {
  const x = secretHash(a);
  const y = secretHash(b);
  return timingSafeEqual(x, y);
}

export interface NewSession {
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Starts a session for a user who just proved their password. Always a fresh id (never one the
 * browser brought along), so a planted cookie cannot be promoted to a logged-in session.
 */
export async function createSession(
  tx: Tx,
  ctx: Pick<AppContext, 'config'>,
  user: { id: string; orgId: string },
  now: Date,
  sourceIp: string | null,
): Promise<NewSession> {
  const id = newSecret();
  const csrfToken = newSecret();
  const expiresAt = new Date(now.getTime() + ctx.config.auth.sessionMaxMs);
  await tx`
    insert into sessions (id_hash, org_id, user_id, csrf_token, created_at, last_seen_at, expires_at, source_ip)
    values (${secretHash(id)}, ${user.orgId}, ${user.id}, ${csrfToken}, ${now}, ${now}, ${expiresAt}, ${sourceIp})`;
  // Expired sessions of anyone are swept on login instead of by a daemon; the index serves it.
  await tx`delete from sessions where expires_at < ${now}`;
  return { id, csrfToken, expiresAt };
}

// last_seen_at is written at most once a minute per session: a dashboard polling every few
// seconds should not turn every read into a write.
const touchEveryMs = 60_000;

/** The live session behind a cookie value, or null (unknown, idle too long, past its end, user disabled). */
export async function sessionAuth(ctx: Pick<AppContext, 'sql' | 'config' | 'now'>, cookie: string | undefined): Promise<Auth | null> {
  if (!cookie || cookie.length > 200) return null;
  const now = ctx.now();
  const hash = secretHash(cookie);
  const idleSince = new Date(now.getTime() - ctx.config.auth.sessionIdleMs);
  const [row] = await ctx.sql<
    (Pick<Row<'sessions'>, 'user_id' | 'org_id' | 'csrf_token' | 'last_seen_at' | 'created_at'> & Pick<Row<'users'>, 'role'>)[]
  >`
    select s.user_id, s.org_id, u.role, s.csrf_token, s.last_seen_at, s.created_at
    from sessions s join users u on u.org_id = s.org_id and u.id = s.user_id
    where s.id_hash = ${hash} and s.expires_at > ${now} and s.last_seen_at > ${idleSince} and u.disabled_at is null`;
  if (!row) return null;
  if (now.getTime() - row.last_seen_at.getTime() > touchEveryMs) {
    await ctx.sql`update sessions set last_seen_at = ${now} where id_hash = ${hash}`;
  }
  return {
    userId: row.user_id,
    orgId: row.org_id,
    role: row.role,
    via: 'session',
    scopes: [...tokenScopes],
    csrfToken: row.csrf_token,
    sessionHash: hash,
    loggedInAt: row.created_at,
  };
}

/** The user behind a bearer token, or null (unknown, expired, user disabled). */
export async function tokenAuth(ctx: Pick<AppContext, 'sql' | 'now'>, presented: string | null): Promise<Auth | null> {
  if (!presented || presented.length > 200 || !presented.startsWith(tokenPrefix)) return null;
  const now = ctx.now();
  const [row] = await ctx.sql<
    (Pick<Row<'user_tokens'>, 'id' | 'user_id' | 'org_id' | 'scopes' | 'last_used_at'> & Pick<Row<'users'>, 'role'>)[]
  >`
    select t.id, t.user_id, t.org_id, u.role, t.scopes, t.last_used_at
    from user_tokens t join users u on u.org_id = t.org_id and u.id = t.user_id
    where t.token_hash = ${secretHash(presented)} and (t.expires_at is null or t.expires_at > ${now}) and u.disabled_at is null`;
  if (!row) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > touchEveryMs) {
    await ctx.sql`update user_tokens set last_used_at = ${now} where org_id = ${row.org_id} and id = ${row.id}`;
  }
  return { userId: row.user_id, orgId: row.org_id, role: row.role, via: 'token', scopes: row.scopes, tokenId: row.id };
}

/** Ends the session a browser's cookie names, if any (a new login replaces it: no fixation). */
export async function endCookieSession(sql: Sql, cookie: string): Promise<void> {
  await sql`delete from sessions where id_hash = ${secretHash(cookie)}`;
}

/** Ends every session of a user (password change, disable, role change). */
export async function endSessions(tx: Sql | Tx, orgId: string, userId: string, except?: Buffer): Promise<number> {
  const rows = except
    ? await tx`delete from sessions where org_id = ${orgId} and user_id = ${userId} and id_hash <> ${except} returning 1`
    : await tx`delete from sessions where org_id = ${orgId} and user_id = ${userId} returning 1`;
  return rows.length;
}
