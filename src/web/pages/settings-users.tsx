/** @jsxImportSource hono/jsx */
import { roles, tokenScopes, type Role } from '../../access/permissions.ts';
import type { UserToken } from '../../auth/user-tokens.ts';
import type { User } from '../../auth/users.ts';
import { displayText, formatJstDateTime } from '../../display.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { roleLabels } from '../labels.ts';
import { FormErrors, SettingsNav } from './settings-nav.tsx';

// Users and tokens: who works here and in which role; for an admin, adding people, changing
// roles, disabling, resetting passwords; for everyone, their own API tokens. A secret (a
// generated password, a new token) is shown once, on the answer to the request that made it.

export const scopeLabels: Record<(typeof tokenScopes)[number], string> = {
  read: '読む',
  read_pii: '個人情報を読む',
  write: '書く（トリアージ・タスクなど）',
  approve: '承認する',
  manage: '設定を変える',
};

/** A secret shown once: the page that made it is the only place it appears. */
export interface OneTimeSecret {
  what: string;
  value: string;
}

function Secret(props: { secret: OneTimeSecret }) {
  return (
    <section class="card secret" aria-labelledby="secret-h" role="alert">
      <h2 id="secret-h">{props.secret.what}</h2>
      <input type="text" readonly value={props.secret.value} class="copy" aria-label={props.secret.what} />
      <p>
        <strong>この画面を離れると二度と表示されません。</strong>いまコピーして、本人に安全な方法で渡してください。
      </p>
    </section>
  );
}

function RoleSelect(props: { id: string; value: Role }) {
  return (
    <select id={props.id} name="role">
      {roles.map((r) => (
        <option value={r} selected={r === props.value}>
          {roleLabels[r]}
        </option>
      ))}
    </select>
  );
}

