import { systemActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';
import { openStatuses } from '../incident-record/lifecycle.ts';
import { appendEvent, type IncidentRow } from '../incident-record/incident.ts';
import { attachAlert, attachedIncidentId, loadAlertFacts, lockOrgIncidents, openIncidentForAlert, widenIncident } from './open-incident.ts';
import { mayRelapse, relapseCandidate, relapseIncident } from './relapse-incident.ts';

export const DEFAULT_AUTO_OPEN_SEVERITY = 3;
/** Alerts within this long of an open incident's detection belong to it (one flare-up, several series). */
export const DEDUPE_WINDOW_MS = 24 * 3_600_000;

export interface AlertChangeForIncident {
  orgId: string;
  alertId: string;
  action: string;
  /** Recent enough to page someone; catching up on history opens no incident about the past. */
  notify: boolean;
  /**
   * The alert event is about a recent bucket (not history being caught up on). The detector says
   * notify=false for a wave that resumes an episode at the severity it already mailed — exactly
   * the wave that relapses a resolved incident — so a relapse asks this instead. Absent: `notify`
   * stands in for it (history always has notify=false, so it never relapses either way).
   */
  recent?: boolean;
  at: Date;
}

export type IncidentForAlert =
  | { incidentId: string; action: 'opened' | 'attached' | 'updated' }
  /** A resolved incident reopened by a new wave: page it as for 'opened'. `relapse` counts from 1 per incident. */
  | { incidentId: string; action: 'relapsed'; relapse: number };

export async function autoOpenSeverityOf(tx: Tx, orgId: string): Promise<number> {
  const [row] = await tx<
    { v: unknown }[]
  >`select settings -> 'incidents' -> 'autoOpenSeverity' as v from organizations where id = ${orgId}`;
  const v = row?.v;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5 ? v : DEFAULT_AUTO_OPEN_SEVERITY;
}

/** Actions that mean a wave (a new episode, a resumed one, a higher severity), not a running episode's update. */
const waveActions: readonly string[] = ['open', 'escalate', 'reopen'];

/**
 * Called by the detection pass inside its transaction whenever an alert event is recorded.
 * An alert already attached updates its incident; a crisis alert at or above the org's threshold
 * joins the open incident of the dedupe window or opens one. A recent crisis wave at the threshold
 * within a day of an incident's resolution reopens that incident instead (relapse-incident.ts says
 * why), whether the wave is a new alert or one already attached. Idempotent: the alert → incident
 * key, the per-org lock and the relapse's (alert, action, bucket) mark mean a replayed pass opens
 * or reopens nothing twice.
 */
export async function incidentForAlertChange(tx: Tx, change: AlertChangeForIncident): Promise<IncidentForAlert | null> {
  if (change.action === 'close') return null;
  await lockOrgIncidents(tx, change.orgId);
  const alert = await loadAlertFacts(tx, change.orgId, change.alertId);
  const live = change.recent ?? change.notify;
  const isWave = async () =>
    waveActions.includes(change.action) && alert.kind === 'crisis' && alert.severity >= (await autoOpenSeverityOf(tx, change.orgId));
  const already = await attachedIncidentId(tx, change.orgId, change.alertId);
  if (already) {
    const [incident] = await tx<
      IncidentRow[]
    >`select * from incidents where org_id = ${change.orgId} and id = ${already} for no key update`;
    // On the timeline even when the incident is over: a second wave is what someone reopens it for.
    if (change.action === 'escalate' || change.action === 'reopen') {
      await appendEvent(tx, {
        orgId: change.orgId,
        incidentId: already,
        at: change.at,
        kind: 'alert_updated',
        actor: systemActor,
        data: { alertId: alert.id, action: change.action, severity: alert.severity },
      });
    }
    if (incident && live && change.action !== 'open' && (await isWave()) && (await mayRelapse(tx, incident, change.at))) {
      const relapsed = await relapseIncident(tx, incident, { alert, action: change.action, at: change.at });
      if (relapsed) {
        await widenIncident(tx, systemActor, relapsed.incident, alert, change.at);
        return { incidentId: already, action: 'relapsed', relapse: relapsed.relapse };
      }
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
  if (live && (await isWave())) {
    const resolved = await relapseCandidate(tx, change.orgId, change.at);
    if (resolved) {
      const relapsed = await relapseIncident(tx, resolved, { alert, action: change.action, at: change.at });
      if (relapsed) {
        await attachAlert(tx, systemActor, relapsed.incident, alert, change.at);
        return { incidentId: resolved.id, action: 'relapsed', relapse: relapsed.relapse };
      }
    }
  }
  if (!change.notify) return null;
  const incident = await openIncidentForAlert(tx, systemActor, alert, change.at, 'auto');
  return { incidentId: incident.id, action: 'opened' };
}
