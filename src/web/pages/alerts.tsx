/** @jsxImportSource hono/jsx */
import type { AlertView } from '../../detection-pass/queries.ts';
import { shortTitle } from '../../detection/short-title.ts';
import { displayText, formatJstDateTime } from '../../display.ts';
import type { CountBucket } from '../../mentions/queries.ts';
import type { MailFacts } from '../../notify/compose-alert-mail.ts';
import type { WatchTarget } from '../../organizations/organizations.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { alertKindLabels, alertStatusLabels, severityLabel } from '../labels.ts';
import { jsonForScript } from '../json.ts';
import { sinceJa } from '../time.ts';

// The alert inbox and one alert: why it fired (observed against the usual, which detectors and how
// strongly, risk categories, rising terms, sample posts), its episode's history, and the way on
// (the incident, or promoting it to one).

const filters = [
  { label: '継続中', query: 'status=open' },
  { label: '炎上の疑い', query: 'kind=crisis' },
  { label: 'お知らせ', query: 'kind=notice' },
  { label: '終了', query: 'status=closed' },
  { label: 'すべて', query: '' },
];

export function AlertsPage(props: { viewer: Viewer; alerts: AlertView[]; current: string; mutedTargets: ReadonlySet<string> }) {
  return (
    <Layout viewer={props.viewer} title="アラート" current="/alerts">
      <h1>
        アラート <span class="en">Alerts</span>
      </h1>
      <nav aria-label="絞り込み" class="card">
        <ul class="nav filters">
          {filters.map((f) => (
            <li>
              <a href={`/alerts${f.query ? `?${f.query}` : ''}`} aria-current={props.current === f.query ? 'page' : undefined}>
                {f.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="card" aria-label="アラートの一覧">
        {props.alerts.length === 0 ? <p class="muted">該当するアラートはありません。</p> : null}
        <ul class="rows">
          {props.alerts.map((a) => (
            <li>
              <div class="meta">
                <span class={`badge ${a.kind}`}>{alertKindLabels[a.kind]}</span>
                <span class={`badge sev-${a.severity}`}>{severityLabel(a.severity)}</span>
                <span>{alertStatusLabels[a.status]}</span>
                <span>{formatJstDateTime(a.openedAt)} から</span>
                {a.watchTargetId && props.mutedTargets.has(a.watchTargetId) ? <span class="badge">ミュート中</span> : null}
              </div>
              <a href={`/alerts/${a.id}`}>{shortTitle(a.kind, a.severity, a.explanation)}</a>
              <span class="muted">{displayText(a.latest.summary)}</span>
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

export interface AlertEventRow {
  action: string;
  severity: number;
  bucket_start: Date;
  summary: string;
}

/** The alert's posts in the feed: six hours before it opened to when it closed (or now). */
function postsLink(a: Pick<AlertView, 'openedAt' | 'closedAt'>, targetId: string | null): string {
  const q = new URLSearchParams({ from: new Date(a.openedAt.getTime() - 6 * 3_600_000).toISOString() });
  if (a.closedAt) q.set('to', a.closedAt.toISOString());
  if (targetId) q.set('watchTargetId', targetId);
  return `/mentions?${q.toString()}`;
}

export const muteDurations = { '1h': '1時間', '4h': '4時間', '24h': '24時間', '3d': '3日間', '7d': '7日間' } as const;

/** Whether the watch target's notices are muted, and the form to mute it (managers) or end the mute. */
function MuteCard(props: { viewer: Viewer; alertId: string; target: Pick<WatchTarget, 'id' | 'name' | 'mute'>; mutedBy: string | null }) {
  const v = props.viewer;
  const mute = props.target.mute && props.target.mute.until > v.now ? props.target.mute : null;
  const csrf = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  return (
    <section class="card" aria-labelledby="mute-h">
      <h2 id="mute-h">お知らせのミュート</h2>
      {mute ? (
        <>
          <p class="notice">
            <strong>「{displayText(props.target.name)}」はミュート中</strong>：{formatJstDateTime(mute.until)}（JST）まで
            {props.mutedBy ? `（${displayText(props.mutedBy)}が設定）` : ''}
            <br />
            理由: {displayText(mute.reason)}
          </p>
          <p class="muted">お知らせのメールは送られません。炎上の疑いは、ミュート中でも通知されます。</p>
          {v.may('alerts.mute') ? (
            <form method="post" action={`/alerts/${props.alertId}/unmute`}>
              {csrf}
              <button type="submit" class="secondary">
                ミュートを解除
              </button>
            </form>
          ) : null}
        </>
      ) : v.may('alerts.mute') ? (
        <form method="post" action={`/alerts/${props.alertId}/mute`}>
          {csrf}
          <p class="muted">
            テレビ出演やキャンペーンなど、理由のわかっている話題で「{displayText(props.target.name)}
            」のお知らせが続くときに。炎上の疑いは止まりません。
          </p>
          <div class="field">
            <label for="mute-for">期間</label>
            <select id="mute-for" name="duration">
              {Object.entries(muteDurations).map(([value, label]) => (
                <option value={value} selected={value === '24h'}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="mute-reason">理由（記録されます）</label>
            <textarea id="mute-reason" name="reason" maxlength={500} required></textarea>
          </div>
          <button type="submit" class="secondary">
            お知らせをミュート
          </button>
        </form>
      ) : (
        <p class="muted">ミュートされていません。</p>
      )}
    </section>
  );
}

const actionLabels: Record<string, string> = { open: '発生', escalate: '深刻度の上昇', reopen: '再発', update: '更新', close: '終了' };

export function AlertPage(props: {
  viewer: Viewer;
  alert: AlertView & { events: AlertEventRow[] };
  facts: MailFacts;
  series: CountBucket[];
  incidentId: string | null;
  /** The alert's watch target (null for the organisation-wide series). */
  target: Pick<WatchTarget, 'id' | 'name' | 'mute'> | null;
  /** The person who muted it, by name. */
  mutedBy: string | null;
  flash?: string;
}) {
  const a = props.alert;
  const f = props.facts;
  const v = props.viewer;
  const chart = {
    byWatchTarget: [{ key: 'alert', label: '投稿数', points: props.series.map((b) => [b.start.getTime(), b.total, b.negative]) }],
    bySource: [],
    baseline: f.expected,
  };
  return (
    <Layout
      viewer={v}
      title={shortTitle(a.kind, a.severity, a.explanation)}
      current="/alerts"
      scripts={['uplot.js', 'volume-chart.js']}
      styles={['uplot.css']}
    >
      <p class="muted">
        <a href="/alerts">アラート一覧</a> ›
      </p>
      <h1>{shortTitle(a.kind, a.severity, a.explanation)}</h1>
      <Flash message={props.flash} />
      <p>{displayText(a.latest.summary)}</p>
      <p class="meta">
        <span class={`badge ${a.kind}`}>{alertKindLabels[a.kind]}</span>
        <span class={`badge sev-${a.severity}`}>ピーク {severityLabel(a.severity)}</span>
        <span>{alertStatusLabels[a.status]}</span>
        <span>
          {formatJstDateTime(a.openedAt)} から（{sinceJa(a.openedAt, a.closedAt ?? v.now)}
          {a.closedAt ? '続いた' : '経過'}）
        </span>
      </p>
      <div class="grid two">
        <div class="stack">
          <section class="card" aria-labelledby="why">
            <h2 id="why">通常との比較</h2>
            <dl class="facts">
              {f.observed !== null ? (
                <>
                  <dt>投稿量{f.bucket ? `（${f.bucket}）` : ''}</dt>
                  <dd>
                    {Math.round(f.observed)}件{f.expected !== null ? `（通常 約${f.expected.toFixed(1)}件）` : ''}
                  </dd>
                </>
              ) : null}
              {f.negativeObserved !== null ? (
                <>
                  <dt>否定的な投稿の割合</dt>
                  <dd>
                    {Math.round(f.negativeObserved * 100)}%
                    {f.negativeBaseline !== null ? `（通常 ${Math.round(f.negativeBaseline * 100)}%）` : ''}
                  </dd>
                </>
              ) : null}
              {f.fired.length > 0 ? (
                <>
                  <dt>反応した検知器</dt>
                  <dd>{f.fired.join('、')}</dd>
                </>
              ) : null}
              {f.criticalNew.length > 0 ? (
                <>
                  <dt>重大ワードの初出</dt>
                  <dd>{f.criticalNew.map(displayText).join('、')}</dd>
                </>
              ) : null}
              {f.risks.length > 0 ? (
                <>
                  <dt>リスク分類</dt>
                  <dd>{f.risks.map((r) => `${displayText(r.category)}（${r.count}件）`).join('、')}</dd>
                </>
              ) : null}
              {f.terms.length > 0 ? (
                <>
                  <dt>増えている語</dt>
                  <dd>{f.terms.map(displayText).join('、')}</dd>
                </>
              ) : null}
              {f.ownPost ? (
                <>
                  <dt>発端とみられる当院の投稿</dt>
                  <dd>
                    <a href={`/posts/${f.ownPost.postId}`}>{displayText(f.ownPost.line)}</a>
                  </dd>
                </>
              ) : null}
            </dl>
            <h3>前後の投稿数（5分ごと）</h3>
            <div id="overview-chart" class="chart" role="img" aria-label="アラート前後の投稿数と通常の水準" />
            <script type="application/json" id="overview-data" dangerouslySetInnerHTML={{ __html: jsonForScript(chart) }} />
          </section>
          {f.samples.length > 0 ? (
            <section class="card" aria-labelledby="samples">
              <h2 id="samples">
                投稿の例 <span class="en">原文のまま・未確認の情報を含みます</span>
              </h2>
              <ul class="rows">
                {f.samples.map((s) => (
                  <li>
                    <p class="post">{displayText(s.text)}</p>
                    {s.url ? (
                      <a href={s.url} rel="noopener noreferrer nofollow" target="_blank">
                        元の投稿を開く
                      </a>
                    ) : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>
        <div class="stack">
          <section class="card" aria-labelledby="next">
            <h2 id="next">対応</h2>
            {props.incidentId ? (
              <p>
                <a class="button" href={`/incidents/${props.incidentId}`}>
                  インシデントを開く
                </a>
              </p>
            ) : v.may('incidents.manage') && a.status === 'open' ? (
              <form method="post" action={`/alerts/${a.id}/incident`}>
                <input type="hidden" name="_csrf" value={v.csrfToken} />
                <p>このアラートからインシデントを開始し、プレイブックのタスクを作ります。</p>
                <button type="submit" class="danger">
                  インシデントにする
                </button>
              </form>
            ) : (
              <p class="muted">インシデントはありません。</p>
            )}
          </section>
          {props.target ? <MuteCard viewer={v} alertId={a.id} target={props.target} mutedBy={props.mutedBy} /> : null}
          <section class="card" aria-labelledby="posts-h">
            <h2 id="posts-h">投稿</h2>
            <p>
              <a href={postsLink(a, props.target?.id ?? null)}>この時間帯の投稿を一覧で見る</a>
            </p>
          </section>
          <section class="card" aria-labelledby="history">
            <h2 id="history">経過</h2>
            <ol class="timeline" reversed>
              {[...a.events].reverse().map((e) => (
                <li>
                  <time datetime={e.bucket_start.toISOString()}>{formatJstDateTime(e.bucket_start)}</time>
                  <b>{actionLabels[e.action] ?? '記録'}</b>（{severityLabel(e.severity)}）<div class="post">{displayText(e.summary)}</div>
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </Layout>
  );
}
