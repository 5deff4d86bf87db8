import { asJson } from '../db/connect.ts';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import type { StatementKind } from './lifecycle.ts';
import { appendStatementEvent, findStatement, findingsSummary, statementView, type StatementRow, type StatementView } from './queries.ts';
import { checkDocument, findingsFor } from './run-checker.ts';

/** Runs the checker on a statement's current text and stores the findings (the statement does not move). */
export async function checkStoredStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  statementId: string,
  actor: AuditActor,
): Promise<StatementView> {
  const read = await findStatement(ctx.sql, orgId, incidentId, statementId);
  // Tokenising is CPU work: done before the transaction, which then stores it only for the same version.
  const findings = await checkDocument(read.title, read.body, read.kind);
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set findings = ${tx.json(asJson(findings))}, checked_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and version = ${read.version}
      returning *`;
    if (!row) throw new ConflictError('確認中に声明文が更新されました (statement changed while it was checked; retry)');
    const summary = findingsSummary(findings);
    await appendStatementEvent(tx, { row, at: now, kind: 'statement_checked', actor, data: summary });
    await recordAudit(
      tx,
      actor,
      { orgId, action: 'statement.check', targetType: 'statement', targetId: statementId, after: { version: row.version, ...summary } },
      now,
    );
    return statementView(row);
  }) as Promise<StatementView>;
}

export interface CheckTextInput {
  text: string;
  kind: StatementKind;
}

/** The checker on a text that is not saved anywhere (an editor checking as the author types). */
export async function checkText(input: CheckTextInput) {
  return { kind: input.kind, findings: await findingsFor(input.text, input.kind) };
}
