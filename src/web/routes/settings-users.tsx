/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { tokenScopes, type Role } from '../../access/permissions.ts';
import { createUser } from '../../auth/create-user.ts';
import { requireRecentLogin } from '../../auth/recent-login.ts';
import { NewUserFields } from '../../auth/routes.ts';
import { setPassword } from '../../auth/set-password.ts';
import { updateUser } from '../../auth/update-user.ts';
import { assertSelfOrAdmin, createUserToken, listUserTokens, revokeUserToken } from '../../auth/user-tokens.ts';
import { getUser, listUsers } from '../../auth/users.ts';
import { AppError } from '../../errors.ts';
import { cleanText } from '../../http/schemas.ts';
import { requestActor, requestAuth } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { jstLocal, pathNumber } from '../forms.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { issuesInJapanese, refusalMessage } from '../settings-form.ts';
import { UserPage, UsersPage, type OneTimeSecret } from '../pages/settings-users.tsx';

// Users and tokens. The verbs hold the rules (the last active admin, a recent login before a
// password is set or a user added, own tokens or an admin's); a refusal is shown on the page,
// with what the rule is for. Secrets are answered once, never redirected to (a URL would keep them).

const labels = { name: '氏名', email: 'メールアドレス', role: '役割', password: '初期パスワード', label: '用途' };

/** A refusal the person can act on, with the reason behind the rule where one refused. */
function refusal(err: unknown): string[] {
  const message = refusalMessage(err);
  const code = err instanceof AppError ? err.code : null;
  if (code === 'conflict' && message.includes('最後の管理者')) {
    return [
      message,
      '組織には有効な管理者が1人以上必要です（いなくなると、だれもユーザーや設定を変えられません）。先に別の人を管理者にしてください。',
    ];
  }
  if (code === 'reauth_required') return [message, 'ログアウトしてもう一度ログインすると、続けられます。'];
  return [message];
}

const flashes: Record<string, string> = {
  added: '追加しました。',
  role: '役割を変えました。ログイン中の画面は終了しました。',
  disabled: '無効にしました。ログイン中の画面は終了し、API トークンは失効しました。',
  enabled: '有効に戻しました。',
  revoked: 'トークンを失効させました。',
};

async function listPage(
  ctx: AppContext,
  c: Context<AppEnv>,
  viewer: Viewer,
  extra: { errors?: string[]; secret?: OneTimeSecret; typed?: { name: string; email: string; role: Role } } = {},
) {
  const users = await listUsers(ctx.sql, viewer.auth.orgId);
  const errors = extra.errors ?? [];
  return c.html(
    <UsersPage
      viewer={viewer}
      users={users}
      errors={errors}
      secret={extra.secret}
      typed={extra.typed}
      flash={flashes[c.req.query('done') ?? '']}
    />,
    errors.length > 0 ? 400 : 200,
  );
}

async function userPage(
  ctx: AppContext,
  c: Context<AppEnv>,
  viewer: Viewer,
  userId: string,
  extra: { errors?: string[]; secret?: OneTimeSecret } = {},
) {
  assertSelfOrAdmin(requestAuth(c), userId);
  const [user, tokens] = await Promise.all([
    getUser(ctx.sql, viewer.auth.orgId, userId),
    listUserTokens(ctx.sql, viewer.auth.orgId, userId),
  ]);
  const errors = extra.errors ?? [];
  return c.html(
    <UserPage
      viewer={viewer}
      user={user}
      tokens={tokens}
      errors={errors}
      secret={extra.secret}
      flash={flashes[c.req.query('done') ?? '']}
    />,
    errors.length > 0 ? 400 : 200,
  );
}

const userId = (c: Context<AppEnv>) => pathNumber(c, 'userId', 'ユーザーの番号');

/** An admin's change to a user: done, or the page again with why not. */
function change(verb: 'role' | 'disable' | 'enable'): PageDefinition {
  return definePage({
    method: 'post',
    path: `/settings/users/:userId/${verb}`,
    action: 'users.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = userId(c);
      const form = await c.req.parseBody();
      const role = NewUserFields.shape.role.safeParse(form.role);
      if (verb === 'role' && !role.success) return userPage(ctx, c, viewer, id, { errors: ['役割を選んでください。'] });
      try {
        await updateUser(
          ctx,
          viewer.auth.orgId,
          id,
          verb === 'role' ? { role: role.data } : { disabled: verb === 'disable' },
          requestActor(c),
        );
      } catch (err) {
        return userPage(ctx, c, viewer, id, { errors: refusal(err) });
      }
      return c.redirect(`/settings/users/${id}?done=${verb === 'role' ? 'role' : `${verb}d`}`, 303);
    },
  });
}

