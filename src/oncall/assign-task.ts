import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { appendEvent } from '../incident-record/incident.ts';
import type { Row } from '../db/schema.ts';

// Task assignees: who a task's overdue mail goes to.

/** Sets (or clears) who a task's overdue mail goes to. */
export async function assignTask(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  taskId: string,
  input: { assigneeId: string | null },
  actor: AuditActor,
) {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    if (input.assigneeId !== null) {
      const [u] = await tx`select 1 from users where org_id = ${orgId} and id = ${input.assigneeId} and disabled_at is null`;
      if (!u) throw new ValidationError('assigneeId is not an active user of this organization');
    }
    const [before] = await tx<Pick<Row<'incident_tasks'>, 'assignee_id'>[]>`
      select assignee_id from incident_tasks where org_id = ${orgId} and incident_id = ${incidentId} and id = ${taskId} for update`;
    if (!before) throw new NotFoundError('タスクが見つかりません (task not found)');
    await tx`update incident_tasks set assignee_id = ${input.assigneeId} where org_id = ${orgId} and id = ${taskId}`;
    await appendEvent(tx, {
      orgId,
      incidentId,
      at,
      kind: 'task_updated',
      actor,
      data: { taskId, assignee: { from: before.assignee_id, to: input.assigneeId } },
    });
    await recordAudit(tx, actor, {
      orgId,
      action: 'incident.task_assign',
      targetType: 'incident_task',
      targetId: taskId,
      before: { assigneeId: before.assignee_id },
      after: input,
    });
    return { taskId, assigneeId: input.assigneeId };
  });
}
