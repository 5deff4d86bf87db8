import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { findStatementTransition } from './lifecycle.ts';
import { appendStatementEvent, findStatement, statementView, type StatementRow, type StatementView } from './queries.ts';

/**
 * Withdraws a statement for good: a draft abandoned, an approval not used, or a published text
 * taken down (the record of its publication stays; the incident's first_response_at too — it was
 * published). A reason is required.
 */
export async function withdrawStatement(
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
    if (!findStatementTransition(read.status, 'withdraw')) {
      throw new ConflictError(`${read.status} の声明文は取り下げられません (a ${read.status} statement cannot be withdrawn)`);
    }
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set status = 'withdrawn', withdrawn_at = ${now}, withdraw_reason = ${input.reason}, updated_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and status = ${read.status}
      returning *`;
    if (!row) throw new ConflictError('声明文は他の操作で変更されました (statement changed concurrently; reload and retry)');
    await appendStatementEvent(tx, { row, at: now, kind: 'statement_withdrawn', actor, data: { from: read.status, reason: input.reason } });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.withdraw',
        targetType: 'statement',
        targetId: statementId,
        before: { status: read.status },
        after: { status: 'withdrawn', reason: input.reason },
      },
      now,
    );
    return statementView(row);
  }) as Promise<StatementView>;
}
