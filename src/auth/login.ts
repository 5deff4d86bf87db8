import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { createSession, type NewSession } from './credentials.ts';
import { InvalidCredentialsError, RateLimitedError } from './errors.ts';
import { dummyVerify, verifyPassword } from './passwords.ts';
import { toUser, type User, type UserRow } from './users.ts';

// Password login: throttled per e-mail and per address in Postgres (so the limits hold across
// instances), one answer for every failure, a fresh session on success, every attempt audited.

export interface LoginInput {
  email: string;
  password: string;
  /** The organisation's slug: needed only by someone whose e-mail and password open accounts in two. */
  organization?: string;
}

// One person rarely holds accounts in more than a couple of organisations; the cap bounds the
// scrypt work a login can cause.
const MAX_ACCOUNTS_PER_EMAIL = 5;

type ThrottleKey = { key: string; max: number };

/**
 * Takes one attempt slot for a key *before* the password is checked, in one upsert, so parallel
 * attempts cannot all read "not locked" and then all be checked: of N attempts at once, at most
 * `max` in a window get a slot; the rest are refused without a check. Returns the refusal's end
 * when there is no slot (locked, or the window's slots are taken), else null.
 * (The column is named failures from when only failures were counted: every checked attempt
 * holds a slot now, and a success gives its slot back.)
 */
async function takeSlot(sql: Sql, { key, max }: ThrottleKey, now: Date, windowMs: number): Promise<Date | null> {
  const windowStart = new Date(now.getTime() - windowMs);
  const [row] = await sql<Pick<Row<'login_throttle'>, 'failures' | 'window_start' | 'locked_until'>[]>`
    insert into login_throttle as t (key, window_start, failures, locked_until)
    values (${key}, ${now}, 1, null)
    on conflict (key) do update set
      window_start = case when t.window_start > ${windowStart} then t.window_start else ${now} end,
      failures = case when t.window_start > ${windowStart} then t.failures + 1 else 1 end,
      locked_until = case when t.locked_until > ${now} then t.locked_until else null end
    returning failures, window_start, locked_until`;
  if (row!.locked_until) return row!.locked_until;
  if (row!.failures > max) return new Date(row!.window_start.getTime() + windowMs);
  return null;
}

/** After a failed check: a key whose window holds `max` attempts locks for lockMs. Returns true when this call locked it. */
async function lockIfSpent(tx: Tx, { key, max }: ThrottleKey, now: Date, lockMs: number): Promise<boolean> {
  const locked = await tx`
    update login_throttle set locked_until = ${new Date(now.getTime() + lockMs)}
    where key = ${key} and failures >= ${max} and (locked_until is null or locked_until <= ${now})
    returning key`;
  return locked.length > 0;
}

export interface LoginMeta {
  requestId: string | null;
  sourceIp: string | null;
}

/**
 * Password login. Every failure — unknown e-mail, wrong password, no password set, disabled or
 * locked account — throws the same InvalidCredentialsError after the same scrypt work, so neither
 * the answer nor its timing says whether an account exists. Each attempt takes a slot per account
 * and per address in Postgres before any password is checked (so the limits hold across instances
 * and under concurrency): an account locks after maxFailures, an address gets 429 with
 * Retry-After after maxFailuresPerIp.
 */
