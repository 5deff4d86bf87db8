/** @jsxImportSource hono/jsx */
import { displayText, formatJstDateTime } from '../../display.ts';
import type { IncidentView } from '../../incident-record/incident.ts';
import { Layout, type Viewer } from '../layout.tsx';
import { incidentStatusLabels, severityLabel } from '../labels.ts';
import { sinceJa } from '../time.ts';

// The incident list: open ones first (the banner's), then the rest, newest first.

export function IncidentsPage(props: { viewer: Viewer; open: IncidentView[]; ended: IncidentView[] }) {
  const now = props.viewer.now;
  const row = (i: IncidentView) => (
    <li>
      <div class="meta">
        <span class={`badge sev-${i.severity}`}>{severityLabel(i.severity)}</span>
      </div>
      <div>
        <a href={`/incidents/${i.id}`}>{displayText(i.title)}</a>
        <div class="meta">
          <span>{incidentStatusLabels[i.status]}</span>
          <span>検知 {formatJstDateTime(i.detectedAt)}</span>
        </div>
      </div>
      <div class="meta">
        {i.acknowledgedAt ? <span>受領 {formatJstDateTime(i.acknowledgedAt)}</span> : <span class="error">未受領</span>}
      </div>
      <div class="meta">
        <span>{i.resolvedAt ? `解決まで${sinceJa(i.detectedAt, i.resolvedAt)}` : `経過 ${sinceJa(i.detectedAt, now)}`}</span>
      </div>
    </li>
  );
  return (
    <Layout viewer={props.viewer} title="インシデント" current="/incidents">
      <h1>
        インシデント <span class="en">Incidents</span>
      </h1>
      <section class="card" aria-labelledby="open">
        <h2 id="open">対応中</h2>
        {props.open.length === 0 ? <p class="muted">対応中のインシデントはありません。</p> : null}
        <ul class="rows incidents">{props.open.map(row)}</ul>
      </section>
      <section class="card" aria-labelledby="ended">
        <h2 id="ended">終了したもの（新しい順）</h2>
        {props.ended.length === 0 ? <p class="muted">まだありません。</p> : null}
        <ul class="rows incidents">{props.ended.map(row)}</ul>
      </section>
    </Layout>
  );
}
