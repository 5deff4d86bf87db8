import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { findStatementTransition } from './lifecycle.ts';
import { actorKey, appendStatementEvent, findStatement, statementView, type StatementRow, type StatementView } from './queries.ts';

/** Sends a statement in review back for editing, with the reviewer's reason. Conditional on in_review: a reject racing an approve loses or wins whole. */
export async function rejectStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  statementId: string,
  input: { reason: string },
  actor: AuditActor,
): Promise<StatementView> {
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    const read = await findStatement(tx, orgId, incidentId, statementId);
    if (!findStatementTransition(read.status, 'reject')) {
      throw new ConflictError(`${read.status} の声明文は差し戻せません (a ${read.status} statement cannot be rejected)`);
    }
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set status = 'rejected', rejected_by = ${actorKey(actor)}, rejected_at = ${now}, reject_reason = ${input.reason}, updated_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and status = 'in_review'
      returning *`;
    if (!row) throw new ConflictError('声明文は他の操作で変更されました (statement changed concurrently; reload and retry)');
    await appendStatementEvent(tx, { row, at: now, kind: 'statement_rejected', actor, data: { reason: input.reason } });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.reject',
        targetType: 'statement',
        targetId: statementId,
        before: { status: read.status },
        after: { status: 'rejected', version: row.version, reason: input.reason },
      },
      now,
    );
    return statementView(row);
  }) as Promise<StatementView>;
}
