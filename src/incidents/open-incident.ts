import { shortTitle, withSeverity } from '../detection/short-title.ts';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';
import { advisoryKey, lockNames } from '../db/locks.ts';
import { NotFoundError } from '../errors.ts';
import type { Row } from '../db/schema.ts';
import { assignOncallTasks } from '../oncall/overdue-tasks.ts';
import { addMatchingTasks, currentPlaybook } from './queries.ts';
import { appendEvent, type IncidentRow } from '../incident-record/incident.ts';

// Opening an incident from an alert, and attaching further alerts to it. Both run inside the
// caller's transaction (the detection pass or a promote request), so the alert, the incident,
// its tasks, timeline and audit rows commit together or not at all.

export interface AlertFacts {
  orgId: string;
  id: string;
  kind: 'crisis' | 'notice';
  severity: number;
  openedAt: Date;
  summary: string;
  /** 「職員の不適切投稿の疑い・深刻度5」: the incident's title when the alert opens one. */
  title: string;
  riskCategories: string[];
}

export async function loadAlertFacts(tx: Tx, orgId: string, alertId: string): Promise<AlertFacts> {
  const [row] = await tx<Pick<Row<'alerts'>, 'id' | 'kind' | 'severity' | 'opened_at' | 'summary_ja' | 'explanation'>[]>`
    select id, kind, severity, opened_at, summary_ja, explanation from alerts where org_id = ${orgId} and id = ${alertId}`;
  if (!row) throw new NotFoundError('アラートが見つかりません (alert not found)');
  return {
    orgId,
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    openedAt: row.opened_at,
    summary: row.summary_ja,
    title: shortTitle(row.kind, row.severity, row.explanation),
    riskCategories: riskCategoriesOf(row.explanation),
  };
}

/** The risk categories an alert's explanation names (hostile-tolerant: anything malformed is skipped). */
export function riskCategoriesOf(explanation: unknown): string[] {
  const list = (explanation as { riskCategories?: unknown } | null)?.riskCategories;
  if (!Array.isArray(list)) return [];
  return [
    ...new Set(
      list.map((r) => (r as { category?: unknown })?.category).filter((c): c is string => typeof c === 'string' && c.length <= 100),
    ),
  ];
}

/** Serialises incident creation per org: two series of one flare-up must not open two incidents. */
export async function lockOrgIncidents(tx: Tx, orgId: string): Promise<void> {
  await lockAuditChain(tx, orgId);
  await tx`select pg_advisory_xact_lock(${advisoryKey(lockNames.incidents(orgId))}::bigint)`;
}

export async function attachedIncidentId(tx: Tx, orgId: string, alertId: string): Promise<string | null> {
  const [row] = await tx<
    Pick<Row<'incident_alerts'>, 'incident_id'>[]
  >`select incident_id from incident_alerts where org_id = ${orgId} and alert_id = ${alertId}`;
  return row?.incident_id ?? null;
}

export async function openIncidentForAlert(
  tx: Tx,
  actor: AuditActor,
  alert: AlertFacts,
  at: Date,
  how: 'auto' | 'promoted',
): Promise<IncidentRow> {
  const playbook = await currentPlaybook(tx, alert.orgId);
  // Short and human; the long explanation stays on the alert (its page, the mail's body).
  const title = alert.title || `アラート #${alert.id}`;
  // detected_at is when the alert saw the flare-up, not when someone promoted it.
  const [incident] = await tx<IncidentRow[]>`
    insert into incidents (org_id, title, status, severity, risk_categories, playbook_version, detected_at, created_at, updated_at)
    values (${alert.orgId}, ${title}, 'triage', ${alert.severity}, ${alert.riskCategories}, ${playbook.version}, ${alert.openedAt}, ${at}, ${at})
    returning *`;
  await tx`insert into incident_alerts (org_id, alert_id, incident_id, attached_at) values (${alert.orgId}, ${alert.id}, ${incident!.id}, ${at})`;
  await appendEvent(tx, {
    orgId: alert.orgId,
    incidentId: incident!.id,
    at,
    kind: 'opened',
    actor,
    data: { how, alertId: alert.id, severity: alert.severity, riskCategories: alert.riskCategories, playbookVersion: playbook.version },
  });
  const tasks = await addMatchingTasks(tx, incident!, actor, at);
  await assignOncallTasks(tx, alert.orgId, incident!.id, at);
  await recordAudit(tx, actor, {
    orgId: alert.orgId,
    action: 'incident.open',
    targetType: 'incident',
    targetId: incident!.id,
    after: { how, alertId: alert.id, severity: alert.severity, riskCategories: alert.riskCategories, tasks },
  });
  return incident!;
}

/**
 * Attaches an alert to an open incident. A higher alert severity raises the incident's (never
 * lowers it) and new risk categories widen it; either adds the playbook steps that now match.
 */
export async function attachAlert(tx: Tx, actor: AuditActor, incident: IncidentRow, alert: AlertFacts, at: Date): Promise<IncidentRow> {
  await tx`
    insert into incident_alerts (org_id, alert_id, incident_id, attached_at) values (${alert.orgId}, ${alert.id}, ${incident.id}, ${at})
    on conflict (org_id, alert_id) do nothing`;
  await appendEvent(tx, {
    orgId: alert.orgId,
    incidentId: incident.id,
    at,
    kind: 'alert_attached',
    actor,
    data: { alertId: alert.id, severity: alert.severity },
  });
  const updated = await widenIncident(tx, actor, incident, alert, at);
  await recordAudit(tx, actor, {
    orgId: alert.orgId,
    action: 'incident.attach_alert',
    targetType: 'incident',
    targetId: incident.id,
    after: { alertId: alert.id },
  });
  return updated;
}

/** Raises severity and adds risk categories from an alert; adds the tasks that now match. */
export async function widenIncident(tx: Tx, actor: AuditActor, incident: IncidentRow, alert: AlertFacts, at: Date): Promise<IncidentRow> {
  const categories = [...new Set([...incident.risk_categories, ...alert.riskCategories])];
  const raise = alert.severity > incident.severity;
  if (!raise && categories.length === incident.risk_categories.length) return incident;
  const [updated] = await tx<IncidentRow[]>`
    update incidents set severity = greatest(severity, ${alert.severity}), risk_categories = ${categories}, updated_at = ${at},
      title = ${raise ? withSeverity(incident.title, alert.severity) : incident.title}
    where org_id = ${incident.org_id} and id = ${incident.id} returning *`;
  if (raise) {
    await appendEvent(tx, {
      orgId: incident.org_id,
      incidentId: incident.id,
      at,
      kind: 'severity_changed',
      actor,
      data: {
        from: incident.severity,
        to: updated!.severity,
        reason: `アラート #${alert.id} の深刻度 ${alert.severity}`,
        alertId: alert.id,
      },
    });
    await recordAudit(tx, actor, {
      orgId: incident.org_id,
      action: 'incident.severity',
      targetType: 'incident',
      targetId: incident.id,
      before: { severity: incident.severity },
      after: { severity: updated!.severity, alertId: alert.id },
    });
  }
  await addMatchingTasks(tx, updated!, actor, at);
  await assignOncallTasks(tx, incident.org_id, incident.id, at);
  return updated!;
}
