import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ValidationError } from '../errors.ts';
import type { Auth } from '../access/auth.ts';
import { endSessions } from './credentials.ts';
import { ForbiddenError } from './errors.ts';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { requireRecentLogin } from './recent-login.ts';
import { revokeAllTokens } from './user-tokens.ts';
import { getUserRow } from './users.ts';
import type { Row } from '../db/schema.ts';

// Changing a password: your own (with the current one) or, as an admin, someone else's (reset).
// Either way the user's other sessions end and their API tokens are revoked, and either way it
// takes a recent interactive login (src/auth/recent-login.ts).

export interface PasswordInput {
  currentPassword?: string;
  newPassword?: string;
}

/**
 * A user changes their own password (the current one is required), or an admin resets someone
 * else's (a new one given, or generated and returned once). Every other session of the user ends.
 */
export async function setPassword(
  ctx: Pick<AppContext, 'sql' | 'config' | 'now'>,
  auth: Auth,
  orgId: string,
  userId: string,
  input: PasswordInput,
  actor: AuditActor,
): Promise<{ generatedPassword?: string }> {
  const self = auth.userId === userId;
  if (!self && auth.role !== 'admin') throw new ForbiddenError();
  const user = await getUserRow(ctx.sql, orgId, userId);
  if (self && !input.newPassword) throw new ValidationError('newPassword is required');
  // The operator at the server's shell (`hinoko users password`) is trusted as such; everyone else signs in afresh.
  if (actor.type !== 'cli') requireRecentLogin(ctx, auth);
  if (self) {
    if (!input.currentPassword || !user.password_hash || !(await verifyPassword(input.currentPassword, user.password_hash))) {
      throw new ValidationError('currentPassword: 現在のパスワードが正しくありません (the current password is wrong)');
    }
  }
  const generated = input.newPassword === undefined ? generatePassword() : undefined;
  const password = input.newPassword ?? generated!;
  const [org] = await ctx.sql<Pick<Row<'organizations'>, 'name' | 'slug'>[]>`select name, slug from organizations where id = ${orgId}`;
  const problem = passwordProblem(password, { email: user.email, name: user.name, orgName: org?.name, orgSlug: org?.slug });
  if (problem) throw new ValidationError(`newPassword: ${problem}`);
  const hash = await hashPassword(password, ctx.config.auth.scryptLogN);
  const now = ctx.now();
  await ctx.sql.begin(async (tx) => {
    await getUserRow(tx, orgId, userId, true);
    await tx`update users set password_hash = ${hash}, updated_at = ${now} where org_id = ${orgId} and id = ${userId}`;
    const ended = await endSessions(tx, orgId, userId, self ? auth.sessionHash : undefined);
    // Tokens were issued under the old password: whoever might hold one loses it with the password.
    const revokedTokens = await revokeAllTokens(tx, orgId, userId);
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: self ? 'user.password_change' : 'user.password_reset',
        targetType: 'user',
        targetId: userId,
        after: { endedSessions: ended, revokedTokens },
      },
      now,
    );
  });
  return generated ? { generatedPassword: generated } : {};
}
