/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { Auth } from '../access/auth.ts';
import type { Action, Role } from '../access/permissions.ts';
import { displayText } from '../display.ts';
import type { OpenIncidentSummary } from '../incidents/queries.ts';
import { assetPath, type AssetName } from './assets.ts';
import { incidentStatusLabels, roleLabels, severityLabel } from './labels.ts';
import { sinceJa } from './time.ts';

// The one layout every signed-in page uses: header with the role's navigation, the incident banner
// while anything is open, and the page. Views take plain props and never touch the database;
// everything a stranger wrote reaches the page through JSX text nodes, which hono/jsx escapes.

export interface Viewer {
  auth: Auth;
  name: string;
  role: Role;
  org: { id: string; name: string; isDemo: boolean };
  csrfToken: string;
  now: Date;
  openIncidents: OpenIncidentSummary[];
  may(action: Action): boolean;
}

/** The navigation: only what the role may open. */
const nav: { href: string; label: string; action: Action }[] = [
  { href: '/', label: '概要', action: 'mentions.read' },
  { href: '/mentions', label: '投稿', action: 'mentions.read' },
  { href: '/alerts', label: 'アラート', action: 'alerts.read' },
  { href: '/incidents', label: 'インシデント', action: 'incidents.read' },
  { href: '/postmortems', label: 'ポストモーテム', action: 'postmortems.read' },
  { href: '/reports', label: '報告', action: 'reports.read' },
  { href: '/posts', label: '公開前チェック', action: 'posts.read' },
  { href: '/settings', label: '設定', action: 'settings.read' },
];

export function Document(props: {
  title: string;
  children: Child;
  scripts?: AssetName[];
  styles?: AssetName[];
  /** Pages reached by a secret link: never indexed, and the link never leaves in a Referer. */
  secretLink?: boolean;
}) {
  return (
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.secretLink ? (
          <>
            <meta name="robots" content="noindex" />
            <meta name="referrer" content="no-referrer" />
          </>
        ) : null}
        <title>{props.title}</title>
        <link rel="icon" href={assetPath('favicon.svg')} type="image/svg+xml" />
        {(props.styles ?? []).map((s) => (
          <link rel="stylesheet" href={assetPath(s)} />
        ))}
        <link rel="stylesheet" href={assetPath('app.css')} />
      </head>
      <body>
        {props.children}
        {(props.scripts ?? []).map((s) => (
          <script src={assetPath(s)} defer />
        ))}
      </body>
    </html>
  );
}

export function Layout(props: {
  viewer: Viewer;
  title: string;
  /** The nav entry this page belongs to. */
  current?: string;
  children: Child;
  scripts?: AssetName[];
  styles?: AssetName[];
  /** What a change in the organisation does to this page: swap in the new content, or show a note. */
  live?: 'refresh' | 'note';
}) {
  const v = props.viewer;
  return (
    <Document title={`${props.title} — 火の粉 Hinoko`} scripts={['live.js', ...(props.scripts ?? [])]} styles={props.styles}>
      <a class="skip" href="#main">
        本文へ移動
      </a>
      <header class="site-header">
        <div class="bar">
          <a class="brand" href="/">
            火の粉<small>Hinoko</small>
          </a>
          <span class="org">
            {displayText(v.org.name)}
            {v.org.isDemo ? (
              <>
                {' '}
                <span class="badge demo">デモ</span>
              </>
            ) : null}
          </span>
          <nav aria-label="メインメニュー">
            <ul class="nav">
              {nav
                .filter((n) => v.may(n.action))
                .map((n) => (
                  <li>
                    <a href={n.href} aria-current={props.current === n.href ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
            </ul>
          </nav>
          <span id="live-status" class="live" role="status" aria-live="polite" data-state="off">
            ライブ更新なし
          </span>
          <div class="who">
            <span>
              {displayText(v.name)}（{roleLabels[v.role]}）
            </span>
            <form class="inline" method="post" action="/logout">
              <input type="hidden" name="_csrf" value={v.csrfToken} />
              <button type="submit">ログアウト</button>
            </form>
          </div>
        </div>
      </header>
      <div id="banner-slot">
        <IncidentBanner incidents={v.openIncidents} now={v.now} />
      </div>
      <main id="main" data-live={props.live ?? 'note'}>
        <p id="live-note" class="notice" hidden>
          新しい情報があります。<a href="">再読み込み</a>すると表示されます。
        </p>
        {props.children}
      </main>
    </Document>
  );
}

/** Every open incident, most severe first: severity, short title, how long ago, acknowledged or not. */
export function IncidentBanner(props: { incidents: OpenIncidentSummary[]; now: Date }) {
  if (props.incidents.length === 0) return null;
  return (
    <section class="banner" aria-label="対応中のインシデント">
      <ul>
        {props.incidents.map((i) => (
          <li>
            <span class={`badge sev-${i.severity}`}>{severityLabel(i.severity)}</span>{' '}
            <a href={`/incidents/${i.id}`}>{displayText(i.title)}</a>{' '}
            <span>
              {incidentStatusLabels[i.status]}・検知から{sinceJa(i.detected_at, props.now)}
            </span>{' '}
            {i.acknowledged_at ? (
              <span class="ack yes">受領済み{i.acknowledged_by ? `（${displayText(i.acknowledged_by)}）` : ''}</span>
            ) : (
              <span class="ack">未受領</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ErrorPage(props: { viewer: Viewer; status: number; message: string; en?: string }) {
  return (
    <Layout viewer={props.viewer} title="エラー">
      <div class="card">
        <h1>{props.status === 403 ? 'ご利用いただけません' : props.status === 404 ? '見つかりません' : '処理できませんでした'}</h1>
        <p class="error">{props.message}</p>
        {props.en ? <p class="en">{props.en}</p> : null}
        <p>
          <a href="/">概要へ戻る</a>
        </p>
      </div>
    </Layout>
  );
}

/** What the last form did (「保存しました。」), announced to screen readers. */
export function Flash(props: { message?: string }) {
  return props.message ? (
    <p class="flash" role="status">
      {props.message}
    </p>
  ) : null;
}
