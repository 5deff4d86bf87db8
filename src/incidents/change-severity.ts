import { withSeverity } from '../detection/short-title.ts';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { addMatchingTasks } from './queries.ts';
import { appendEvent, findIncident, incidentView, type IncidentRow, type IncidentView } from '../incident-record/incident.ts';

/** A severity 1–5 and why (the route checks the bounds). */
export interface SeverityInput {
  severity: number;
  reason: string;
}

/**
 * Sets the severity by hand, with a reason. Raising it adds the higher level's playbook steps;
 * lowering keeps tasks already made (work people may have started is not withdrawn).
 */
export async function changeSeverity(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: SeverityInput,
  actor: AuditActor,
): Promise<IncidentView> {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    const current = await findIncident(tx, orgId, incidentId);
    if (current.severity === input.severity)
      throw new ConflictError(`深刻度はすでに ${input.severity} です (severity is already ${input.severity})`);
    await lockAuditChain(tx, orgId);
    const [row] = await tx<IncidentRow[]>`
      update incidents set severity = ${input.severity}, updated_at = ${at}, title = ${withSeverity(current.title, input.severity)}
      where org_id = ${orgId} and id = ${incidentId} and severity = ${current.severity} and status in ('triage', 'active', 'stable')
      returning *`;
    if (!row) throw new ConflictError('終了したインシデント、または他の操作で変更されました (incident is over or changed concurrently)');
    await appendEvent(tx, {
      orgId,
      incidentId,
      at,
      kind: 'severity_changed',
      actor,
      data: { from: current.severity, to: input.severity, reason: input.reason },
    });
    if (input.severity > current.severity) await addMatchingTasks(tx, row, actor, at);
    await recordAudit(tx, actor, {
      orgId,
      action: 'incident.severity',
      targetType: 'incident',
      targetId: incidentId,
      before: { severity: current.severity },
      after: { severity: input.severity, reason: input.reason },
    });
    return incidentView(row);
  }) as Promise<IncidentView>;
}