export function UsersPage(props: {
  viewer: Viewer;
  users: User[];
  typed?: { name: string; email: string; role: Role };
  errors: string[];
  secret?: OneTimeSecret;
  flash?: string;
}) {
  const v = props.viewer;
  const admin = v.may('users.manage');
  const t = props.typed;
  return (
    <Layout viewer={v} title="ユーザーとトークン" current="/settings">
      <SettingsNav viewer={v} current="/settings/users" />
      <h1>
        ユーザーとトークン <span class="en">Users &amp; tokens</span>
      </h1>
      <Flash message={props.flash} />
      {props.secret ? <Secret secret={props.secret} /> : null}
      <FormErrors errors={props.errors} lead="できませんでした。" />
      <section class="card" aria-labelledby="u-list">
        <h2 id="u-list">ユーザー</h2>
        <ul class="rows">
          {props.users.map((u) => (
            <li>
              <span>
                <strong>{displayText(u.name)}</strong>（{roleLabels[u.role]}）
                {u.disabledAt ? <span class="badge unhealthy">無効</span> : null}
                <span class="meta">{displayText(u.email)}</span>
              </span>
              {admin || u.id === v.auth.userId ? (
                <a class="button inline secondary" href={`/settings/users/${u.id}`}>
                  {u.id === v.auth.userId ? '自分の設定・トークン' : '管理'}
                </a>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      {admin ? (
        <form class="card" method="post" action="/settings/users" aria-labelledby="u-add">
          <h2 id="u-add">ユーザーを追加</h2>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <div class="grid halves">
            <div class="field">
              <label for="u-name">氏名</label>
              <input id="u-name" type="text" name="name" value={t?.name ?? ''} maxlength={100} required />
            </div>
            <div class="field">
              <label for="u-email">メールアドレス（ログインに使います）</label>
              <input id="u-email" type="email" name="email" value={t?.email ?? ''} maxlength={254} required />
            </div>
            <div class="field">
              <label for="u-role">役割</label>
              <RoleSelect id="u-role" value={t?.role ?? 'pr_staff'} />
            </div>
            <div class="field">
              <label for="u-password">初期パスワード（空なら自動で作り、1回だけ表示）</label>
              <input id="u-password" type="password" name="password" autocomplete="new-password" maxlength={1000} />
            </div>
          </div>
          <button type="submit">追加する（監査ログに記録）</button>
        </form>
      ) : (
        <p class="muted">ユーザーの追加・変更は管理者が行います。</p>
      )}
    </Layout>
  );
}

export function UserPage(props: {
  viewer: Viewer;
  user: User;
  tokens: UserToken[];
  errors: string[];
  secret?: OneTimeSecret;
  flash?: string;
}) {
  const v = props.viewer;
  const u = props.user;
  const admin = v.may('users.manage');
  const self = u.id === v.auth.userId;
  const base = `/settings/users/${u.id}`;
  const hidden = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  return (
    <Layout viewer={v} title={`ユーザー: ${u.name}`} current="/settings">
      <SettingsNav viewer={v} current="/settings/users" />
      <p>
        <a href="/settings/users">← ユーザーの一覧</a>
      </p>
      <h1>
        {displayText(u.name)}（{roleLabels[u.role]}）
      </h1>
      <Flash message={props.flash} />
      {props.secret ? <Secret secret={props.secret} /> : null}
      <FormErrors errors={props.errors} lead="できませんでした。" />
      <div class="grid halves">
        <section class="card" aria-labelledby="u-facts">
          <h2 id="u-facts">アカウント</h2>
          <dl class="facts">
            <dt>メールアドレス</dt>
            <dd>{displayText(u.email)}</dd>
            <dt>状態</dt>
            <dd>{u.disabledAt ? `無効（${formatJstDateTime(u.disabledAt)} から）` : '有効'}</dd>
            <dt>追加</dt>
            <dd>{formatJstDateTime(u.createdAt)}</dd>
          </dl>
          {admin ? (
            <>
              <form method="post" action={`${base}/role`} class="actions">
                {hidden}
                <div class="field">
                  <label for="u-role-change">役割</label>
                  <RoleSelect id="u-role-change" value={u.role} />
                </div>
                <button type="submit" class="secondary">
                  役割を変える
                </button>
              </form>
              <div class="actions">
                <form method="post" action={`${base}/${u.disabledAt ? 'enable' : 'disable'}`}>
                  {hidden}
                  <button
                    type="submit"
                    class="secondary"
                    data-confirm={
                      u.disabledAt ? undefined : `${u.name} さんを無効にします。ログイン中の画面は終了し、API トークンは失効します。`
                    }
                  >
                    {u.disabledAt ? '有効に戻す' : '無効にする'}
                  </button>
                </form>
                {!self ? (
                  <form method="post" action={`${base}/password`}>
                    {hidden}
                    <button
                      type="submit"
                      class="secondary"
                      data-confirm={`${u.name} さんのパスワードを再設定します。ログイン中の画面は終了し、API トークンは失効します。`}
                    >
                      パスワードを再設定
                    </button>
                  </form>
                ) : null}
              </div>
              <p class="muted">組織には有効な管理者が1人以上必要です。最後の管理者は降格・無効化できません。</p>
            </>
          ) : null}
        </section>
        <section class="card" aria-labelledby="u-tokens">
          <h2 id="u-tokens">API トークン</h2>
          {props.tokens.length === 0 ? <p class="muted">ありません。</p> : null}
          <ul class="rows">
            {props.tokens.map((t) => (
              <li>
                <span>
                  <strong>{displayText(t.label)}</strong>
                  <span class="meta">
                    {t.scopes.map((s) => scopeLabels[s]).join('・')}／発行 {formatJstDateTime(t.createdAt)}／
                    {t.expiresAt ? `期限 ${formatJstDateTime(t.expiresAt)}` : '期限なし'}／
                    {t.lastUsedAt ? `最終利用 ${formatJstDateTime(t.lastUsedAt)}` : '未使用'}
                  </span>
                </span>
                <form method="post" action={`${base}/tokens/${t.id}/revoke`}>
                  {hidden}
                  <button type="submit" class="secondary" data-confirm={`トークン「${t.label}」を失効させます。`}>
                    失効
                  </button>
                </form>
              </li>
            ))}
          </ul>
          <form method="post" action={`${base}/tokens`}>
            {hidden}
            <h3>発行する</h3>
            <div class="field">
              <label for="tk-label">用途（例: Grafana 連携）</label>
              <input id="tk-label" type="text" name="label" maxlength={100} required />
            </div>
            <fieldset>
              <legend>できること（本人の役割を超えることはできません）</legend>
              {tokenScopes.map((s) => (
                <div class="field check">
                  <input id={`tk-${s}`} type="checkbox" name={`scope_${s}`} value="on" checked={s === 'read'} />
                  <label for={`tk-${s}`}>{scopeLabels[s]}</label>
                </div>
              ))}
            </fieldset>
            <div class="field">
              <label for="tk-expires">期限（日本時間・空なら期限なし）</label>
              <input id="tk-expires" type="datetime-local" name="expiresAt" />
            </div>
            <button type="submit">発行する（1回だけ表示）</button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
