import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext } from '../context.ts';
import { requestActor, requestAuth, requestIdOf, requestSourceIp } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { cleanText, ErrorBody, id, idParam, itemsOf, jsonAnswer, jsonBody, orgParams, time, timeInput } from '../http/schemas.ts';
import { createUser } from './create-user.ts';
import { endCookieSession, sessionCookie } from './credentials.ts';
import { ForbiddenError, RateLimitedError } from './errors.ts';
import { login, logout, type LoginInput } from './login.ts';
import { passwordMaxLength } from './passwords.ts';
import { roles, tokenScopes } from '../access/permissions.ts';
import { requireRecentLogin } from './recent-login.ts';
import { setPassword } from './set-password.ts';
import { updateUser } from './update-user.ts';
import { assertSelfOrAdmin, createUserToken, listUserTokens, revokeUserToken } from './user-tokens.ts';
import { getUser, listUsers, normalizeEmail } from './users.ts';

// /auth (login, logout, me) and the users and tokens routes under /organizations/{orgId}.

/** Secure when the request or the configured public URL (a TLS-terminating proxy in front) is https. */
function sessionCookieOptions(c: Context, ctx: AppContext) {
  const secure = new URL(c.req.url).protocol === 'https:' || ctx.config.mail.publicUrl.startsWith('https:');
  return { httpOnly: true, sameSite: 'Strict' as const, path: '/', secure, maxAge: Math.floor(ctx.config.auth.sessionMaxMs / 1000) };
}

/** Login for the web page and the API: the same verb, throttling and audit. */
export async function loginWithCookie(ctx: AppContext, c: Context<AppEnv>, input: LoginInput) {
  try {
    const previous = getCookie(c, sessionCookie);
    const result = await login(ctx, input, { requestId: requestIdOf(c), sourceIp: requestSourceIp(c) });
    // A cookie the browser brought along is never promoted (no fixation): the session is new and the old one ends.
    if (previous && previous.length <= 200) await endCookieSession(ctx.sql, previous);
    setCookie(c, sessionCookie, result.session.id, sessionCookieOptions(c, ctx));
    return result;
  } catch (err) {
    if (err instanceof RateLimitedError) c.header('retry-after', String(err.retryAfterSeconds));
    throw err;
  }
}

const role = z.enum(roles).openapi({ description: 'pr_staff=広報担当, oncall_manager=当番責任者, director=院長・理事, admin=管理者' });
const scope = z.enum(tokenScopes);

const User = z
  .object({
    id: id(),
    orgId: id(),
    name: z.string(),
    email: z.string(),
    role,
    hasPassword: z.boolean(),
    disabledAt: time().nullable(),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi('User');
const UserToken = z
  .object({
    id: id(),
    orgId: id(),
    userId: id(),
    label: z.string(),
    scopes: z.array(scope),
    createdAt: time(),
    expiresAt: time().nullable(),
    lastUsedAt: time().nullable(),
  })
  .openapi('UserToken');

const name = cleanText(100)
  .transform((v) => v.trim())
  .refine((v) => v !== '', 'must not be blank');
const email = cleanText(254)
  .transform((v, ctx) => {
    try {
      return normalizeEmail(v, 'email');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^email /, '') });
      return z.NEVER;
    }
  })
  .openapi({ type: 'string', format: 'email' });
// The password policy (length, common words, the user's name) is the verbs' (passwordProblem);
// here only a bound, so scrypt never runs on a megabyte.
const password = cleanText(1000).openapi({
  description: '15〜128文字。よく使われる語・氏名・組織名・連続や繰り返しだけのものは不可 (NIST SP 800-63B-4)',
});

/** A new user as an admin enters one (the API and the settings page). */
export const NewUserFields = z.strictObject({ name, email, role, password: password.optional() });

const noContent = { 204: { description: 'No Content' } };
const userParams = orgParams.extend({ userId: idParam() });
const users = '/organizations/{orgId}/users';

