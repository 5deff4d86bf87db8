import { escapeHtml, formatJst } from '../display.ts';
import type { Sql } from '../db/connect.ts';
import { ValidationError } from '../errors.ts';
import type { PostmortemFacts } from './facts.ts';
import { formatDuration, jstMonth, median, metricLabels, metricNames, responseMetrics, type Metrics } from './metrics.ts';
import { htmlPage, postmortemStatusLabels } from './render.ts';
import { incidentStatusLabels } from '../incident-record/describe-event.ts';
import type { IncidentStatus } from '../incident-record/lifecycle.ts';

// The org report: incidents per month (JST) and the median of each post-mortem metric per month,
// so directors see whether the response is getting faster. Cancelled incidents are not counted.

export interface ReportIncident {
  id: string;
  title: string;
  severity: number;
  status: string;
  detectedAt: Date;
  postmortem: 'none' | 'draft' | 'approved';
  metrics: Metrics;
}

export interface MonthRow {
  month: string;
  incidents: number;
  medians: Metrics;
}

/** Months from the first to the last incident's, each with its count and medians (empty months included). */
export function monthlyTrend(items: readonly ReportIncident[], range: { from: Date; to: Date }): MonthRow[] {
  const months: string[] = [];
  const last = jstMonth(new Date(range.to.getTime() - 1));
  for (let m = jstMonth(range.from); m <= last; m = nextMonth(m)) months.push(m);
  return months.map((month) => {
    const inMonth = items.filter((i) => jstMonth(i.detectedAt) === month);
    const medians = Object.fromEntries(metricNames.map((n) => [n, median(inMonth.map((i) => i.metrics[n]))])) as unknown as Metrics;
    return { month, incidents: inMonth.length, medians };
  });
}

function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

const MAX_RANGE_MS = 5 * 366 * 24 * 3_600_000;

export function reportRange(from: Date | undefined, to: Date | undefined, now: Date): { from: Date; to: Date } {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - 365 * 24 * 3_600_000);
  if (start.getTime() >= end.getTime()) throw new ValidationError('from must be before to');
  if (end.getTime() - start.getTime() > MAX_RANGE_MS) throw new ValidationError('the range may be at most 5 years');
  return { from: start, to: end };
}

export async function incidentReport(sql: Sql, orgId: string, range: { from: Date; to: Date }) {
  // Served by incidents_org_detected_idx.
  const rows = await sql<
    {
      id: string;
      title: string;
      severity: number;
      status: string;
      detected_at: Date;
      acknowledged_at: Date | null;
      first_response_at: Date | null;
      resolved_at: Date | null;
      pm_status: 'draft' | 'approved' | null;
      facts: PostmortemFacts | null;
    }[]
  >`
    select i.id, i.title, i.severity, i.status, i.detected_at, i.acknowledged_at, i.first_response_at, i.resolved_at,
      p.status as pm_status, p.facts
    from incidents i left join postmortems p on p.org_id = i.org_id and p.incident_id = i.id
    where i.org_id = ${orgId} and i.status <> 'cancelled' and i.detected_at >= ${range.from} and i.detected_at < ${range.to}
    order by i.detected_at, i.id`;
  const incidents: ReportIncident[] = rows.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    detectedAt: r.detected_at,
    postmortem: r.pm_status ?? 'none',
    // Detection and recovery need the episode's facts (the post-mortem); the rest the incident's own times.
    metrics: {
      ...responseMetrics({
        firstNegativeAt: null,
        firstAlertAt: null,
        detectedAt: r.detected_at,
        acknowledgedAt: r.acknowledged_at,
        firstResponseAt: r.first_response_at,
        resolvedAt: r.resolved_at,
        recovery: { peakAt: null, peakNegative: 0, recoveredAt: null, recoveryMs: null },
      }),
      timeToDetectMs: r.facts?.metrics.timeToDetectMs ?? null,
      sentimentRecoveryMs: r.facts?.metrics.sentimentRecoveryMs ?? null,
    },
  }));
  return { from: range.from, to: range.to, timeZone: 'Asia/Tokyo', months: monthlyTrend(incidents, range), incidents };
}
export type IncidentReport = Awaited<ReturnType<typeof incidentReport>>;

export function renderReportHtml(report: IncidentReport, orgName: string): string {
  const h = escapeHtml;
  const head = `<tr><th>月 (month, JST)</th><th>件数</th>${metricNames.map((n) => `<th>${h(metricLabels[n])}<br><span class="small">中央値 (median)</span></th>`).join('')}</tr>`;
  const rows = report.months
    .map(
      (m) =>
        `<tr><td>${h(m.month)}</td><td>${m.incidents}</td>${metricNames.map((n) => `<td>${h(formatDuration(m.medians[n]))}</td>`).join('')}</tr>`,
    )
    .join('');
  const list = report.incidents
    .map(
      (i) =>
        `<tr><td>#${h(i.id)}</td><td>${h(formatJst(i.detectedAt))}</td><td>${h(i.title)}</td><td>${i.severity}</td><td>${h(incidentStatusLabels[i.status as IncidentStatus] ?? i.status)}</td><td>${h(i.postmortem === 'none' ? 'なし' : (postmortemStatusLabels[i.postmortem] ?? i.postmortem))}</td></tr>`,
    )
    .join('');
  const body =
    `<h1>インシデント報告 (incident report): ${h(orgName)}</h1>` +
    `<p class="meta">${h(formatJst(report.from))} 〜 ${h(formatJst(report.to))}</p>` +
    `<h2>月別の件数と指標 (per month)</h2><table>${head}${rows}</table>` +
    `<h2>インシデント一覧 (incidents)</h2><table><tr><th>ID</th><th>検知</th><th>件名</th><th>深刻度</th><th>状態</th><th>ポストモーテム</th></tr>${list}</table>` +
    '<p class="small">指標の中央値は値のあるインシデントだけで計算します（公式発表がない等の「—」は含みません）。</p>';
  return htmlPage(`インシデント報告: ${orgName}`, body);
}
