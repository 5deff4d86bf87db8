import { recordAudit, systemActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';
import { findPostmortem } from '../postmortems/queries.ts';
import { findTransition, relapsableStatuses, stampsAfter } from '../incident-record/lifecycle.ts';
import type { AlertFacts } from './open-incident.ts';
import { appendEvent, timestampsOf, type IncidentRow } from '../incident-record/incident.ts';

// A relapse: a new crisis wave soon after an incident was resolved reopens that incident instead
// of opening a second one. Why reopen rather than open a new incident linked to the old one:
// - It is the same flare-up. The detector resumes a closed episode within 24 h (cooldownBuckets),
//   so the wave usually arrives as the very alert already attached to the incident; an alert
//   belongs to one incident (incident_alerts' key), so a "new incident" could not even hold it.
// - The lifecycle already has the move (resolved/closed → active) and what it means: resolvedAt
//   and closedAt are cleared and stamped again at the final resolution, so time-to-resolve counts
//   the whole flare-up, while the first resolution stays on the timeline.
// - The post-mortem drafted at the first resolution stays a draft and is refreshed (edited prose
//   kept) when the incident resolves again: the director reviews one document whose timeline shows
//   "resolved → relapse → resolved", which is the finding ("resolved too early"), rather than two
//   post-mortems that each tell half of it.
// The exception is an approved post-mortem: that is the record a director signed, so its incident
// is left alone and a new alert opens a new incident as usual.
// Runs inside the detection pass's transaction, after lockOrgIncidents (per-org lock + audit chain).

/** A wave this long after the resolution is still the same flare-up (as the detector's 24 h cooldown). */
export const RELAPSE_WINDOW_MS = 24 * 3_600_000;

export interface RelapseCause {
  alert: AlertFacts;
  /** The alert event's action ('open' for a new episode, 'escalate' / 'reopen' for one already attached). */
  action: string;
  /** The alert event's bucket: with the alert and action, what makes the relapse happen once. */
  at: Date;
}

/**
 * Whether the incident is one a wave at `at` may reopen: resolved or closed, resolved within the
 * relapse window, and its post-mortem not approved.
 */
export async function mayRelapse(tx: Tx, incident: IncidentRow, at: Date): Promise<boolean> {
  if (!relapsableStatuses.includes(incident.status) || !incident.resolved_at) return false;
  if (incident.resolved_at.getTime() < at.getTime() - RELAPSE_WINDOW_MS) return false;
  const postmortem = await findPostmortem(tx, incident.org_id, incident.id);
  return postmortem?.status !== 'approved';
}

/** The most recently resolved incident of the org a wave at `at` may reopen, locked; or null. */
export async function relapseCandidate(tx: Tx, orgId: string, at: Date): Promise<IncidentRow | null> {
  // Served by incidents_org_resolved_idx (sql/013).
  const [row] = await tx<IncidentRow[]>`
    select * from incidents
    where org_id = ${orgId} and status in ('resolved', 'closed') and resolved_at >= ${new Date(at.getTime() - RELAPSE_WINDOW_MS)}
    order by resolved_at desc, id desc limit 1 for no key update`;
  return row && (await mayRelapse(tx, row, at)) ? row : null;
}

/**
 * Reopens a resolved or closed incident for a new wave: status back to active (the lifecycle's
 * resolved/closed → active row, its stamps), a `status_changed` event with transition 'relapse'
 * and the alert as the reason, and an `incident.relapse` audit row. Returns the reopened row and
 * the how-manieth relapse this is, or null when this alert event already reopened it once
 * (a replayed pass, or the same event seen again after people resolved it a second time).
 */
export async function relapseIncident(
  tx: Tx,
  incident: IncidentRow,
  cause: RelapseCause,
): Promise<{ incident: IncidentRow; relapse: number } | null> {
  const t = findTransition(incident.status, 'active');
  if (!t || !relapsableStatuses.includes(incident.status)) return null;
  const { alert, action, at } = cause;
  const alertAt = at.toISOString();
  const [seen] = await tx<{ n: number; mine: number }[]>`
    select count(*)::int as n,
      count(*) filter (where data ->> 'alertId' = ${alert.id} and data ->> 'alertAction' = ${action} and data ->> 'alertAt' = ${alertAt})::int as mine
    from incident_events
    where org_id = ${incident.org_id} and incident_id = ${incident.id} and kind = 'status_changed' and data ->> 'transition' = 'relapse'`;
  if (seen!.mine > 0) return null;
  // The wave's bucket can start a little before the resolution it undoes (detection runs a bucket
  // behind); on the timeline the relapse comes after the resolution, as it happened.
  const when = incident.resolved_at && incident.resolved_at > at ? incident.resolved_at : at;
  const next = stampsAfter(timestampsOf(incident), t, when);
  const [row] = await tx<IncidentRow[]>`
    update incidents set status = 'active', resolved_at = ${next.resolvedAt}, closed_at = ${next.closedAt}, updated_at = ${when}
    where org_id = ${incident.org_id} and id = ${incident.id} and status = ${incident.status}
    returning *`;
  if (!row) return null;
  const relapse = seen!.n + 1;
  const reason = `再燃: 解決後にアラート #${alert.id}（深刻度 ${alert.severity}）が再び発生しました (relapse: alert #${alert.id}, severity ${alert.severity}, after the incident was resolved)`;
  await appendEvent(tx, {
    orgId: incident.org_id,
    incidentId: incident.id,
    at: when,
    kind: 'status_changed',
    actor: systemActor,
    data: {
      from: incident.status,
      to: 'active',
      transition: 'relapse',
      reason,
      relapse,
      alertId: alert.id,
      alertAction: action,
      alertAt,
      severity: alert.severity,
      resolvedAt: incident.resolved_at?.toISOString() ?? null,
    },
  });
  await recordAudit(
    tx,
    systemActor,
    {
      orgId: incident.org_id,
      action: 'incident.relapse',
      targetType: 'incident',
      targetId: incident.id,
      before: { status: incident.status, resolvedAt: incident.resolved_at },
      after: { status: 'active', alertId: alert.id, alertAction: action, relapse },
    },
    when,
  );
  return { incident: row, relapse };
}
