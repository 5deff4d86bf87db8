import { recordAudit, systemActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { advisoryKey, lockNames } from '../db/locks.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import type { Row } from '../db/schema.ts';

/**
 * First start: the organization (the demo clinic) gets an admin with a generated password, once.
 * Returns the new user's id, e-mail and password to print, or null when the org already has users. Two
 * instances starting together serialise on the bootstrap lock, so only one creates (and prints).
 */
export async function ensureBootstrapAdmin(
  ctx: Pick<AppContext, 'sql' | 'config' | 'now'>,
  orgId: string,
): Promise<{ userId: string; email: string; password: string } | null> {
  const [existing] = await ctx.sql`select 1 from users where org_id = ${orgId} limit 1`;
  if (existing) return null;
  const [org] = await ctx.sql<Pick<Row<'organizations'>, 'slug'>[]>`select slug from organizations where id = ${orgId}`;
  if (!org) return null;
  const email = `admin@${org.slug}.example.com`;
  const password = generatePassword();
  const hash = await hashPassword(password, ctx.config.auth.scryptLogN);
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${advisoryKey(lockNames.bootstrap)}::bigint)`;
    const [again] = await tx`select 1 from users where org_id = ${orgId} limit 1`;
    if (again) return null;
    const [row] = await tx<Pick<Row<'users'>, 'id'>[]>`
      insert into users (org_id, name, email, role, password_hash, created_at, updated_at)
      values (${orgId}, '管理者 (admin)', ${email}, 'admin', ${hash}, ${now}, ${now})
      on conflict do nothing returning id`;
    if (!row) return null;
    await recordAudit(
      tx,
      systemActor,
      {
        orgId,
        action: 'user.create',
        targetType: 'user',
        targetId: row.id,
        after: { name: '管理者 (admin)', email, role: 'admin', bootstrap: true },
      },
      now,
    );
    return { userId: row.id, email, password };
  }) as Promise<{ userId: string; email: string; password: string } | null>;
}
