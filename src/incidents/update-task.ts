import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { appendEvent } from '../incident-record/incident.ts';
import type { Row } from '../db/schema.ts';
import { taskColumns, type TaskStatus, type TaskView } from './queries.ts';

/**
 * Marks a task done, skipped or open again, with who and when. Conditional on the status read,
 * so two people ticking the same task get one success and one 409. Finishing the official
 * statement step stamps the incident's first public response if it has none (and is still open:
 * a statement ticked off after closing would put the first response after the close).
 */
export async function updateTask(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  taskId: string,
  input: { status: TaskStatus; note?: string },
  actor: AuditActor,
) {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    const [task] = await tx<Pick<Row<'incident_tasks'>, 'id' | 'status' | 'step_key'>[]>`
      select id, status, step_key from incident_tasks where org_id = ${orgId} and incident_id = ${incidentId} and id = ${taskId}`;
    if (!task) throw new NotFoundError('タスクが見つかりません (task not found)');
    if (task.status === input.status) throw new ConflictError(`タスクはすでに ${input.status} です (task is already ${input.status})`);
    await lockAuditChain(tx, orgId);
    const who = input.status === 'open' ? null : `${actor.type}:${actor.id ?? ''}`;
    const [row] = await tx<TaskView[]>`
      update incident_tasks set status = ${input.status}, done_by = ${who}, done_at = ${input.status === 'open' ? null : at}
      where org_id = ${orgId} and id = ${taskId} and status = ${task.status}
      returning ${taskColumns(tx)}`;
    if (!row) throw new ConflictError('タスクは他の操作で変更されました (task changed concurrently)');
    if (input.status === 'done' && task.step_key === 'official-statement') {
      await tx`update incidents set first_response_at = ${at} where org_id = ${orgId} and id = ${incidentId} and first_response_at is null
        and status in ('triage', 'active', 'stable')`;
    }
    await appendEvent(tx, {
      orgId,
      incidentId,
      at,
      kind: 'task_updated',
      actor,
      data: { taskId, stepKey: task.step_key, from: task.status, to: input.status, note: input.note ?? null },
    });
    await recordAudit(tx, actor, {
      orgId,
      action: 'incident.task',
      targetType: 'incident_task',
      targetId: taskId,
      before: { status: task.status },
      after: { status: input.status, note: input.note ?? null },
    });
    return row;
  });
}
