import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { endSessions } from './credentials.ts';
import { revokeAllTokens } from './user-tokens.ts';
import { getUserRow, toUser, type User, type UserPatch, type UserRow } from './users.ts';

/**
 * Renames, changes the role of, disables or re-enables a user. Disabling or demoting ends their
 * sessions; disabling also revokes their API tokens. The last active admin of an
 * organization cannot be disabled or demoted: nobody could manage its users afterwards.
 */
export async function updateUser(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  userId: string,
  patch: UserPatch,
  actor: AuditActor,
): Promise<User> {
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    // One admin at a time per org: two admins demoting each other at once must not both succeed.
    await tx`select id from users where org_id = ${orgId} and role = 'admin' and disabled_at is null order by id for no key update`;
    const before = await getUserRow(tx, orgId, userId, true);
    const disabledAt = patch.disabled === undefined ? before.disabled_at : patch.disabled ? (before.disabled_at ?? now) : null;
    const role = patch.role ?? before.role;
    const losesAdmin = before.role === 'admin' && before.disabled_at === null && (role !== 'admin' || disabledAt !== null);
    if (losesAdmin) {
      const [other] =
        await tx`select 1 from users where org_id = ${orgId} and role = 'admin' and disabled_at is null and id <> ${userId} limit 1`;
      if (!other) throw new ConflictError('最後の管理者は無効化・降格できません (the last active admin cannot be disabled or demoted)');
    }
    const [row] = await tx<UserRow[]>`
      update users set name = ${patch.name ?? before.name}, role = ${role}, disabled_at = ${disabledAt}, updated_at = ${now}
      where org_id = ${orgId} and id = ${userId} returning *`;
    if (disabledAt !== null || role !== before.role) await endSessions(tx, orgId, userId);
    // Disabling revokes tokens for good: re-enabling a person must not revive what they had issued.
    const revokedTokens = disabledAt !== null && before.disabled_at === null ? await revokeAllTokens(tx, orgId, userId) : 0;
    const shape = (r: UserRow) => ({ name: r.name, role: r.role, disabledAt: r.disabled_at });
    const action =
      patch.disabled === true && before.disabled_at === null
        ? 'user.disable'
        : patch.disabled === false && before.disabled_at !== null
          ? 'user.enable'
          : 'user.update';
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action,
        targetType: 'user',
        targetId: userId,
        before: shape(before),
        after: { ...shape(row!), ...(revokedTokens > 0 ? { revokedTokens } : {}) },
      },
      now,
    );
    return toUser(row!);
  }) as Promise<User>;
}
