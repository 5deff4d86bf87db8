/** @jsxImportSource hono/jsx */
import { piiLabels, type PiiType } from '../../analysis/pii.ts';
import { displayText, formatJstDateTime, httpLink } from '../../display.ts';
import type { PresentedMention } from '../../mentions/privacy.ts';
import { triageStatuses, type MentionHistory } from '../../mentions/queries.ts';
import { formatDuration } from '../../postmortems/metrics.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { jstInputValue } from '../time.ts';
import { sentimentLabels, sourceLabels, tombstoneReasonLabels, triageLabels } from '../labels.ts';

// The mention feed (filters, search, quick triage, CSV) and one post with everything about it:
// analysis, the clinic's replies, versions, tombstone, notes, and — for admins, on record — the
// platform's payload. Every word a stranger wrote goes through displayText and JSX escaping;
// links they supplied only as http(s).

export interface FeedOptions {
  sources: { id: string; name: string; type: string }[];
  targets: { id: string; name: string }[];
  users: { id: string; name: string }[];
  riskCategories: readonly string[];
}

/** The feed's filter values as the form shows them (strings, '' for any). */
export type FeedForm = Record<(typeof feedFormFields)[number], string>;
export const feedFormFields = ['q', 'period', 'sourceId', 'watchTargetId', 'sentiment', 'risk', 'hasPii', 'triage', 'assigneeId'] as const;

export const periods = { '1h': '1時間', '24h': '24時間', '7d': '7日間', '30d': '30日間' } as const;

