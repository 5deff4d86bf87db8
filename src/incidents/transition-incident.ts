import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/connect.ts';
import { AppError, ConflictError, ValidationError } from '../errors.ts';
import { endedStatuses, findTransition, stampsAfter, timestampViolations, type IncidentStatus } from '../incident-record/lifecycle.ts';
import { closeIncidentAlerts } from './close-incident-alerts.ts';
import { openRequiredTasks, type TaskForResolve } from './playbook.ts';
import { draftPostmortem } from '../postmortems/draft-postmortem.ts';
import { appendEvent, findIncident, incidentView, timestampsOf, type IncidentRow, type IncidentView } from '../incident-record/incident.ts';
import { playbookVersion } from './queries.ts';

export interface TransitionInput {
  to: IncidentStatus;
  reason?: string;
  /** When it happened, if earlier than now (recorded after the fact). */
  at?: Date;
}

/**
 * Resolving while required playbook tasks are still open (neither done nor skipped) needs a reason:
 * 409, naming the tasks by their titles, so the person either settles them or says why not.
 */
export class OpenRequiredTasksError extends AppError {
  constructor(readonly tasks: readonly TaskForResolve[]) {
    const titles = tasks.map((t) => `「${t.title}」`).join('、');
    super(
      'conflict',
      `必須タスクが未完了です: ${titles}。完了または省略にするか、理由 (reason) を入力して解決してください ` +
        `(required tasks are still open: ${tasks.map((t) => t.stepKey).join(', ')}; mark them done or skipped, or give a reason to resolve anyway)`,
      { openRequiredTasks: tasks },
    );
  }
}

/** The incident's open tasks from required steps of its playbook version, in due order. */
export async function openRequiredTasksOf(tx: Tx, incident: IncidentRow): Promise<TaskForResolve[]> {
  const playbook = await playbookVersion(tx, incident.org_id, incident.playbook_version);
  const tasks = await tx<TaskForResolve[]>`
    select id, step_key as "stepKey", title, status from incident_tasks
    where org_id = ${incident.org_id} and incident_id = ${incident.id} and status = 'open' order by due_at, id`;
  return openRequiredTasks(playbook, tasks);
}

/**
 * Moves an incident along one row of the transition table. The update is conditional on the
 * status read, so of two concurrent moves one wins and the other gets a 409. Resolving over open
 * required tasks needs a reason (OpenRequiredTasksError); the tasks and the reason go on the
 * timeline, in the audit row and — drafted in this transaction — the post-mortem. Ending the
 * incident (resolved, closed, cancelled) closes its open alerts in the same transaction.
 */
export async function transitionIncident(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: TransitionInput,
  actor: AuditActor,
): Promise<IncidentView> {
  const now = ctx.now();
  const at = input.at ?? now;
  // Blank is no reason: it would let a resolve over open required tasks through with nothing said.
  const reason = input.reason?.trim() || undefined;
  return ctx.sql.begin(async (tx) => {
    const current = await findIncident(tx, orgId, incidentId);
    const t = findTransition(current.status, input.to);
    if (!t)
      throw new ConflictError(
        `${current.status} から ${input.to} へは変更できません (transition ${current.status} → ${input.to} is not allowed)`,
      );
    if (t.reasonRequired && !reason) throw new ValidationError(`reason is required for ${t.name}`);
    const next = stampsAfter(timestampsOf(current), t, at);
    const problems = timestampViolations(next, now);
    if (problems.length > 0) throw new ValidationError(problems.join('; '), { problems });
    // After the unlocked read, so the conditional update below still decides races (see lockAuditChain).
    await lockAuditChain(tx, orgId);
    // Under the audit-chain lock, which updateTask takes too: no task changes between this read and the resolve.
    const unsettled = input.to === 'resolved' ? await openRequiredTasksOf(tx, current) : [];
    if (unsettled.length > 0 && !reason) throw new OpenRequiredTasksError(unsettled);
    const [row] = await tx<IncidentRow[]>`
      update incidents set status = ${input.to}, acknowledged_at = ${next.acknowledgedAt}, mitigated_at = ${next.mitigatedAt},
        resolved_at = ${next.resolvedAt}, closed_at = ${next.closedAt}, updated_at = ${now}
      where org_id = ${orgId} and id = ${incidentId} and status = ${current.status}
      returning *`;
    if (!row) throw new ConflictError('インシデントは他の操作で変更されました (incident changed concurrently; reload and retry)');
    const closedAlerts = endedStatuses.includes(input.to) ? await closeIncidentAlerts(tx, row, actor, at) : [];
    const data = {
      from: current.status,
      to: input.to,
      transition: t.name,
      reason: reason ?? null,
      // Resolved over open required tasks: which ones, so the timeline and the post-mortem say what the reason was for.
      ...(unsettled.length > 0 ? { openRequiredTasks: unsettled.map((x) => ({ id: x.id, stepKey: x.stepKey, title: x.title })) } : {}),
      ...(closedAlerts.length > 0 ? { closedAlerts } : {}),
    };
    await appendEvent(tx, { orgId, incidentId, at, kind: 'status_changed', actor, data });
    // The post-mortem draft commits with the resolution; resolving again after a reopen refreshes it (not once approved).
    if (input.to === 'resolved') await draftPostmortem(tx, row, actor, now);
    await recordAudit(tx, actor, {
      orgId,
      action: `incident.${t.name}`,
      targetType: 'incident',
      targetId: incidentId,
      before: { status: current.status },
      after: { status: input.to, reason: reason ?? null, openRequiredTasks: unsettled.map((x) => x.stepKey), closedAlerts },
    });
    return incidentView(row);
  }) as Promise<IncidentView>;
}
