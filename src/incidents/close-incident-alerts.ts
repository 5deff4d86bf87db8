import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { IncidentRow } from '../incident-record/incident.ts';

// When an incident ends (resolved, closed or cancelled) its open alerts close with it, recorded as
// the detection pass records a close: the alert row (status, closed_at), an alert_events row with
// action 'close' and notify false, and an `alert.close` audit row — with the incident as the cause.
// Runs in the transaction of the status change.
//
// Only status and closed_at change: the episode key (watch target, episode_id) stays, so when the
// detector later resumes the same episode it finds the row and updates it as before (status back
// to open, closed_at cleared — run-detection.ts applyDecision), and a new wave may relapse the
// incident (relapse-incident.ts).

/** Closes the incident's open alerts at `at`; returns their ids (for the caller's timeline entry). */
export async function closeIncidentAlerts(tx: Tx, incident: IncidentRow, actor: AuditActor, at: Date): Promise<string[]> {
  // SKIP LOCKED: the caller holds the org's audit-chain lock, and the detection pass locks an alert
  // row before it takes that lock (it audits the alert change). Waiting for such a row would
  // deadlock; skipping it is right anyway: the detector is changing that alert this moment, and
  // its change (an update, or a wave that relapses this incident) decides the alert's status.
  const closed = await tx<Pick<Row<'alerts'>, 'id' | 'severity'>[]>`
    update alerts a set status = 'closed', closed_at = greatest(${at}::timestamptz, a.opened_at), updated_at = greatest(a.updated_at, ${at}::timestamptz)
    where (a.org_id, a.id) in (
      select x.org_id, x.id from alerts x join incident_alerts ia on ia.org_id = x.org_id and ia.alert_id = x.id
      where ia.org_id = ${incident.org_id} and ia.incident_id = ${incident.id} and x.status = 'open'
      for update of x skip locked)
    returning a.id, a.severity`;
  const summary = `インシデント #${incident.id} の終了（${incident.status}）に伴いクローズ (closed with incident #${incident.id}, ${incident.status})`;
  for (const a of closed) {
    // bucket_start is the moment of the close, as for a detector close. Score 0: nothing was
    // measured, the close is a person's (or the lifecycle's) decision, not the detector's.
    await tx`
      insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
      values (${incident.org_id}, ${a.id}, 'close', false, ${a.severity}, 0, ${at}, ${summary})
      on conflict (org_id, alert_id, action, bucket_start) do nothing`;
    await recordAudit(
      tx,
      actor,
      {
        orgId: incident.org_id,
        action: 'alert.close',
        targetType: 'alert',
        targetId: a.id,
        before: { status: 'open' },
        after: { status: 'closed', incidentId: incident.id, incidentStatus: incident.status },
      },
      at,
    );
  }
  return closed.map((a) => a.id).sort((x, y) => Number(x) - Number(y));
}