export const userPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/users',
    action: 'users.read',
    handler: (ctx) => async (c, viewer) => listPage(ctx, c, viewer),
  }),
  definePage({
    method: 'post',
    path: '/settings/users',
    action: 'users.manage',
    handler: (ctx) => async (c, viewer) => {
      const form = await c.req.parseBody();
      const text = (k: string) => (typeof form[k] === 'string' ? form[k] : '');
      const typed = { name: text('name'), email: text('email'), role: (text('role') || 'pr_staff') as Role };
      const parsed = NewUserFields.safeParse({ ...typed, password: text('password') === '' ? undefined : text('password') });
      if (!parsed.success) return listPage(ctx, c, viewer, { errors: issuesInJapanese(parsed.error.issues, labels), typed });
      try {
        requireRecentLogin(ctx, requestAuth(c));
        const { user, initialPassword } = await createUser(ctx, viewer.auth.orgId, parsed.data, requestActor(c));
        if (!initialPassword) return c.redirect('/settings/users?done=added', 303);
        return listPage(ctx, c, viewer, { secret: { what: `${user.name} さんの初期パスワード`, value: initialPassword } });
      } catch (err) {
        return listPage(ctx, c, viewer, { errors: refusal(err), typed });
      }
    },
  }),
  definePage({
    method: 'get',
    path: '/settings/users/:userId',
    action: 'account.credentials',
    handler: (ctx) => async (c, viewer) => userPage(ctx, c, viewer, userId(c)),
  }),
  change('role'),
  change('disable'),
  change('enable'),
  definePage({
    method: 'post',
    path: '/settings/users/:userId/password',
    action: 'users.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = userId(c);
      try {
        const { generatedPassword } = await setPassword(ctx, requestAuth(c), viewer.auth.orgId, id, {}, requestActor(c));
        return userPage(ctx, c, viewer, id, { secret: { what: '新しいパスワード', value: generatedPassword! } });
      } catch (err) {
        return userPage(ctx, c, viewer, id, { errors: refusal(err) });
      }
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/users/:userId/tokens',
    action: 'account.credentials',
    handler: (ctx) => async (c, viewer) => {
      const id = userId(c);
      assertSelfOrAdmin(requestAuth(c), id);
      const form = await c.req.parseBody();
      const label = cleanText(100).safeParse(typeof form.label === 'string' ? form.label.trim() : '');
      const scopes = tokenScopes.filter((s) => form[`scope_${s}`] === 'on');
      const expires = form.expiresAt === '' || form.expiresAt === undefined ? null : jstLocal.safeParse(form.expiresAt);
      const errors = [
        ...(label.success ? [] : ['用途: 1〜100文字で入力してください。']),
        ...(scopes.length === 0 ? ['できること: 1つ以上選んでください。'] : []),
        ...(expires && !expires.success ? ['期限: 日時の形式が正しくありません。'] : []),
      ];
      if (errors.length > 0 || !label.success) return userPage(ctx, c, viewer, id, { errors });
      try {
        const { token, info } = await createUserToken(
          ctx,
          viewer.auth.orgId,
          id,
          { label: label.data, scopes, expiresAt: expires?.success ? expires.data : null },
          requestActor(c),
        );
        return userPage(ctx, c, viewer, id, { secret: { what: `API トークン「${info.label}」`, value: token } });
      } catch (err) {
        return userPage(ctx, c, viewer, id, { errors: refusal(err) });
      }
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/users/:userId/tokens/:tokenId/revoke',
    action: 'account.credentials',
    handler: (ctx) => async (c, viewer) => {
      const id = userId(c);
      assertSelfOrAdmin(requestAuth(c), id);
      await revokeUserToken(ctx, viewer.auth.orgId, id, pathNumber(c, 'tokenId', 'トークンの番号'), requestActor(c));
      return c.redirect(`/settings/users/${id}?done=revoked`, 303);
    },
  }),
];
