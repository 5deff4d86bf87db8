import { systemActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';
import { openStatuses } from './lifecycle.ts';
import { appendEvent, type IncidentRow } from './queries.ts';
import { attachAlert, attachedIncidentId, loadAlertFacts, lockOrgIncidents, openIncidentForAlert, widenIncident } from './open-incident.ts';

export const DEFAULT_AUTO_OPEN_SEVERITY = 3;
/** Alerts within this long of an open incident's detection belong to it (one flare-up, several series). */
export const DEDUPE_WINDOW_MS = 24 * 3_600_000;

export interface AlertChangeForIncident {
  orgId: string;
  alertId: string;
  action: string;
  /** Recent enough to page someone; catching up on history opens no incident about the past. */
  notify: boolean;
  at: Date;
}

export async function autoOpenSeverityOf(tx: Tx, orgId: string): Promise<number> {
  const [row] = await tx<{ v: unknown }[]>`select settings -> 'incidents' -> 'autoOpenSeverity' as v from organizations where id = ${orgId}`;
  const v = row?.v;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5 ? v : DEFAULT_AUTO_OPEN_SEVERITY;
}

/**
 * Called by the detection pass inside its transaction whenever an alert event is recorded.
 * An alert already attached updates its incident; a crisis alert at or above the org's threshold
 * joins the open incident of the dedupe window or opens one. Idempotent: the alert → incident
 * key and the per-org lock mean a replayed pass opens nothing twice.
 */
export async function incidentForAlertChange(tx: Tx, change: AlertChangeForIncident): Promise<{ incidentId: string; action: 'opened' | 'attached' | 'updated' } | null> {
  if (change.action === 'close') return null;
  await lockOrgIncidents(tx, change.orgId);
  const alert = await loadAlertFacts(tx, change.orgId, change.alertId);
  const already = await attachedIncidentId(tx, change.orgId, change.alertId);
  if (already) {
    const [incident] = await tx<IncidentRow[]>`select * from incidents where org_id = ${change.orgId} and id = ${already} for no key update`;
    // On the timeline even when the incident is over: a second wave is what someone reopens it for.
    if (change.action === 'escalate' || change.action === 'reopen') {
      await appendEvent(tx, { orgId: change.orgId, incidentId: already, at: change.at, kind: 'alert_updated', actor: systemActor, data: { alertId: alert.id, action: change.action, severity: alert.severity } });
    }
    // Severity and tasks follow the alert only while people are working on the incident.
    if (incident && openStatuses.includes(incident.status)) await widenIncident(tx, systemActor, incident, alert, change.at);
    return { incidentId: already, action: 'updated' };
  }
  if (alert.kind !== 'crisis' || alert.severity < (await autoOpenSeverityOf(tx, change.orgId))) return null;
  const [open] = await tx<IncidentRow[]>`
    select * from incidents
    where org_id = ${change.orgId} and status in ('triage', 'active', 'stable') and detected_at >= ${new Date(alert.openedAt.getTime() - DEDUPE_WINDOW_MS)}
    order by detected_at desc, id desc limit 1 for no key update`;
  if (open) {
    await attachAlert(tx, systemActor, open, alert, change.at);
    return { incidentId: open.id, action: 'attached' };
  }
  if (!change.notify) return null;
  const incident = await openIncidentForAlert(tx, systemActor, alert, change.at, 'auto');
  return { incidentId: incident.id, action: 'opened' };
}
