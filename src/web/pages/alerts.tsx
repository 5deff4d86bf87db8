/** @jsxImportSource hono/jsx */
import type { AlertView } from '../../detection-pass/queries.ts';
import { shortTitle } from '../../detection/short-title.ts';
import { displayText, formatJstDateTime } from '../../display.ts';
import type { CountBucket } from '../../mentions/queries.ts';
import type { MailFacts } from '../../notify/compose-alert-mail.ts';
import { Layout, type Viewer } from '../layout.tsx';
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

export function AlertsPage(props: { viewer: Viewer; alerts: AlertView[]; current: string }) {
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

const actionLabels: Record<string, string> = { open: '発生', escalate: '深刻度の上昇', reopen: '再発', update: '更新', close: '終了' };

export function AlertPage(props: {
  viewer: Viewer;
  alert: AlertView & { events: AlertEventRow[] };
  facts: MailFacts;
  series: CountBucket[];
  incidentId: string | null;
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