export const authRoutes = [
  defineRoute(
    {
      method: 'post',
      path: '/auth/login',
      action: 'public',
      operationId: 'login',
      tags: ['auth'],
      summary: 'ログイン (password login: sets the HttpOnly session cookie, returns the CSRF token for writes)',
      description:
        '同じメールアドレスとパスワードで複数の組織の利用者がいるときだけ organization (組織のスラッグ) が必要です (organization is needed only when one e-mail and password open accounts in several organisations).',
      request: {
        body: jsonBody(
          z.strictObject({
            email: cleanText(254)
              .transform((v) => v.trim())
              .refine((v) => v !== '', 'email is required'),
            // Longer than any password we accept: refused before scrypt is spent on it.
            password: cleanText(passwordMaxLength * 4),
            organization: cleanText(100).optional(),
          }),
        ),
      },
      responses: {
        200: jsonAnswer(z.object({ user: User, csrfToken: z.string(), expiresAt: time() })),
        429: jsonAnswer(ErrorBody, 'ログイン失敗が多すぎる (too many failed logins from this address; see Retry-After)'),
      },
    },
    (ctx) => async (c) => {
      const { email: address, password: secret, organization } = c.req.valid('json');
      const { user, session } = await loginWithCookie(ctx, c, {
        email: address,
        password: secret,
        ...(organization ? { organization } : {}),
      });
      return c.json({ user, csrfToken: session.csrfToken, expiresAt: session.expiresAt }, 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/auth/logout',
      action: 'account.self',
      operationId: 'logout',
      tags: ['auth'],
      summary: 'ログアウト (end this session)',
      responses: noContent,
    },
    (ctx) => async (c) => {
      await logout(ctx, requestAuth(c), requestActor(c));
      deleteCookie(c, sessionCookie, { path: '/' });
      return c.body(null, 204);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/auth/me',
      action: 'account.self',
      operationId: 'whoAmI',
      tags: ['auth'],
      summary: 'ログイン中の利用者 (who am I; the CSRF token of a session)',
      responses: {
        200: jsonAnswer(
          z.object({ user: User, via: z.enum(['session', 'token']), scopes: z.array(scope), csrfToken: z.string().nullable() }),
        ),
      },
    },
    (ctx) => async (c) => {
      const auth = requestAuth(c);
      return c.json(
        { user: await getUser(ctx.sql, auth.orgId, auth.userId), via: auth.via, scopes: auth.scopes, csrfToken: auth.csrfToken ?? null },
        200,
      );
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: users,
      action: 'users.read',
      operationId: 'listUsers',
      tags: ['users'],
      summary: '組織の利用者 (users of the organization)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(itemsOf(User)) },
    },
    (ctx) => async (c) => c.json({ items: await listUsers(ctx.sql, c.req.valid('param').orgId) }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: users,
      action: 'users.manage',
      operationId: 'createUser',
      tags: ['users'],
      summary: '利用者を追加 (add a user; without a password one is generated and returned once)',
      description:
        '15 分以内にログインしたセッションからのみ (needs a login from the last HINOKO_RECENT_LOGIN, never an API token: 403 reauth_required). メールアドレスは組織ごとに一意です (e-mails are unique per organisation).',
      request: { params: orgParams, body: jsonBody(NewUserFields) },
      responses: {
        201: jsonAnswer(User.extend({ initialPassword: z.string().optional() }).openapi('CreatedUser'), 'Created'),
        409: jsonAnswer(ErrorBody, 'この組織にメールアドレスが登録済み (e-mail already registered in this organisation)'),
      },
    },
    (ctx) => async (c) => {
      requireRecentLogin(ctx, requestAuth(c));
      const result = await createUser(ctx, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c));
      return c.json({ ...result.user, ...(result.initialPassword ? { initialPassword: result.initialPassword } : {}) }, 201);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: `${users}/{userId}`,
      action: 'users.read',
      operationId: 'getUser',
      tags: ['users'],
      summary: '利用者 (a user)',
      request: { params: userParams },
      responses: { 200: jsonAnswer(User) },
    },
    (ctx) => async (c) => {
      const { orgId, userId } = c.req.valid('param');
      return c.json(await getUser(ctx.sql, orgId, userId), 200);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: `${users}/{userId}`,
      action: 'users.manage',
      operationId: 'updateUser',
      tags: ['users'],
      summary: '氏名・役割の変更、無効化・有効化 (rename, change role, disable, enable)',
      request: {
        params: userParams,
        body: jsonBody(
          z
            .strictObject({ name: name.optional(), role: role.optional(), disabled: z.boolean().optional() })
            .refine(
              (p) => p.name !== undefined || p.role !== undefined || p.disabled !== undefined,
              'give at least one of name, role, disabled',
            ),
        ),
      },
      responses: { 200: jsonAnswer(User), 409: jsonAnswer(ErrorBody, '最後の管理者は無効化・降格できない (the last active admin)') },
    },
    (ctx) => async (c) => {
      const { orgId, userId } = c.req.valid('param');
      return c.json(await updateUser(ctx, orgId, userId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${users}/{userId}/password`,
      action: 'account.credentials',
      operationId: 'setUserPassword',
      tags: ['users'],
      summary: 'パスワード変更 (own: currentPassword + newPassword) / 再設定 (admin: newPassword, or none to generate one)',
      description:
        "15 分以内にログインしたセッションからのみ。API トークンでは 403 reauth_required。利用者の API トークンはすべて失効します (needs a login from the last HINOKO_RECENT_LOGIN, never a token; revokes the user's tokens).",
      request: {
        params: userParams,
        body: jsonBody(z.strictObject({ currentPassword: cleanText(1000).optional(), newPassword: password.optional() })),
      },
      responses: { 200: jsonAnswer(z.object({ ok: z.boolean(), generatedPassword: z.string().optional() })) },
    },
    (ctx) => async (c) => {
      const { orgId, userId } = c.req.valid('param');
      const auth = requestAuth(c);
      assertSelfOrAdmin(auth, userId);
      return c.json({ ok: true, ...(await setPassword(ctx, auth, orgId, userId, c.req.valid('json'), requestActor(c))) }, 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: `${users}/{userId}/tokens`,
      action: 'account.credentials',
      operationId: 'listUserTokens',
      tags: ['users'],
      summary: 'API トークンの一覧 (own, or any for an admin; never the secret)',
      request: { params: userParams },
      responses: { 200: jsonAnswer(itemsOf(UserToken)) },
    },
    (ctx) => async (c) => {
      const { orgId, userId } = c.req.valid('param');
      assertSelfOrAdmin(requestAuth(c), userId);
      return c.json({ items: await listUserTokens(ctx.sql, orgId, userId) }, 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${users}/{userId}/tokens`,
      action: 'account.credentials',
      operationId: 'createUserToken',
      tags: ['users'],
      summary: 'API トークンを発行 (the token is shown once)',
      request: {
        params: userParams,
        body: jsonBody(
          z.strictObject({
            label: cleanText(100),
            scopes: z
              .array(scope)
              .min(1, `must be a non-empty array of ${tokenScopes.join(', ')}`)
              .transform((s) => [...new Set(s)]),
            expiresAt: timeInput()
              .nullable()
              .optional()
              .transform((t) => t ?? null)
              .openapi({ type: 'string', format: 'date-time', description: '失効時刻 (未来; 省略で無期限)' }),
          }),
        ),
      },
      responses: { 201: jsonAnswer(UserToken.extend({ token: z.string() }).openapi('CreatedUserToken'), 'Created') },
    },
    (ctx) => async (c) => {
      const { orgId, userId } = c.req.valid('param');
      const auth = requestAuth(c);
      assertSelfOrAdmin(auth, userId);
      const input = c.req.valid('json');
      // A token cannot mint a wider one than itself.
      if (auth.via === 'token' && input.scopes.some((s) => !auth.scopes.includes(s)))
        throw new ForbiddenError('トークンより広いスコープのトークンは発行できません (a token cannot issue scopes it does not have)');
      const { token, info } = await createUserToken(ctx, orgId, userId, input, requestActor(c));
      return c.json({ ...info, token }, 201);
    },
  ),

  defineRoute(
    {
      method: 'delete',
      path: `${users}/{userId}/tokens/{tokenId}`,
      action: 'account.credentials',
      operationId: 'revokeUserToken',
      tags: ['users'],
      summary: 'API トークンを失効 (revoke)',
      request: { params: userParams.extend({ tokenId: idParam() }) },
      responses: noContent,
    },
    (ctx) => async (c) => {
      const { orgId, userId, tokenId } = c.req.valid('param');
      assertSelfOrAdmin(requestAuth(c), userId);
      await revokeUserToken(ctx, orgId, userId, tokenId, requestActor(c));
      return c.body(null, 204);
    },
  ),
];
