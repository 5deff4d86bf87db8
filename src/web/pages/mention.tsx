/** @jsxImportSource hono/jsx */
import { piiLabels, type PiiType } from '../../analysis/pii.ts';
import { displayText, formatJstDateTime, httpLink } from '../../display.ts';
import type { PresentedMention } from '../../mentions/privacy.ts';
import { triageStatuses, type MentionHistory } from '../../mentions/queries.ts';
import { formatDuration } from '../../postmortems/metrics.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { jstInputValue } from '../time.ts';
import { sentimentLabels, tombstoneReasonLabels, triageLabels } from '../labels.ts';
import { PostBody, sourceName } from './mentions.tsx';

// One post with everything about it: analysis, the clinic's replies, versions, tombstone, notes,
// and — for admins, on record — the platform's payload. Every word a stranger wrote goes through
// displayText and JSX escaping; links they supplied only as http(s).

export function MentionPage(props: {
  viewer: Viewer;
  m: PresentedMention;
  history: MentionHistory;
  users: { id: string; name: string }[];
  raw: unknown;
  flash?: string;
}) {
  const v = props.viewer;
  const m = props.m;
  const h = props.history;
  const original = httpLink(m.url);
  const csrf = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  return (
    <Layout viewer={v} title={`投稿 ${sourceName(m)}`} current="/mentions">
      <p>
        <a href="/mentions">← 投稿の一覧</a>
      </p>
      <h1>
        投稿{' '}
        <span class="en">
          {sourceName(m)}・{formatJstDateTime(m.postedAt)}（JST）
        </span>
      </h1>
      <Flash message={props.flash} />
      <div class="grid halves">
        <section class="card" aria-labelledby="post-h">
          <h2 id="post-h">本文</h2>
          <div class="meta">
            {m.watchTargetName ? <span>{displayText(m.watchTargetName)}</span> : null}
            {m.isPrivate ? <span class="badge unhealthy">非公開メッセージ（閲覧は記録されます）</span> : null}
            {m.isDemo ? <span class="badge demo">デモ</span> : null}
            {m.version > 1 ? <span>編集 {m.version - 1}回</span> : null}
          </div>
          <PostBody m={m} />
          <div class="meta">
            <span>
              共有 {m.metrics.reposts}・引用 {m.metrics.quotes}・返信 {m.metrics.replies}・いいね {m.metrics.likes}
              {m.metrics.views !== null ? `・表示 ${m.metrics.views}` : ''}
            </span>
          </div>
          <div class="actions">
            {original ? (
              <a href={original} rel="noopener noreferrer nofollow" target="_blank">
                元の投稿を開く<span class="en">（新しいタブ）</span>
              </a>
            ) : (
              <span class="muted">元の投稿へのリンクはありません</span>
            )}
            {m.piiMasked && v.may('mentions.read_pii') ? (
              <form method="post" action={`/mentions/${m.id}/reveal`}>
                {csrf}
                <button type="submit" class="secondary">
                  個人情報を表示<span class="en">（閲覧は監査ログに記録）</span>
                </button>
              </form>
            ) : null}
          </div>
          {m.piiMasked && !v.may('mentions.read_pii') ? (
            <p class="muted">個人情報は伏せ字です。表示できるのは当番責任者以上です。</p>
          ) : null}
        </section>
        <section class="card" aria-labelledby="analysis-h">
          <h2 id="analysis-h">解析</h2>
          {m.analysis ? (
            <dl class="facts">
              <dt>感情</dt>
              <dd>{m.sentiment ? `${sentimentLabels[m.sentiment.label]}（スコア ${m.sentiment.score.toFixed(2)}）` : '—'}</dd>
              <dt>リスク区分</dt>
              <dd>
                {m.analysis.risks.length === 0
                  ? 'なし'
                  : m.analysis.risks.map((r) => (
                      <div>
                        {r.category}（{r.terms.map((t) => displayText(t)).join('・') || '—'}）
                      </div>
                    ))}
              </dd>
              <dt>個人情報</dt>
              <dd>{m.piiTypes.length === 0 ? '見つかりませんでした' : m.piiTypes.map((t) => piiLabels[t as PiiType] ?? t).join('・')}</dd>
              <dt>語</dt>
              <dd>
                {m.analysis.terms.length === 0 ? (
                  '—'
                ) : (
                  <ul class="terms">
                    {m.analysis.terms.map((t) => (
                      <li>{displayText(t)}</li>
                    ))}
                  </ul>
                )}
              </dd>
            </dl>
          ) : (
            <p class="muted">解析待ちです（数秒〜数十秒で解析されます）。</p>
          )}
        </section>
      </div>
      <div class="grid halves">
        <section class="card" aria-labelledby="triage-h">
          <h2 id="triage-h">対応</h2>
          <dl class="facts">
            <dt>状況</dt>
            <dd>
              <span class={`badge triage-${m.triage.status}`}>{triageLabels[m.triage.status]}</span>
            </dd>
            <dt>担当者</dt>
            <dd>{m.triage.assignee ? displayText(m.triage.assignee.name) : '未割り当て'}</dd>
            <dt>最初の返信</dt>
            <dd>
              {m.triage.firstReplyAt
                ? `${formatJstDateTime(m.triage.firstReplyAt)}（投稿から ${formatDuration(m.triage.firstReplyAt.getTime() - m.postedAt.getTime())}）`
                : `まだありません（投稿から ${formatDuration(v.now.getTime() - m.postedAt.getTime())} 経過）`}
            </dd>
          </dl>
          {v.may('mentions.triage') ? (
            <form method="post" action={`/mentions/${m.id}/triage`}>
              {csrf}
              <div class="filter-grid">
                <div class="field">
                  <label for="t-status">状況</label>
                  <select id="t-status" name="status">
                    {triageStatuses.map((s) => (
                      <option value={s} selected={m.triage.status === s}>
                        {triageLabels[s]}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="t-assignee">担当者</label>
                  <select id="t-assignee" name="assigneeId">
                    <option value="">未割り当て</option>
                    {props.users.map((u) => (
                      <option value={u.id} selected={m.triage.assignee?.id === u.id}>
                        {displayText(u.name)}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="t-replied">返信した日時（JST・プラットフォーム外での返信）</label>
                  <input id="t-replied" type="datetime-local" name="repliedAt" value={jstInputValue(m.triage.recordedReplyAt)} />
                </div>
              </div>
              <button type="submit">対応を保存</button>
            </form>
          ) : null}
          <h3>医院の返信</h3>
          {h.replies.length === 0 ? (
            <p class="muted">見つかった返信はありません（Googleクチコミの返信、監視対象のアカウントからの返信を数えます）。</p>
          ) : (
            <ul class="rows">
              {h.replies.map((r) => (
                <li>
                  <div class="meta">
                    <time datetime={r.postedAt.toISOString()}>{formatJstDateTime(r.postedAt)}</time>
                    <span>{displayText(r.author ?? '')}</span>
                  </div>
                  <p class="post">{displayText(r.text)}</p>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="notes-h">
          <h2 id="notes-h">メモ</h2>
          {h.notes.length === 0 ? <p class="muted">メモはまだありません。</p> : null}
          <ul class="timeline">
            {h.notes.map((n) => (
              <li>
                <time datetime={n.createdAt.toISOString()}>
                  {formatJstDateTime(n.createdAt)}・{displayText(n.author)}
                </time>
                <p class="post">{displayText(n.body)}</p>
              </li>
            ))}
          </ul>
          {v.may('mentions.triage') ? (
            <form method="post" action={`/mentions/${m.id}/notes`}>
              {csrf}
              <div class="field">
                <label for="n-body">メモを追加</label>
                <textarea id="n-body" name="body" maxlength={2000} required></textarea>
              </div>
              <button type="submit">メモを追加</button>
            </form>
          ) : null}
        </section>
      </div>
      <section class="card" aria-labelledby="history-h">
        <h2 id="history-h">履歴</h2>
        {h.tombstone ? (
          <p class="notice">
            {formatJstDateTime(h.tombstone.deletedAt)}（JST）に{tombstoneReasonLabels[h.tombstone.reason]}。本文は証拠として保存しています。
          </p>
        ) : null}
        {h.versions.length === 0 ? <p class="muted">編集はされていません。</p> : null}
        <ul class="rows">
          {h.versions.map((ver) => (
            <li>
              <div class="meta">
                <span>第{ver.version}版</span>
                <span>
                  {formatJstDateTime(ver.observedAt)} に確認、{formatJstDateTime(ver.replacedAt)} に編集を検知
                </span>
              </div>
              <p class="post">{displayText(ver.text)}</p>
            </li>
          ))}
        </ul>
      </section>
      {v.may('mentions.read_raw') ? (
        <section class="card" aria-labelledby="raw-h">
          <h2 id="raw-h">
            元データ <span class="en">raw payload</span>
          </h2>
          {props.raw !== null ? (
            <pre class="raw">{displayText(JSON.stringify(props.raw, null, 2))}</pre>
          ) : (
            <form method="post" action={`/mentions/${m.id}/raw`}>
              {csrf}
              <button type="submit" class="secondary">
                プラットフォームから届いたデータを表示<span class="en">（伏せ字なし・閲覧は監査ログに記録）</span>
              </button>
            </form>
          )}
        </section>
      ) : null}
    </Layout>
  );
}
