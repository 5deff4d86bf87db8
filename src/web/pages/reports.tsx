/** @jsxImportSource hono/jsx */
import { displayText, formatJstDateTime } from '../../display.ts';
import { metricLabels, metricNames } from '../../postmortems/metrics.ts';
import type { IncidentReport } from '../../postmortems/report.ts';
import { postmortemStatusLabels } from '../../postmortems/render.ts';
import { jsonForScript } from '../json.ts';
import { Layout, type Viewer } from '../layout.tsx';
import { incidentStatusLabels, severityLabel } from '../labels.ts';
import { short } from './postmortems.tsx';

// The monthly report for directors: incidents per month and the median times to detect,
// acknowledge, state, resolve and recover, as a chart (report-chart.js) and as the same figures in
// a table, then the incidents of the period with their post-mortems.

export function ReportPage(props: { viewer: Viewer; report: IncidentReport; months: number; printHref: string }) {
  const r = props.report;
  const data = {
    months: r.months.map((m) => ({ month: m.month, incidents: m.incidents, medians: m.medians })),
    metrics: metricNames.map((key) => ({ key, label: metricLabels[key].replace(/ \(.*\)$/, '') })),
  };
  return (
    <Layout
      viewer={props.viewer}
      title="インシデント報告"
      current="/reports"
      scripts={['uplot.js', 'report-chart.js']}
      styles={['uplot.css']}
    >
      <h1>
        インシデント報告 <span class="en">月別・日本時間</span>
      </h1>
      <nav aria-label="期間" class="card">
        <ul class="nav filters">
          {[12, 24, 60].map((m) => (
            <li>
              <a href={`/reports?months=${m}`} aria-current={props.months === m ? 'page' : undefined}>
                {m === 60 ? '5年' : `${m}か月`}
              </a>
            </li>
          ))}
          <li>
            <a href={props.printHref} target="_blank" rel="noopener">
              印刷用ページ
            </a>
          </li>
        </ul>
      </nav>
      <div class="grid halves">
        <section class="card" aria-labelledby="rep-counts">
          <h2 id="rep-counts">インシデント件数</h2>
          <div id="report-counts" class="chart" role="img" aria-label="月ごとのインシデント件数（取り消しを除く）" />
        </section>
        <section class="card" aria-labelledby="rep-medians">
          <h2 id="rep-medians">対応にかかった時間（中央値）</h2>
          <div id="report-medians" class="chart" role="img" aria-label="月ごとの検知・受領・第一報・解決・回復までの時間の中央値（分）" />
        </section>
      </div>
      <script type="application/json" id="report-data" dangerouslySetInnerHTML={{ __html: jsonForScript(data) }} />
      <section class="card" aria-labelledby="rep-table">
        <h2 id="rep-table">月別の数値</h2>
        <div class="table-scroll">
          <table class="figures-table">
            <thead>
              <tr>
                <th scope="col">月</th>
                <th scope="col">件数</th>
                {metricNames.map((n) => (
                  <th scope="col">{metricLabels[n].replace(/ \(.*\)$/, '')}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.months.map((m) => (
                <tr>
                  <th scope="row">{m.month.replace('-', '/')}</th>
                  <td>{m.incidents}</td>
                  {metricNames.map((n) => (
                    <td>{short(m.medians[n])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="muted">
          中央値は値のあるインシデントだけで計算します（公式発表がない等の「—」は含みません）。取り消したインシデントは数えません。
        </p>
      </section>
      <section class="card" aria-labelledby="rep-list">
        <h2 id="rep-list">インシデント</h2>
        {r.incidents.length === 0 ? <p class="muted">この期間のインシデントはありません。</p> : null}
        <ul class="rows">
          {[...r.incidents].reverse().map((i) => (
            <li>
              <div class="meta">
                <span class={`badge sev-${i.severity}`}>{severityLabel(i.severity)}</span>
                <span>{incidentStatusLabels[i.status as keyof typeof incidentStatusLabels] ?? ''}</span>
                <span>{formatJstDateTime(i.detectedAt)} 検知</span>
              </div>
              <a href={`/incidents/${i.id}`}>{displayText(i.title)}</a>
              {i.postmortem === 'none' ? (
                <span class="muted">ポストモーテムなし</span>
              ) : (
                <a href={`/incidents/${i.id}/postmortem`}>ポストモーテム（{postmortemStatusLabels[i.postmortem]}）</a>
              )}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
