/** @jsxImportSource hono/jsx */
import type { Action } from '../../access/permissions.ts';
import { displayText } from '../../display.ts';
import { Layout, type Viewer } from '../layout.tsx';

// What every settings page shares: the list of subjects (each shown to the roles the role × action
// table lets open it), the sub-menu, the index page, and the list of what to fix when a form is
// refused.

export const settingsSections: readonly { href: string; label: string; en: string; action: Action; about: string }[] = [
  {
    href: '/settings/targets',
    label: '監視対象',
    en: 'Watch targets',
    action: 'settings.read',
    about: '病院名・キーワード・公式アカウント・除外語と、各SNSで実際に検索する条件',
  },
  {
    href: '/settings/sources',
    label: '収集元',
    en: 'Sources',
    action: 'sources.read',
    about: 'X・Google口コミ・RSS などの接続、状態、接続テスト、Webhook の URL',
  },
  {
    href: '/settings/detection',
    label: '検知の感度',
    en: 'Detection',
    action: 'settings.read',
    about: '感度を変えると過去30日に何件のアラートが出たか、保存する前に確認',
  },
  { href: '/settings/alerting', label: '通知', en: 'Alert e-mail', action: 'alerting.read', about: 'アラートのメールの送り先と深刻度' },
  {
    href: '/settings/oncall',
    label: '当番とエスカレーション',
    en: 'On-call',
    action: 'oncall.read',
    about: '当番表（カレンダー・祝日・交代）と、応答がないときの呼び出し順',
  },
  {
    href: '/settings/playbook',
    label: '対応手順',
    en: 'Playbook',
    action: 'playbooks.read',
    about: '炎上時の手順・担当・期限・チェックリストと、その版',
  },
  {
    href: '/settings/posts',
    label: '公開前チェック',
    en: 'Post review',
    action: 'settings.read',
    about: '当院の投稿の承認に必要な人数と、投稿に書いてよい当院の公開情報',
  },
  {
    href: '/settings/users',
    label: 'ユーザーとトークン',
    en: 'Users & tokens',
    action: 'users.read',
    about: 'ユーザーの追加・役割・無効化・パスワード再設定、API トークン',
  },
  {
    href: '/settings/organization',
    label: '組織の切り替え',
    en: 'Organisations',
    action: 'organizations.read',
    about: '複数の医療機関の管理者は、ここで切り替えます',
  },
  { href: '/docs/api', label: 'API ドキュメント', en: 'API docs', action: 'settings.read', about: '/api/v1 の全操作（OpenAPI）' },
];

/** The settings' own menu, above every settings page. */
export function SettingsNav(props: { viewer: Viewer; current: string }) {
  return (
    <nav class="subnav" aria-label="設定のメニュー">
      <ul>
        {settingsSections
          .filter((s) => props.viewer.may(s.action))
          .map((s) => (
            <li>
              <a href={s.href} aria-current={props.current === s.href ? 'page' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}

export function SettingsIndexPage(props: { viewer: Viewer }) {
  const v = props.viewer;
  return (
    <Layout viewer={v} title="設定" current="/settings">
      <h1>
        設定 <span class="en">Settings</span>
      </h1>
      <p class="muted">
        {v.may('settings.manage')
          ? '管理者として、すべての設定を変更できます。'
          : '閲覧できる設定です。変更は管理者（当番表は当番責任者も）が行います。'}
      </p>
      <ul class="settings-index">
        {settingsSections
          .filter((s) => v.may(s.action))
          .map((s) => (
            <li class="card">
              <a href={s.href}>
                <strong>{s.label}</strong> <span class="en">{s.en}</span>
              </a>
              <p class="muted">{s.about}</p>
            </li>
          ))}
      </ul>
    </Layout>
  );
}

/** A refused form's problems, in Japanese, above the form shown again as typed. */
export function FormErrors(props: { errors: readonly string[]; lead?: string }) {
  if (props.errors.length === 0) return null;
  return (
    <div class="error" role="alert">
      <p>{props.lead ?? '保存できませんでした。次の点を直してください。'}</p>
      <ul>
        {props.errors.map((e) => (
          <li>{displayText(e)}</li>
        ))}
      </ul>
    </div>
  );
}
