/** @jsxImportSource hono/jsx */
import { roleNames } from '../../incident-record/lifecycle.ts';
import { displayText, formatJstDateTime } from '../../display.ts';
import type { CountBucket } from '../../mentions/queries.ts';
import { formatDuration, metricLabels, metricNames, type DeadlineOutcome } from '../../postmortems/metrics.ts';
import type { PostmortemListItem, PostmortemView } from '../../postmortems/queries.ts';
import { postmortemStatusLabels, timelineLines, type PeopleNames } from '../../postmortems/render.ts';
import { jsonForScript } from '../json.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { jstInputValue } from '../time.ts';
import { roleLabels, severityLabel, statementKindLabels, statementStatusLabels, taskStatusLabels } from '../labels.ts';

// Post-mortems for directors: the list, and one post-mortem — what happened and how fast (metrics
// and a chart with the moments marked), the timeline with names, deadlines met or missed, the
// statements, key posts (masked), and for those allowed: editing the prose and action items with
// the version read, regenerating the facts, approving. Print and Markdown are the exports.

export const short = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

export function PostmortemsPage(props: { viewer: Viewer; items: PostmortemListItem[] }) {
  return (
    <Layout viewer={props.viewer} title="ポストモーテム" current="/postmortems">
      <h1>
        ポストモーテム <span class="en">Post-mortems</span>
      </h1>
      <section class="card" aria-label="ポストモーテムの一覧">
        {props.items.length === 0 ? <p class="muted">まだありません。インシデントが解決すると下書きが作られます。</p> : null}
        <ul class="rows">
          {props.items.map((p) => (
            <li>
              <div class="meta">
                <span class={`badge ${p.status === 'approved' ? 'ok' : 'failing'}`}>{postmortemStatusLabels[p.status]}</span>
                <span class={`badge sev-${p.severity}`}>{severityLabel(p.severity)}</span>
                <span>{p.resolvedAt ? `${formatJstDateTime(p.resolvedAt)} 解決` : '未解決'}</span>
                <span>第{p.version}版</span>
              </div>
              <a href={`/incidents/${p.incidentId}/postmortem`}>{displayText(p.title)}</a>
              <span class="muted">
                検知 {short(p.metrics.timeToDetectMs)}・受領 {short(p.metrics.timeToAcknowledgeMs)}・第一報{' '}
                {short(p.metrics.timeToFirstStatementMs)}・解決 {short(p.metrics.timeToResolveMs)}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

const outcomeLabels: Record<DeadlineOutcome, string> = {
  met: '期限内',
  late: '期限後に完了',
  missed: '未完了・期限切れ',
  skipped: '省略',
  open: '未完了',
};

export interface PostmortemMarker {
  at: Date;
  label: string;
}

/** Blank rows for new action items under the existing ones. */
export const newActionRows = 2;

export function PostmortemPage(props: {
  viewer: Viewer;
  title: string;
  pm: PostmortemView;
  name: PeopleNames;
  people: { id: string; name: string }[];
  series: CountBucket[];
  markers: PostmortemMarker[];
  flash?: string;
}) {
  const v = props.viewer;
  const pm = props.pm;
  const f = pm.facts;
  const base = `/incidents/${pm.incidentId}/postmortem`;
  const api = `/api/v1/organizations/${pm.orgId}/incidents/${pm.incidentId}/postmortem`;
  const csrf = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  const draft = pm.status === 'draft';
  const chart = {
    byWatchTarget: [{ key: 'pm', label: '投稿数', points: props.series.map((b) => [b.start.getTime(), b.total, b.negative]) }],
    bySource: [],
    markers: props.markers.map((m) => ({ t: m.at.getTime(), label: m.label })),
  };
  const rows = [
    ...pm.actionItems.map((a) => ({ ...a, dueAt: a.dueAt as Date | null })),
    ...Array.from({ length: newActionRows }, () => null),
  ];
  return (
    <Layout
      viewer={v}
      title={`ポストモーテム: ${props.title}`}
      current="/postmortems"
      scripts={['uplot.js', 'volume-chart.js']}
      styles={['uplot.css']}
    >
      <p class="muted">
        <a href="/postmortems">ポストモーテム一覧</a> › <a href={`/incidents/${pm.incidentId}`}>インシデント</a>
      </p>
      <h1>
        {displayText(props.title)} <span class="en">ポストモーテム</span>
      </h1>
      <Flash message={props.flash} />
      <p class="meta">
        <span class={`badge ${pm.status === 'approved' ? 'ok' : 'failing'}`}>{postmortemStatusLabels[pm.status]}</span>
        <span class={`badge sev-${f.incident.severity}`}>{severityLabel(f.incident.severity)}</span>
        <span>第{pm.version}版</span>
        {pm.approvedAt ? (
          <span>
            承認: {displayText(props.name(pm.approvedBy))}（{formatJstDateTime(pm.approvedAt)}）
          </span>
        ) : null}
        <span>集計: {formatJstDateTime(new Date(f.generatedAt))}</span>
        <a href={`${api}.html`} target="_blank" rel="noopener">
          印刷用ページ
        </a>
        <a href={`${api}.md`} download>
          Markdown で保存
        </a>
      </p>
      <div class="grid two">
        <div class="stack">
          <section class="card" aria-labelledby="pm-summary">
            <h2 id="pm-summary">概要</h2>
            <p class="post">{displayText(pm.summary)}</p>
            <h3>うまくいったこと</h3>
            <p class="post">{displayText(pm.wentWell)}</p>
            <h3>うまくいかなかったこと</h3>
            <p class="post">{displayText(pm.wentBadly)}</p>
          </section>
          <section class="card" aria-labelledby="pm-chart">
            <h2 id="pm-chart">投稿数とネガティブ率の推移</h2>
            <div id="overview-chart" class="chart" role="img" aria-label="インシデント前後の投稿数とネガティブ率。縦線は出来事の時刻" />
            <script type="application/json" id="overview-data" dangerouslySetInnerHTML={{ __html: jsonForScript(chart) }} />
            <ul class="meta">
              {props.markers.map((m) => (
                <li>
                  {m.label}: {formatJstDateTime(m.at)}
                </li>
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="pm-timeline">
            <h2 id="pm-timeline">経緯</h2>
            <ol class="timeline">
              {timelineLines(f, props.name).map((line) => (
                <li>{displayText(line)}</li>
              ))}
            </ol>
          </section>
          <section class="card" aria-labelledby="pm-posts">
            <h2 id="pm-posts">
              主な否定的投稿 <span class="en">個人情報は伏せ字</span>
            </h2>
            {f.keyPosts.length === 0 ? <p class="muted">ありません。</p> : null}
            <ul class="rows">
              {f.keyPosts.map((p) => (
                <li>
                  <div class="meta">
                    <span>{formatJstDateTime(new Date(p.postedAt))}</span>
                    <span>{displayText(p.author)}</span>
                    <span>反応 {p.engagement}</span>
                    <a href={`/mentions/${p.id}`}>投稿を開く</a>
                  </div>
                  <p class="post">{displayText(p.text)}</p>
                </li>
              ))}
            </ul>
          </section>
        </div>
        <div class="stack">
          <section class="card" aria-labelledby="pm-metrics">
            <h2 id="pm-metrics">指標</h2>
            <dl class="facts">
              {metricNames.map((m) => (
                <>
                  <dt>{metricLabels[m].replace(/ \(.*\)$/, '')}</dt>
                  <dd>{f.metrics[m] === null ? '—（該当なし）' : formatDuration(f.metrics[m])}</dd>
                </>
              ))}
            </dl>
            <h3>影響</h3>
            <dl class="facts">
              <dt>投稿</dt>
              <dd>
                {f.impact.mentions}件（否定的 {f.impact.negative}件
                {f.impact.negativeShare === null ? '' : `・${(f.impact.negativeShare * 100).toFixed(1)}%`}）
              </dd>
              <dt>投稿者</dt>
              <dd>{f.impact.uniqueAuthors}人</dd>
              <dt>ピーク</dt>
              <dd>{f.impact.peakVolume ? `${f.impact.peakVolume.count}件/時` : '—'}</dd>
              <dt>反応数</dt>
              <dd>{f.impact.reach.engagement}</dd>
              <dt>期間</dt>
              <dd>{formatDuration(f.impact.durationMs)}</dd>
            </dl>
          </section>
          <section class="card" aria-labelledby="pm-deadlines">
            <h2 id="pm-deadlines">プレイブックの期限</h2>
            <ul class="tasks">
              {f.deadlines.map((d) => (
                <li class={d.outcome === 'missed' || d.outcome === 'late' ? 'overdue' : d.outcome === 'met' ? 'done' : ''}>
                  <span>{displayText(d.title)}</span>
                  <div class="meta">
                    <span class="due">{outcomeLabels[d.outcome]}</span>
                    <span>期限 {formatJstDateTime(new Date(d.dueAt))}</span>
                    {d.doneAt ? <span>完了 {formatJstDateTime(new Date(d.doneAt))}</span> : null}
                  </div>
                </li>
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="pm-statements">
            <h2 id="pm-statements">使った声明文</h2>
            {f.statements.length === 0 ? <p class="muted">ありません。</p> : null}
            <ul class="rows">
              {f.statements.map((s) => (
                <li>
                  <a href={`/incidents/${pm.incidentId}/statements/${s.id}`}>{displayText(s.title)}</a>
                  <span class="meta">
                    {statementKindLabels[s.kind as keyof typeof statementKindLabels] ?? '声明文'}・
                    {statementStatusLabels[s.status as keyof typeof statementStatusLabels] ?? ''}
                    {s.publishedAt ? `・${formatJstDateTime(new Date(s.publishedAt))} 公開` : ''}
                  </span>
                </li>
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="pm-actions">
            <h2 id="pm-actions">アクション項目</h2>
            {pm.actionItems.length === 0 ? <p class="muted">まだありません。</p> : null}
            <ul class="tasks">
              {pm.actionItems.map((a) => (
                <li class={a.status === 'done' ? 'done' : ''}>
                  <span class="title">{displayText(a.title)}</span>
                  <div class="meta">
                    <span>{a.assigneeName ? displayText(a.assigneeName) : `${roleLabels[a.ownerRole]}（未割り当て）`}</span>
                    <span>期限 {formatJstDateTime(a.dueAt)}</span>
                    <span>{taskStatusLabels[a.status]}</span>
                  </div>
                </li>
              ))}
            </ul>
          </section>
          {draft && v.may('postmortems.approve') ? (
            <section class="card ack-card" aria-labelledby="pm-approve">
              <h2 id="pm-approve">承認</h2>
              <p>第{pm.version}版を承認します。承認後は編集できません。</p>
              <form method="post" action={`${base}/approve`}>
                {csrf}
                <input type="hidden" name="version" value={String(pm.version)} />
                <button type="submit">承認する</button>
              </form>
            </section>
          ) : null}
        </div>
      </div>
      {draft && v.may('postmortems.write') ? (
        <section class="card" aria-labelledby="pm-edit">
          <h2 id="pm-edit">編集</h2>
          <form method="post" action={base}>
            {csrf}
            <input type="hidden" name="version" value={String(pm.version)} />
            <div class="field">
              <label for="pm-f-summary">概要</label>
              <textarea id="pm-f-summary" name="summary" maxlength={20000}>
                {pm.summary}
              </textarea>
            </div>
            <div class="field">
              <label for="pm-f-well">うまくいったこと</label>
              <textarea id="pm-f-well" name="wentWell" maxlength={20000}>
                {pm.wentWell}
              </textarea>
            </div>
            <div class="field">
              <label for="pm-f-badly">うまくいかなかったこと</label>
              <textarea id="pm-f-badly" name="wentBadly" maxlength={20000}>
                {pm.wentBadly}
              </textarea>
            </div>
            <fieldset>
              <legend>アクション項目（題を空にすると外れます）</legend>
              {rows.map((a, i) => (
                <div class="filter-grid action-row">
                  {a ? <input type="hidden" name={`key_${i}`} value={a.key} /> : null}
                  <div class="field">
                    <label for={`a-title-${i}`}>{a ? `項目 ${i + 1}` : '新しい項目'}</label>
                    <input id={`a-title-${i}`} type="text" name={`title_${i}`} value={a?.title ?? ''} maxlength={200} />
                  </div>
                  <div class="field">
                    <label for={`a-owner-${i}`}>担当の役割</label>
                    <select id={`a-owner-${i}`} name={`owner_${i}`}>
                      {roleNames.map((r) => (
                        <option value={r} selected={(a?.ownerRole ?? 'director') === r}>
                          {roleLabels[r]}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div class="field">
                    <label for={`a-assignee-${i}`}>担当者</label>
                    <select id={`a-assignee-${i}`} name={`assignee_${i}`}>
                      <option value="">未割り当て</option>
                      {props.people.map((p) => (
                        <option value={p.id} selected={a?.assigneeId === p.id}>
                          {displayText(p.name)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div class="field">
                    <label for={`a-due-${i}`}>期限（JST・空なら2週間後）</label>
                    <input id={`a-due-${i}`} type="datetime-local" name={`due_${i}`} value={jstInputValue(a?.dueAt ?? null)} />
                  </div>
                </div>
              ))}
              <input type="hidden" name="rows" value={String(rows.length)} />
            </fieldset>
            <div class="actions">
              <button type="submit">保存する（第{pm.version + 1}版）</button>
            </div>
          </form>
          <form method="post" action={`${base}/regenerate`} class="actions">
            {csrf}
            <button type="submit" class="secondary">
              事実を集計し直す（編集した文章はそのまま）
            </button>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}
