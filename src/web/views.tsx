/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { CountBucket, MentionView } from '../mentions/queries.ts';
import type { Organization } from '../organizations/organizations.ts';
import { formatJstDateTime, formatJstTime } from '../display.ts';
import { sentimentLabels, sourceLabels } from './format.ts';

// Views take plain props and never touch the database. Everything a stranger wrote reaches the
// page through JSX text nodes, which hono/jsx escapes.

const css = `
body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;background:#f6f5f2;color:#222}
header{background:#3a1f1a;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center}
header h1{font-size:1.1rem;margin:0}header .sub{opacity:.75;font-size:.8rem}
main{padding:1rem 1.2rem;max-width:1200px;margin:auto}
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.75rem;line-height:1.4rem}
.demo{background:#ffd54f;color:#000;font-weight:bold}.positive{background:#d7f0dc}.negative{background:#f9d4d0}.neutral{background:#e6e6e6}
.card{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px #0002}
table{border-collapse:collapse;width:100%;font-size:.88rem}td,th{border-bottom:1px solid #eee;padding:.4rem;text-align:left;vertical-align:top}
td.text{white-space:pre-wrap;word-break:break-word;max-width:560px}.muted{color:#777;font-size:.8rem}
form.inline{display:inline}select,input,button{font:inherit}
.login{max-width:420px;margin:4rem auto}.error{color:#b00020}
`;

export function Layout(props: { title: string; children: Child; refreshSeconds?: number }) {
  return (
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
        <title>{props.title}</title>
        <style>{css}</style>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function LoginPage(props: { error?: string; email?: string }) {
  return (
    <Layout title="ログイン — Hinoko">
      <div class="login card">
        <h2>火の粉 Hinoko</h2>
        <p>
          メールアドレスとパスワードでログインしてください。
          <br />
          <span class="muted">Log in with your e-mail and password (the first admin's are printed on first start).</span>
        </p>
        {props.error ? <p class="error">{props.error}</p> : null}
        <form method="post" action="/login">
          <p>
            <label>
              メールアドレス (e-mail)
              <br />
              <input
                type="email"
                name="email"
                value={props.email ?? ''}
                autocomplete="username"
                required
                maxlength={254}
                style="width:100%"
              />
            </label>
          </p>
          <p>
            <label>
              パスワード (password)
              <br />
              <input type="password" name="password" autocomplete="current-password" required maxlength={512} style="width:100%" />
            </label>
          </p>
          <p>
            <button type="submit">ログイン (Log in)</button>
          </p>
        </form>
      </div>
    </Layout>
  );
}

function VolumeChart(props: { buckets: CountBucket[] }) {
  const w = 1100;
  const h = 180;
  const pad = 28;
  const n = Math.max(props.buckets.length, 1);
  const max = Math.max(1, ...props.buckets.map((b) => b.total));
  const bw = (w - pad * 2) / n;
  const y = (v: number) => h - pad - (v / max) * (h - pad * 2);
  return (
    <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label="投稿数の推移 (mentions per bucket)">
      <line x1={pad} y1={h - pad} x2={w - pad} y2={h - pad} stroke="#999" />
      <text x={4} y={pad} font-size="11" fill="#555">
        {max}
      </text>
      {props.buckets.map((b, i) => (
        <g>
          <rect x={pad + i * bw} y={y(b.total)} width={Math.max(bw - 1, 1)} height={h - pad - y(b.total)} fill="#9bb7d4">
            <title>{`${formatJstDateTime(b.start)} 合計${b.total}件 / ネガティブ${b.negative}件`}</title>
          </rect>
          <rect x={pad + i * bw} y={y(b.negative)} width={Math.max(bw - 1, 1)} height={h - pad - y(b.negative)} fill="#d9534f" />
          {i % Math.ceil(n / 8) === 0 ? (
            <text x={pad + i * bw} y={h - 8} font-size="11" fill="#555">
              {formatJstTime(b.start)}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}

function MentionRow(props: { m: MentionView }) {
  const m = props.m;
  const label = m.sentiment?.label;
  return (
    <tr>
      <td class="muted">{formatJstDateTime(m.postedAt)}</td>
      <td>
        {sourceLabels[m.sourceType] ?? m.sourceType}
        {m.isDemo ? (
          <>
            {' '}
            <span class="badge demo">デモ</span>
          </>
        ) : null}
      </td>
      <td>
        {m.author.name ?? m.author.handle ?? '—'}
        <div class="muted">{m.author.handle ? `@${m.author.handle}` : ''}</div>
      </td>
      <td class="text">
        {m.isPrivate ? '（非公開メッセージ — 権限のある担当者のみ閲覧できます）' : m.text}
        {m.deletedAt ? <div class="muted">削除済み（証拠として保存）</div> : null}
      </td>
      <td>{label ? <span class={`badge ${label}`}>{sentimentLabels[label]}</span> : <span class="muted">未分析</span>}</td>
      <td class="muted">
        ♻ {m.metrics.reposts} 💬 {m.metrics.replies} ♥ {m.metrics.likes}
      </td>
    </tr>
  );
}

export function DashboardPage(props: {
  orgs: Organization[];
  org: Organization;
  buckets: CountBucket[];
  mentions: MentionView[];
  now: Date;
  csrfToken: string;
}) {
  const total = props.buckets.reduce((s, b) => s + b.total, 0);
  const negative = props.buckets.reduce((s, b) => s + b.negative, 0);
  return (
    <Layout title={`${props.org.name} — Hinoko`} refreshSeconds={30}>
      <header>
        <h1>火の粉 Hinoko</h1>
        <span class="sub">医療機関のSNSモニタリング (reputation &amp; crisis monitoring)</span>
        <span style="flex:1" />
        <form class="inline" method="get" action="/">
          <select name="org" aria-label="組織">
            {props.orgs.map((o) => (
              <option value={o.id} selected={o.id === props.org.id}>
                {o.name}
              </option>
            ))}
          </select>
          <button type="submit">表示</button>
        </form>
        <form class="inline" method="post" action="/logout">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <button type="submit">ログアウト</button>
        </form>
      </header>
      <main>
        {props.org.isDemo ? (
          <p class="card">
            <span class="badge demo">デモ</span>{' '}
            これはデモデータです。架空のクリニックと架空の投稿で、起動から数分後に炎上のエピソードが始まります。
            <span class="muted">
              {' '}
              (Demo data: a fictional clinic and invented posts; a flare-up episode starts a few minutes after start.)
            </span>
          </p>
        ) : null}
        <div class="card">
          <h2 style="margin-top:0">
            過去24時間の投稿数 <span class="muted">(15分ごと・赤はネガティブ)</span>
          </h2>
          <p>
            合計 <b>{total}</b> 件 / ネガティブ <b>{negative}</b> 件 <span class="muted">— {formatJstDateTime(props.now)} 時点 (JST)</span>
          </p>
          <VolumeChart buckets={props.buckets} />
        </div>
        <div class="card">
          <h2 style="margin-top:0">
            最新の投稿 <span class="muted">(latest mentions)</span>
          </h2>
          <table>
            <thead>
              <tr>
                <th>投稿日時 (JST)</th>
                <th>媒体</th>
                <th>投稿者</th>
                <th>本文</th>
                <th>感情</th>
                <th>反応</th>
              </tr>
            </thead>
            <tbody>
              {props.mentions.map((m) => (
                <MentionRow m={m} />
              ))}
            </tbody>
          </table>
          {props.mentions.length === 0 ? <p class="muted">まだ投稿がありません。(No mentions yet.)</p> : null}
        </div>
      </main>
    </Layout>
  );
}