export async function login(
  ctx: Pick<AppContext, 'sql' | 'config' | 'now'>,
  input: LoginInput,
  meta: LoginMeta,
): Promise<{ user: User; session: NewSession }> {
  const { auth } = ctx.config;
  const now = ctx.now();
  const email = input.email.toLowerCase();
  const account: ThrottleKey = { key: `account:${email}`, max: auth.maxFailures };
  const address: ThrottleKey = { key: `ip:${meta.sourceIp ?? 'unknown'}`, max: auth.maxFailuresPerIp };
  const actor = (userId: string | null): AuditActor => ({ type: 'user', id: userId, requestId: meta.requestId, sourceIp: meta.sourceIp });

  // Finished windows without a running lock carry no information any more.
  await ctx.sql`delete from login_throttle where window_start < ${new Date(now.getTime() - auth.lockWindowMs)} and (locked_until is null or locked_until < ${now})`;
  const ipRefusedUntil = await takeSlot(ctx.sql, address, now, auth.lockWindowMs);
  if (ipRefusedUntil) {
    // The slot was not ours to keep: give it back so the count stays the number of attempts checked.
    await ctx.sql`update login_throttle set failures = greatest(failures - 1, 0) where key = ${address.key} and locked_until is null`;
    throw new RateLimitedError((ipRefusedUntil.getTime() - now.getTime()) / 1000);
  }
  const accountRefused = (await takeSlot(ctx.sql, account, now, auth.lockWindowMs)) !== null;

  const rows = await ctx.sql<UserRow[]>`
    select u.* from users u
    where lower(u.email) = ${email}
      ${input.organization ? ctx.sql`and u.org_id = (select id from organizations where slug = ${input.organization})` : ctx.sql``}
    order by u.id limit ${MAX_ACCOUNTS_PER_EMAIL}`;
  const usable = accountRefused ? [] : rows.filter((r) => r.password_hash && r.disabled_at === null);
  const matches: UserRow[] = [];
  for (const candidate of usable) if (await verifyPassword(input.password, candidate.password_hash!)) matches.push(candidate);
  if (usable.length === 0) await dummyVerify(input.password, auth.scryptLogN);
  if (matches.length > 1) {
    // Only someone who knows the password of both accounts gets here; the answer tells them nothing new.
    await ctx.sql`update login_throttle set failures = greatest(failures - 1, 0) where key in (${account.key}, ${address.key})`;
    throw new ValidationError(
      'organization: このメールアドレスとパスワードは複数の組織で使われています。組織 (organization) を指定してください (these credentials open accounts in several organisations: give the organization slug)',
    );
  }
  const row: UserRow | undefined = matches[0] ?? (rows.length === 1 ? rows[0] : undefined);
  const ok = matches.length === 1;

  if (!ok) {
    const reason = accountRefused
      ? 'locked'
      : rows.length === 0
        ? 'unknown_email'
        : !row
          ? 'wrong_password'
          : row.disabled_at
            ? 'disabled'
            : !row.password_hash
              ? 'no_password'
              : 'wrong_password';
    const orgId = row?.org_id ?? null;
    await ctx.sql.begin(async (tx) => {
      const lockedNow = reason === 'locked' ? false : await lockIfSpent(tx, account, now, auth.lockMs);
      const ipLockedNow = await lockIfSpent(tx, address, now, auth.lockMs);
      // The e-mail as typed is recorded (it is how an attack on an account shows); the password never is.
      await recordAudit(
        tx,
        actor(row?.id ?? null),
        { orgId, action: 'auth.login_failed', targetType: 'user', targetId: row?.id ?? null, after: { email, reason } },
        now,
      );
      if (lockedNow) {
        await recordAudit(
          tx,
          actor(row?.id ?? null),
          {
            orgId,
            action: 'auth.lockout',
            targetType: 'user',
            targetId: row?.id ?? null,
            after: { email, until: new Date(now.getTime() + auth.lockMs) },
          },
          now,
        );
      }
      if (ipLockedNow) {
        await recordAudit(
          tx,
          actor(null),
          {
            orgId: null,
            action: 'auth.rate_limited',
            targetType: 'address',
            targetId: meta.sourceIp,
            after: { until: new Date(now.getTime() + auth.lockMs) },
          },
          now,
        );
      }
    });
    throw new InvalidCredentialsError();
  }

  return ctx.sql.begin(async (tx) => {
    // A success clears the account's count and gives the address its slot back: only failures
    // should bring either to its limit.
    await tx`delete from login_throttle where key = ${account.key}`;
    await tx`update login_throttle set failures = greatest(failures - 1, 0) where key = ${address.key}`;
    const session = await createSession(tx, ctx, { id: row!.id, orgId: row!.org_id }, now, meta.sourceIp);
    await recordAudit(tx, actor(row!.id), { orgId: row!.org_id, action: 'auth.login', targetType: 'user', targetId: row!.id }, now);
    return { user: toUser(row!), session };
  }) as Promise<{ user: User; session: NewSession }>;
}

/** Ends one session (logout). */
export async function logout(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  auth: { orgId: string; userId: string; sessionHash?: Buffer },
  actor: AuditActor,
): Promise<void> {
  if (!auth.sessionHash)
    throw new ValidationError(
      'トークン認証にはログアウトがありません。トークンを削除してください (token requests have no session; revoke the token instead)',
    );
  await ctx.sql.begin(async (tx) => {
    await tx`delete from sessions where id_hash = ${auth.sessionHash!}`;
    await recordAudit(tx, actor, { orgId: auth.orgId, action: 'auth.logout', targetType: 'user', targetId: auth.userId }, ctx.now());
  });
}
