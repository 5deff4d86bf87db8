import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Sql, Tx } from '../db/connect.ts';
import { ValidationError } from '../errors.ts';
import { object, requiredString } from '../validation.ts';
import { createSession, type NewSession } from './credentials.ts';
import { InvalidCredentialsError, RateLimitedError } from './errors.ts';
import { dummyVerify, passwordMaxLength, verifyPassword } from './passwords.ts';
import { toUser, type User, type UserRow } from './users.ts';

// Password login: throttled per e-mail and per address in Postgres (so the limits hold across
// instances), one answer for every failure, a fresh session on success, every attempt audited.

export interface LoginInput { email: string; password: string }

export function parseLoginInput(body: unknown): LoginInput {
  const o = object(body, ['email', 'password']);
  const email = requiredString(o, 'email', { max: 254 }).trim();
  // Longer than any password we accept: refuse before spending scrypt on a megabyte.
  const password = requiredString(o, 'password', { max: passwordMaxLength * 4 });
  if (email === '') throw new ValidationError('email is required');
  return { email, password };
}

type ThrottleKey = { key: string; max: number };

/** Reads a key's lock; locked_until in the future means refuse. */
async function lockedUntil(sql: Sql, key: string, now: Date): Promise<Date | null> {
  const [row] = await sql<{ locked_until: Date | null }[]>`select locked_until from login_throttle where key = ${key}`;
  return row?.locked_until && row.locked_until > now ? row.locked_until : null;
}

/**
 * Counts one failure against a key in a fixed window and locks the key when the count reaches
 * its limit. One upsert, so instances counting at once never lose a failure. Returns true when
 * this failure is the one that locked it.
 */
async function countFailure(tx: Tx, { key, max }: ThrottleKey, now: Date, windowMs: number, lockMs: number): Promise<boolean> {
  const windowStart = new Date(now.getTime() - windowMs);
  const lockEnd = new Date(now.getTime() + lockMs);
  const [row] = await tx<{ locked_until: Date | null }[]>`
    insert into login_throttle as t (key, window_start, failures, locked_until)
    values (${key}, ${now}, 1, ${max <= 1 ? lockEnd : null})
    on conflict (key) do update set
      window_start = case when t.window_start > ${windowStart} then t.window_start else ${now} end,
      failures = case when t.window_start > ${windowStart} then t.failures + 1 else 1 end,
      locked_until = case
        when (case when t.window_start > ${windowStart} then t.failures + 1 else 1 end) >= ${max}
          and (t.locked_until is null or t.locked_until <= ${now}) then ${lockEnd}
        else t.locked_until end
    returning locked_until`;
  return row?.locked_until?.getTime() === lockEnd.getTime();
}

export interface LoginMeta { requestId: string | null; sourceIp: string | null }

/**
 * Password login. Every failure — unknown e-mail, wrong password, no password set, disabled or
 * locked account — throws the same InvalidCredentialsError after the same scrypt work, so neither
 * the answer nor its timing says whether an account exists. Failures count per account and per
 * address in Postgres (so the limits hold across instances): an account locks after
 * maxFailures, an address gets 429 with Retry-After after maxFailuresPerIp.
 */
export async function login(ctx: Pick<AppContext, 'sql' | 'config' | 'now'>, input: LoginInput, meta: LoginMeta): Promise<{ user: User; session: NewSession }> {
  const { auth } = ctx.config;
  const now = ctx.now();
  const email = input.email.toLowerCase();
  const account: ThrottleKey = { key: `account:${email}`, max: auth.maxFailures };
  const address: ThrottleKey = { key: `ip:${meta.sourceIp ?? 'unknown'}`, max: auth.maxFailuresPerIp };

  const ipLock = await lockedUntil(ctx.sql, address.key, now);
  if (ipLock) throw new RateLimitedError((ipLock.getTime() - now.getTime()) / 1000);

  const [row] = await ctx.sql<UserRow[]>`select * from users where lower(email) = ${email}`;
  const accountLocked = (await lockedUntil(ctx.sql, account.key, now)) !== null;
  const usable = row && row.password_hash && row.disabled_at === null && !accountLocked;
  const ok = usable ? await verifyPassword(input.password, row.password_hash!) : await dummyVerify(input.password, auth.scryptLogN);
  const actor = (userId: string | null): AuditActor => ({ type: 'user', id: userId, requestId: meta.requestId, sourceIp: meta.sourceIp });

  if (!ok) {
    const reason = !row ? 'unknown_email' : accountLocked ? 'locked' : row.disabled_at ? 'disabled' : !row.password_hash ? 'no_password' : 'wrong_password';
    const orgId = row?.org_id ?? null;
    await ctx.sql.begin(async (tx) => {
      // Finished windows without a running lock carry no information any more.
      await tx`delete from login_throttle where window_start < ${new Date(now.getTime() - auth.lockWindowMs)} and (locked_until is null or locked_until < ${now})`;
      const lockedNow = reason === 'locked' ? false : await countFailure(tx, account, now, auth.lockWindowMs, auth.lockMs);
      const ipLockedNow = await countFailure(tx, address, now, auth.lockWindowMs, auth.lockMs);
      // The e-mail as typed is recorded (it is how an attack on an account shows); the password never is.
      await recordAudit(tx, actor(row?.id ?? null), { orgId, action: 'auth.login_failed', targetType: 'user', targetId: row?.id ?? null, after: { email, reason } }, now);
      if (lockedNow) {
        await recordAudit(tx, actor(row?.id ?? null), { orgId, action: 'auth.lockout', targetType: 'user', targetId: row?.id ?? null, after: { email, until: new Date(now.getTime() + auth.lockMs) } }, now);
      }
      if (ipLockedNow) {
        await recordAudit(tx, actor(null), { orgId: null, action: 'auth.rate_limited', targetType: 'address', targetId: meta.sourceIp, after: { until: new Date(now.getTime() + auth.lockMs) } }, now);
      }
    });
    throw new InvalidCredentialsError();
  }

  return ctx.sql.begin(async (tx) => {
    await tx`delete from login_throttle where key = ${account.key}`;
    const session = await createSession(tx, ctx, { id: row!.id, orgId: row!.org_id }, now, meta.sourceIp);
    await recordAudit(tx, actor(row!.id), { orgId: row!.org_id, action: 'auth.login', targetType: 'user', targetId: row!.id }, now);
    return { user: toUser(row!), session };
  }) as Promise<{ user: User; session: NewSession }>;
}

/** Ends one session (logout). */
export async function logout(ctx: Pick<AppContext, 'sql' | 'now'>, auth: { orgId: string; userId: string; sessionHash?: Buffer }, actor: AuditActor): Promise<void> {
  if (!auth.sessionHash) throw new ValidationError('トークン認証にはログアウトがありません。トークンを削除してください (token requests have no session; revoke the token instead)');
  await ctx.sql.begin(async (tx) => {
    await tx`delete from sessions where id_hash = ${auth.sessionHash!}`;
    await recordAudit(tx, actor, { orgId: auth.orgId, action: 'auth.logout', targetType: 'user', targetId: auth.userId }, ctx.now());
  });
}