function Select(props: { name: string; label: string; value: string; options: [string, string][]; any?: string }) {
  return (
    <div class="field">
      <label for={`f-${props.name}`}>{props.label}</label>
      <select id={`f-${props.name}`} name={props.name}>
        <option value="">{props.any ?? 'すべて'}</option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={props.value === value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function sourceName(m: Pick<PresentedMention, 'sourceType' | 'sourceName'>): string {
  const kind = sourceLabels[m.sourceType] ?? m.sourceType;
  return m.sourceName && m.sourceName !== kind ? `${kind}（${displayText(m.sourceName)}）` : kind;
}

/** How long the clinic took to answer, or how long the post has waited. */
function ReplyState(props: { m: PresentedMention; now: Date }) {
  const m = props.m;
  if (m.triage.firstReplyAt) {
    return <span class="badge ok">返信済み（{formatDuration(m.triage.firstReplyAt.getTime() - m.postedAt.getTime())}後）</span>;
  }
  if (m.triage.status === 'needs_reply') {
    return <span class="badge failing">返信待ち {formatDuration(props.now.getTime() - m.postedAt.getTime())}</span>;
  }
  return null;
}

function Badges(props: { m: PresentedMention; now: Date }) {
  const m = props.m;
  const label = m.sentiment?.label;
  return (
    <div class="meta">
      {label ? <span class={`badge ${label}`}>{sentimentLabels[label]}</span> : <span class="muted">未分析</span>}
      {(m.analysis?.risks ?? []).map((r) => (
        <span class="badge crisis">{r.category}</span>
      ))}
      {m.piiTypes.length > 0 ? (
        <span class="badge unhealthy">
          個人情報{m.piiMasked ? '（伏せ字）' : '（表示中）'}: {m.piiTypes.map((t) => piiLabels[t as PiiType] ?? t).join('・')}
        </span>
      ) : null}
      <span class={`badge triage-${m.triage.status}`}>{triageLabels[m.triage.status]}</span>
      {m.triage.assignee ? <span>担当: {displayText(m.triage.assignee.name)}</span> : null}
      <ReplyState m={m} now={props.now} />
      {m.triage.notes > 0 ? <span>メモ {m.triage.notes}件</span> : null}
    </div>
  );
}

function PostBody(props: { m: PresentedMention }) {
  const m = props.m;
  return (
    <>
      <div class="meta">
        <span>{displayText(m.author.name ?? m.author.handle ?? '（投稿者不明）')}</span>
        {m.author.handle ? <span>@{displayText(m.author.handle)}</span> : null}
        {m.rating !== null ? (
          <span>
            評価 {'★'.repeat(m.rating)}
            {'☆'.repeat(5 - m.rating)}
          </span>
        ) : null}
      </div>
      <p class="post">{displayText(m.text)}</p>
      {m.deletedAt ? <p class="muted">削除済み（{formatJstDateTime(m.deletedAt)}）— 証拠として保存しています</p> : null}
    </>
  );
}

/** One post in a list: when, where, who, what, and its state. */
export function MentionItem(props: { m: PresentedMention; now: Date; actions?: boolean; csrfToken?: string; back?: string }) {
  const m = props.m;
  const original = httpLink(m.url);
  return (
    <li>
      <div class="meta">
        <time datetime={m.postedAt.toISOString()}>{formatJstDateTime(m.postedAt)}</time>
        <span>{sourceName(m)}</span>
        {m.watchTargetName ? <span>{displayText(m.watchTargetName)}</span> : null}
        {m.isPrivate ? <span class="badge unhealthy">非公開メッセージ</span> : null}
        {m.isDemo ? <span class="badge demo">デモ</span> : null}
      </div>
      <div>
        <PostBody m={m} />
        <Badges m={m} now={props.now} />
      </div>
      <div class="meta item-actions">
        <a href={`/mentions/${m.id}`}>詳細・対応</a>
        {original ? (
          <a href={original} rel="noopener noreferrer nofollow" target="_blank">
            元の投稿<span class="en">（新しいタブ）</span>
          </a>
        ) : null}
        {props.actions && props.csrfToken ? <QuickTriage m={m} csrfToken={props.csrfToken} back={props.back ?? '/mentions'} /> : null}
      </div>
    </li>
  );
}

/** One click to mark a post from the feed, back to the same place in the feed. */
function QuickTriage(props: { m: PresentedMention; csrfToken: string; back: string }) {
  const next = props.m.triage.status === 'open' ? (['handled', 'needs_reply', 'ignored'] as const) : (['open'] as const);
  return (
    <>
      {next.map((status) => (
        <form class="inline" method="post" action={`/mentions/${props.m.id}/triage`}>
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <input type="hidden" name="status" value={status} />
          <input type="hidden" name="next" value={props.back} />
          <button type="submit" class="secondary small" aria-label={`投稿 ${props.m.id} を${triageLabels[status]}にする`}>
            {status === 'open' ? '未対応に戻す' : triageLabels[status]}
          </button>
        </form>
      ))}
    </>
  );
}

export function MentionsPage(props: {
  viewer: Viewer;
  items: PresentedMention[];
  form: FeedForm;
  options: FeedOptions;
  /** The explicit time range from a link (an alert's window), shown instead of the period. */
  range: { from?: Date; to?: Date };
  nextHref: string | null;
  csvHref: string;
  here: string;
}) {
  const f = props.form;
  const v = props.viewer;
  const o = props.options;
  return (
    <Layout viewer={v} title="投稿" current="/mentions">
      <h1>
        投稿 <span class="en">Mentions</span>
      </h1>
      <form class="card feed-filters" method="get" action="/mentions" role="search" aria-label="投稿の絞り込みと検索">
        <div class="field search">
          <label for="f-q">キーワード検索</label>
          <input id="f-q" type="search" name="q" value={f.q} maxlength={200} placeholder="例: 待ち時間 説明" />
        </div>
        <div class="filter-grid">
          <Select name="period" label="期間" value={f.period} options={Object.entries(periods)} any="全期間" />
          <Select
            name="sourceId"
            label="投稿元"
            value={f.sourceId}
            options={o.sources.map((s) => [s.id, sourceName({ sourceType: s.type, sourceName: s.name })])}
          />
          <Select
            name="watchTargetId"
            label="監視対象"
            value={f.watchTargetId}
            options={o.targets.map((t) => [t.id, displayText(t.name)])}
          />
          <Select name="sentiment" label="感情" value={f.sentiment} options={Object.entries(sentimentLabels)} />
          <Select name="risk" label="リスク区分" value={f.risk} options={o.riskCategories.map((c) => [c, c])} />
          <Select
            name="hasPii"
            label="個人情報"
            value={f.hasPii}
            options={[
              ['true', '含む'],
              ['false', '含まない'],
            ]}
          />
          <Select
            name="triage"
            label="対応状況"
            value={f.triage}
            options={[['unhandled', '未対応と要返信'], ...triageStatuses.map((s): [string, string] => [s, triageLabels[s]])]}
          />
          <Select name="assigneeId" label="担当者" value={f.assigneeId} options={o.users.map((u) => [u.id, displayText(u.name)])} />
        </div>
        {props.range.from || props.range.to ? (
          <p class="notice">
            期間: {props.range.from ? formatJstDateTime(props.range.from) : '—'}〜
            {props.range.to ? formatJstDateTime(props.range.to) : '現在'}（JST）
            <input type="hidden" name="from" value={props.range.from?.toISOString() ?? ''} />
            <input type="hidden" name="to" value={props.range.to?.toISOString() ?? ''} />
          </p>
        ) : null}
        <div class="actions">
          <button type="submit">絞り込む</button>
          <a href="/mentions">条件をクリア</a>
          {v.may('mentions.export') ? (
            <a href={props.csvHref} download>
              CSVで書き出す<span class="en">（この条件・最大1万件・個人情報は伏せ字）</span>
            </a>
          ) : null}
        </div>
      </form>
      <section class="card" aria-label="投稿の一覧">
        {props.items.length === 0 ? <p class="muted">条件に合う投稿はありません。(No mentions match.)</p> : null}
        <ul class="rows mentions">
          {props.items.map((m) => (
            <MentionItem m={m} now={v.now} actions={v.may('mentions.triage')} csrfToken={v.csrfToken} back={props.here} />
          ))}
        </ul>
        {props.nextHref ? (
          <p>
            <a href={props.nextHref}>次の50件（さらに古い投稿）</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

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
