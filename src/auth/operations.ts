import type { Operation } from '../openapi/operations.ts';
import { arr, bool, id, itemsOf, nullable, obj, oneOfValues, ref, str, time } from '../openapi/schema.ts';
import { tokenScopes } from './permissions.ts';

// The OpenAPI operations of src/auth/routes.ts (login, users, tokens), listed in src/openapi/operations.ts.

const users = '/organizations/:orgId/users';
const user = obj({
  id: id(), orgId: id(), name: str(), email: str(), role: ref('Role'), hasPassword: bool(), disabledAt: nullable(time()), createdAt: time(), updatedAt: time(),
});
const token = obj({
  id: id(), orgId: id(), userId: id(), label: str(), scopes: arr(oneOfValues(tokenScopes)), createdAt: time(), expiresAt: nullable(time()), lastUsedAt: nullable(time()),
});
const password = str({ minLength: 15, maxLength: 128, description: '15〜128文字。よく使われる語・氏名・組織名・連続や繰り返しだけのものは不可 (NIST SP 800-63B-4)' });
const throttled = { 429: 'ログイン失敗が多すぎる (too many failed logins from this address; see Retry-After)' };

export const authOperations: Operation[] = [
  {
    id: 'login', method: 'post', path: '/auth/login', tag: 'auth', auth: 'public',
    summary: 'ログイン (password login: sets the HttpOnly session cookie, returns the CSRF token for writes)',
    description: '同じメールアドレスとパスワードで複数の組織の利用者がいるときだけ organization (組織のスラッグ) が必要です (organization is needed only when one e-mail and password open accounts in several organisations).',
    body: obj({ email: str({ maxLength: 254 }), password: str({ maxLength: 512 }), 'organization?': str({ maxLength: 100 }) }, { closed: true }),
    ok: { schema: obj({ user, csrfToken: str(), expiresAt: time() }) }, errors: throttled,
  },
  { id: 'logout', method: 'post', path: '/auth/logout', tag: 'auth', summary: 'ログアウト (end this session)', ok: { status: 204, schema: null } },
  {
    id: 'whoAmI', method: 'get', path: '/auth/me', tag: 'auth', summary: 'ログイン中の利用者 (who am I; the CSRF token of a session)',
    ok: { schema: obj({ user, via: oneOfValues(['session', 'token']), scopes: arr(oneOfValues(tokenScopes)), csrfToken: nullable(str()) }) },
  },
  { id: 'listUsers', method: 'get', path: users, tag: 'users', summary: '組織の利用者 (users of the organization)', ok: { schema: itemsOf(user) } },
  {
    id: 'createUser', method: 'post', path: users, tag: 'users', summary: '利用者を追加 (add a user; without a password one is generated and returned once)',
    body: obj({ name: str({ maxLength: 100 }), email: str({ format: 'email', maxLength: 254 }), role: ref('Role'), 'password?': password }, { closed: true }),
    description: '15 分以内にログインしたセッションからのみ (needs a login from the last HINOKO_RECENT_LOGIN, never an API token: 403 reauth_required). メールアドレスは組織ごとに一意です (e-mails are unique per organisation).',
    ok: { status: 201, schema: { allOf: [user, obj({ 'initialPassword?': str() })] } }, errors: { 409: 'この組織にメールアドレスが登録済み (e-mail already registered in this organisation)' },
  },
  { id: 'getUser', method: 'get', path: `${users}/:userId`, tag: 'users', summary: '利用者 (a user)', ok: { schema: user } },
  {
    id: 'updateUser', method: 'patch', path: `${users}/:userId`, tag: 'users', summary: '氏名・役割の変更、無効化・有効化 (rename, change role, disable, enable)',
    body: obj({ 'name?': str({ maxLength: 100 }), 'role?': ref('Role'), 'disabled?': bool() }, { closed: true }), ok: { schema: user },
    errors: { 409: '最後の管理者は無効化・降格できない (the last active admin)' },
  },
  {
    id: 'setUserPassword', method: 'post', path: `${users}/:userId/password`, tag: 'users',
    summary: 'パスワード変更 (own: currentPassword + newPassword) / 再設定 (admin: newPassword, or none to generate one)',
    description: '15 分以内にログインしたセッションからのみ。API トークンでは 403 reauth_required。利用者の API トークンはすべて失効します (needs a login from the last HINOKO_RECENT_LOGIN, never a token; revokes the user\'s tokens).',
    errors: { 403: '権限がない、または再ログインが必要 (reauth_required)' },
    body: obj({ 'currentPassword?': str({ maxLength: 1000 }), 'newPassword?': password }, { closed: true }),
    ok: { schema: obj({ ok: bool(), 'generatedPassword?': str() }) },
  },
  {
    id: 'listUserTokens', method: 'get', path: `${users}/:userId/tokens`, tag: 'users', summary: 'API トークンの一覧 (own, or any for an admin; never the secret)',
    ok: { schema: itemsOf(token) },
  },
  {
    id: 'createUserToken', method: 'post', path: `${users}/:userId/tokens`, tag: 'users', summary: 'API トークンを発行 (the token is shown once)',
    body: obj({ label: str({ maxLength: 100 }), scopes: arr(oneOfValues(tokenScopes), { minItems: 1 }), 'expiresAt?': time() }, { closed: true }),
    ok: { status: 201, schema: { allOf: [token, obj({ token: str() })] } },
  },
  { id: 'revokeUserToken', method: 'delete', path: `${users}/:userId/tokens/:tokenId`, tag: 'users', summary: 'API トークンを失効 (revoke)', ok: { status: 204, schema: null } },
];
