import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { toUser, type NewUserInput, type User, type UserRow } from './users.ts';
import type { Row } from '../db/schema.ts';

/**
 * Adds a user to an organization. Without a password one is generated and returned once
 * (`initialPassword`) for the admin to hand over; it is never stored or logged in clear.
 */
export async function createUser(
  ctx: Pick<AppContext, 'sql' | 'config' | 'now'>,
  orgId: string,
  input: NewUserInput,
  actor: AuditActor,
): Promise<{ user: User; initialPassword?: string }> {
  const [org] = await ctx.sql<Pick<Row<'organizations'>, 'name' | 'slug'>[]>`select name, slug from organizations where id = ${orgId}`;
  if (!org) throw new NotFoundError('organization not found');
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated!;
  const problem = passwordProblem(password, { email: input.email, name: input.name, orgName: org.name, orgSlug: org.slug });
  if (problem) throw new ValidationError(`password: ${problem}`);
  // Hash outside the transaction: scrypt takes a quarter of a second and holds no lock.
  const hash = await hashPassword(password, ctx.config.auth.scryptLogN);
  const now = ctx.now();
  const user = (await ctx.sql.begin(async (tx) => {
    const [row] = await tx<UserRow[]>`
      insert into users (org_id, name, email, role, password_hash, created_at, updated_at)
      values (${orgId}, ${input.name}, ${input.email}, ${input.role}, ${hash}, ${now}, ${now})
      on conflict do nothing
      returning *`;
    if (!row) throw new ConflictError('このメールアドレスの利用者は既に登録されています (a user with this e-mail already exists)');
    const created = toUser(row);
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'user.create',
        targetType: 'user',
        targetId: created.id,
        after: { name: created.name, email: created.email, role: created.role },
      },
      now,
    );
    return created;
  })) as User;
  return generated ? { user, initialPassword: generated } : { user };
}
