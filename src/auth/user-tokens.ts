import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Auth } from '../access/auth.ts';
import { newSecret, secretHash, tokenPrefix } from './credentials.ts';
import { ForbiddenError } from './errors.ts';
import type { TokenScope } from '../access/permissions.ts';
import { getUserRow } from './users.ts';

// Per-user API tokens: create (shown once), list (never the secret), revoke.

export interface UserToken {
  id: string;
  orgId: string;
  userId: string;
  label: string;
  scopes: TokenScope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** Every column but the hash: the secret's digest never leaves the table. */
type TokenRow = Omit<Row<'user_tokens'>, 'token_hash'>;

const toToken = (r: TokenRow): UserToken => ({
  id: r.id,
  orgId: r.org_id,
  userId: r.user_id,
  label: r.label,
  scopes: r.scopes,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

export interface NewTokenInput {
  label: string;
  scopes: TokenScope[];
  expiresAt: Date | null;
}

/** Own tokens, or anyone's in the org for an admin. Other users' ids are refused, not hidden: the org is the caller's own. */
export function assertSelfOrAdmin(auth: Auth, userId: string): void {
  if (auth.userId !== userId && auth.role !== 'admin')
    throw new ForbiddenError("自分以外の利用者の認証情報は管理者だけが扱えます (only an admin may manage another user's credentials)");
}

export async function createUserToken(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  userId: string,
  input: NewTokenInput,
  actor: AuditActor,
): Promise<{ token: string; info: UserToken }> {
  const token = `${tokenPrefix}${newSecret()}`;
  const now = ctx.now();
  if (input.expiresAt && input.expiresAt <= now) throw new ValidationError('expiresAt must be in the future');
  const info = (await ctx.sql.begin(async (tx) => {
    const user = await getUserRow(tx, orgId, userId, true);
    if (user.disabled_at) throw new ValidationError('無効化された利用者にはトークンを発行できません (the user is disabled)');
    const [row] = await tx<TokenRow[]>`
      insert into user_tokens (org_id, user_id, label, token_hash, scopes, created_at, expires_at)
      values (${orgId}, ${userId}, ${input.label}, ${secretHash(token)}, ${input.scopes}, ${now}, ${input.expiresAt})
      returning id, org_id, user_id, label, scopes, created_at, expires_at, last_used_at`;
    const created = toToken(row!);
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'user_token.create',
        targetType: 'user_token',
        targetId: created.id,
        after: { userId, label: created.label, scopes: created.scopes, expiresAt: created.expiresAt },
      },
      now,
    );
    return created;
  })) as UserToken;
  return { token, info };
}

export async function listUserTokens(sql: Sql, orgId: string, userId: string): Promise<UserToken[]> {
  await getUserRow(sql, orgId, userId);
  const rows = await sql<TokenRow[]>`
    select id, org_id, user_id, label, scopes, created_at, expires_at, last_used_at
    from user_tokens where org_id = ${orgId} and user_id = ${userId} order by id`;
  return rows.map(toToken);
}

export async function revokeUserToken(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  userId: string,
  tokenId: string,
  actor: AuditActor,
): Promise<void> {
  await ctx.sql.begin(async (tx) => {
    const [row] = await tx<TokenRow[]>`
      delete from user_tokens where org_id = ${orgId} and user_id = ${userId} and id = ${tokenId}
      returning id, org_id, user_id, label, scopes, created_at, expires_at, last_used_at`;
    if (!row) throw new NotFoundError('トークンが見つかりません (token not found)');
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'user_token.revoke',
        targetType: 'user_token',
        targetId: row.id,
        before: { userId, label: row.label, scopes: row.scopes },
      },
      ctx.now(),
    );
  });
}

/** Deletes every API token of a user inside the caller's transaction; returns how many. */
export async function revokeAllTokens(tx: Tx, orgId: string, userId: string): Promise<number> {
  const gone = await tx`delete from user_tokens where org_id = ${orgId} and user_id = ${userId} returning id`;
  return gone.length;
}
