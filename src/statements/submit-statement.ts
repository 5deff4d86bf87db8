import { asJson } from '../db/connect.ts';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { findStatementTransition } from './lifecycle.ts';
import {
  actorKey,
  appendStatementEvent,
  findStatement,
  findingsSummary,
  statementView,
  textDigest,
  type StatementRow,
  type StatementView,
} from './queries.ts';
import { checkDocument, type StatementFinding } from './run-checker.ts';

/** One line per finding for an error message: 「【記入: …】」 (unfilled_placeholder, body 12–30). */
export function describeFindings(findings: readonly StatementFinding[]): string {
  return findings.map((f) => `「${f.excerpt}」 (${f.rule}, ${f.field} ${f.start}–${f.end})`).join('; ');
}

/**
 * Sends a draft (or a rejected statement, edited) to review. The checker runs on the text
 * submitted and its findings go with it. Text that can never be approved (an unfilled template
 * slot, a マイナンバー …) is refused here rather than wasting a reviewer's time.
 */
export async function submitStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  statementId: string,
  actor: AuditActor,
): Promise<StatementView> {
  const read = await findStatement(ctx.sql, orgId, incidentId, statementId);
  const t = findStatementTransition(read.status, 'submit');
  if (!t) throw new ConflictError(`${read.status} の声明文は提出できません (a ${read.status} statement cannot be submitted)`);
  const findings = await checkDocument(read.title, read.body, read.kind);
  const never = findings.filter((f) => f.severity === 'block' && !f.overridable);
  if (never.length > 0) {
    throw new ValidationError(
      `承認できない箇所があります。修正してから提出してください (fix these before submitting): ${describeFindings(never)}`,
      { findings: never },
    );
  }
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set status = 'in_review', findings = ${tx.json(asJson(findings))}, checked_at = ${now},
        submitted_by = ${actorKey(actor)}, submitted_at = ${now}, updated_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and status = ${read.status} and version = ${read.version}
      returning *`;
    if (!row) throw new ConflictError('声明文は他の操作で変更されました (statement changed concurrently; reload and retry)');
    const summary = findingsSummary(findings);
    await appendStatementEvent(tx, { row, at: now, kind: 'statement_submitted', actor, data: summary });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.submit',
        targetType: 'statement',
        targetId: statementId,
        before: { status: read.status },
        after: { status: row.status, version: row.version, digest: textDigest(row.title, row.body), ...summary },
      },
      now,
    );
    return statementView(row);
  }) as Promise<StatementView>;
}
