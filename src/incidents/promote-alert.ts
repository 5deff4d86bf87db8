import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { attachedIncidentId, loadAlertFacts, lockOrgIncidents, openIncidentForAlert } from './open-incident.ts';
import { incidentView, type IncidentView } from '../incident-record/incident.ts';

/**
 * Opens an incident by hand for an alert below the auto-open threshold (or a notice someone
 * judges serious). An alert already in an incident is a 409 naming it.
 */
export async function promoteAlert(ctx: AppContext, orgId: string, alertId: string, actor: AuditActor): Promise<IncidentView> {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockOrgIncidents(tx, orgId);
    const alert = await loadAlertFacts(tx, orgId, alertId);
    const existing = await attachedIncidentId(tx, orgId, alertId);
    if (existing)
      throw new ConflictError(`このアラートはすでにインシデント #${existing} にあります (alert already belongs to incident ${existing})`);
    return incidentView(await openIncidentForAlert(tx, actor, alert, at, 'promoted'));
  }) as Promise<IncidentView>;
}
