/** @jsxImportSource hono/jsx */
import { piiLabels, type PiiType } from '../../analysis/pii.ts';
import { displayText, formatJstDateTime, httpLink } from '../../display.ts';
import type { PresentedMention } from '../../mentions/privacy.ts';
import { triageStatuses } from '../../mentions/queries.ts';
import { formatDuration } from '../../postmortems/metrics.ts';
import { Layout, type Viewer } from '../layout.tsx';
import { sentimentLabels, sourceLabels, triageLabels } from '../labels.ts';

// The mention feed (filters, search, quick triage, CSV) and the pieces of a post that the post's
// own page (mention.tsx) shows too. Every word a stranger wrote goes through displayText and JSX
// escaping; links they supplied only as http(s).

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

export function sourceName(m: Pick<PresentedMention, 'sourceType' | 'sourceName'>): string {
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

export function PostBody(props: { m: PresentedMention }) {
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
