import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { findTransition, incidentStatuses, stampsAfter, timestampViolations, type IncidentStatus } from './lifecycle.ts';
import { draftPostmortem } from '../postmortems/draft-postmortem.ts';
import { appendEvent, findIncident, incidentView, timestampsOf, type IncidentRow, type IncidentView } from './queries.ts';
import { isoTime, object, oneOf, optionalString } from '../validation.ts';

export interface TransitionInput {
  to: IncidentStatus;
  reason?: string;
  /** When it happened, if earlier than now (recorded after the fact). */
  at?: Date;
}

export function parseTransitionInput(body: unknown): TransitionInput {
  const o = object(body, ['to', 'reason', 'at']);
  return {
    to: oneOf(o.to, 'to', incidentStatuses),
    reason: optionalString(o, 'reason', { max: 2000 }),
    at: o.at === undefined || o.at === null ? undefined : isoTime(o.at, 'at'),
  };
}

/**
 * Moves an incident along one row of the transition table. The update is conditional on the
 * status read, so of two concurrent moves one wins and the other gets a 409.
 */
export async function transitionIncident(ctx: AppContext, orgId: string, incidentId: string, input: TransitionInput, actor: AuditActor): Promise<IncidentView> {
  const now = ctx.now();
  const at = input.at ?? now;
  return ctx.sql.begin(async (tx) => {
    const current = await findIncident(tx, orgId, incidentId);
    const t = findTransition(current.status, input.to);
    if (!t) throw new ConflictError(`${current.status} から ${input.to} へは変更できません (transition ${current.status} → ${input.to} is not allowed)`);
    if (t.reasonRequired && !input.reason) throw new ValidationError(`reason is required for ${t.name}`);
    const next = stampsAfter(timestampsOf(current), t, at);
    const problems = timestampViolations(next, now);
    if (problems.length > 0) throw new ValidationError(problems.join('; '), { problems });
    // After the unlocked read, so the conditional update below still decides races (see lockAuditChain).
    await lockAuditChain(tx, orgId);
    const [row] = await tx<IncidentRow[]>`
      update incidents set status = ${input.to}, acknowledged_at = ${next.acknowledgedAt}, mitigated_at = ${next.mitigatedAt},
        resolved_at = ${next.resolvedAt}, closed_at = ${next.closedAt}, updated_at = ${now}
      where org_id = ${orgId} and id = ${incidentId} and status = ${current.status}
      returning *`;
    if (!row) throw new ConflictError('インシデントは他の操作で変更されました (incident changed concurrently; reload and retry)');
    const data = { from: current.status, to: input.to, transition: t.name, reason: input.reason ?? null };
    await appendEvent(tx, { orgId, incidentId, at, kind: 'status_changed', actor, data });
    // The post-mortem draft commits with the resolution; resolving again after a reopen refreshes it (not once approved).
    if (input.to === 'resolved') await draftPostmortem(tx, row, actor, now);
    await recordAudit(tx, actor, {
      orgId, action: `incident.${t.name}`, targetType: 'incident', targetId: incidentId,
      before: { status: current.status }, after: { status: input.to, reason: input.reason ?? null },
    });
    return incidentView(row);
  }) as Promise<IncidentView>;
}
