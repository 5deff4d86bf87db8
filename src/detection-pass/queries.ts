import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';

export interface AlertView {
  id: string;
  orgId: string;
  watchTargetId: string | null;
  episodeId: string;
  kind: 'crisis' | 'notice';
  status: 'open' | 'closed';
  severity: number;
  peakScore: number;
  openedAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Describes the peak, the same moment as severity. */
  summary: string;
  /** The latest decision: its severity and summary describe the same bucket. */
  latest: { severity: number; summary: string; at: Date };
  explanation: unknown;
}

type AlertRow = Row<'alerts'>;

function toView(r: AlertRow): AlertView {
  return {
    id: r.id,
    orgId: r.org_id,
    watchTargetId: r.watch_target_id,
    episodeId: r.episode_id,
    kind: r.kind,
    status: r.status,
    severity: r.severity,
    peakScore: r.peak_score,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    summary: r.summary_ja,
    // Rows from before the latest_* columns (or written by hand) have only their peak.
    latest: { severity: r.latest_severity ?? r.severity, summary: r.latest_summary_ja ?? r.summary_ja, at: r.latest_at ?? r.updated_at },
    explanation: r.explanation,
  };
}

export async function listAlerts(
  sql: Sql,
  f: { orgId: string; status?: 'open' | 'closed'; kind?: 'crisis' | 'notice'; limit?: number },
): Promise<AlertView[]> {
  const rows = await sql<AlertRow[]>`
    select * from alerts
    where org_id = ${f.orgId}
      ${f.status ? sql`and status = ${f.status}` : sql``}
      ${f.kind ? sql`and kind = ${f.kind}` : sql``}
    order by opened_at desc, id desc
    limit ${Math.min(Math.max(f.limit ?? 50, 1), 200)}`;
  return rows.map(toView);
}

export async function getAlert(sql: Sql, orgId: string, id: string) {
  const [row] = await sql<AlertRow[]>`select * from alerts where org_id = ${orgId} and id = ${id}`;
  if (!row) return null;
  const events = await sql<
    (Pick<Row<'alert_events'>, 'action' | 'notify' | 'severity' | 'score' | 'bucket_start' | 'created_at'> & { summary: string })[]
  >`
    select action, notify, severity, score, bucket_start, summary_ja as summary, created_at
    from alert_events where org_id = ${orgId} and alert_id = ${id} order by id`;
  return { ...toView(row), events };
}
