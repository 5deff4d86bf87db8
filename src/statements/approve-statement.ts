import { asJson } from '../db/connect.ts';
import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { AppError, ConflictError, ValidationError } from '../errors.ts';
import { findStatementTransition } from './lifecycle.ts';
import {
  actorKey,
  appendStatementEvent,
  findStatement,
  findingsSummary,
  statementView,
  textDigest,
  writersOf,
  type Override,
  type StatementRow,
  type StatementView,
} from './queries.ts';
import { checkDocument } from './run-checker.ts';
import { describeFindings } from './submit-statement.ts';

/** 403: the four-eyes rule. Not a role problem, so not the auth layer's ForbiddenError. */
export class ApprovalRefusedError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export interface ApproveStatementInput {
  /** The version the approver read: approval is of that exact text. */
  version: number;
  /** One per blocking finding, each with the reason it may go out anyway. */
  overrides: { findingId: string; reason: string }[];
}

/**
 * The second person's approval. Refused (403) for anyone who is not a logged-in user, and for
 * the author, every editor and the submitter: a statement is approved by someone who did not
 * write it. The checker runs again on the exact text approved (the version the approver names);
 * every blocking finding needs an override with a reason, which is stored and audited, and a
 * finding that cannot be overridden refuses the approval. The update is conditional on
 * in_review and the version, so of two concurrent approvals (or an approval racing a rejection)
 * exactly one wins.
 */
export async function approveStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  statementId: string,
  input: ApproveStatementInput,
  actor: AuditActor,
): Promise<StatementView> {
  if (actor.type !== 'user' || !actor.id) {
    throw new ApprovalRefusedError('声明文の承認はログインした利用者のみが行えます (only a logged-in user can approve a statement)');
  }
  const approver = actorKey(actor);
  const read = await findStatement(ctx.sql, orgId, incidentId, statementId);
  if (!findStatementTransition(read.status, 'approve')) {
    throw new ConflictError(
      `${read.status} の声明文は承認できません。レビュー中のものだけが承認できます (a ${read.status} statement cannot be approved)`,
    );
  }
  if (read.version !== input.version) {
    throw new ConflictError(
      `確認した版 (${input.version}) は現在の版 (${read.version}) ではありません (you reviewed version ${input.version}; the statement is at version ${read.version})`,
    );
  }
  const writers = await writersOf(ctx.sql, orgId, statementId);
  writers.add(read.author_id);
  if (read.submitted_by) writers.add(read.submitted_by);
  if (writers.has(approver)) {
    throw new ApprovalRefusedError(
      '作成・編集・提出した人は承認できません。別の人が承認してください (the author, an editor or the submitter cannot approve; a second person must)',
    );
  }

  const findings = await checkDocument(read.title, read.body, read.kind);
  const blocking = findings.filter((f) => f.severity === 'block');
  const never = blocking.filter((f) => !f.overridable);
  if (never.length > 0) {
    throw new ConflictError(
      `承認できない箇所があります。差し戻して修正してください (cannot be approved; reject it for editing): ${describeFindings(never)}`,
    );
  }
  const byId = new Map(input.overrides.map((o) => [o.findingId, o.reason]));
  const unknown = [...byId.keys()].filter((id) => !blocking.some((f) => f.id === id));
  if (unknown.length > 0) {
    throw new ValidationError(`overrides name findings that are not blocking findings of this text: ${unknown.join(', ')}`);
  }
  const missing = blocking.filter((f) => !byId.has(f.id));
  if (missing.length > 0) {
    throw new ValidationError(
      `要確認の指摘が残っています。修正するか、指摘ごとに理由を付けて承認してください (blocking findings need an override with a reason): ${describeFindings(missing)}`,
      { findings: missing },
    );
  }
  const overrides: Override[] = blocking.map((f) => ({ findingId: f.id, rule: f.rule, excerpt: f.excerpt, reason: byId.get(f.id)! }));

  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set status = 'approved', approved_by = ${approver}, approved_at = ${now},
        overrides = ${tx.json(asJson(overrides))}, findings = ${tx.json(asJson(findings))}, checked_at = ${now}, updated_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and status = 'in_review' and version = ${input.version}
        -- The same submission that was read: a reject and resubmit in between (perhaps by the
        -- approver, who would then be the submitter) makes this a conflict.
        and date_trunc('milliseconds', submitted_at) = ${read.submitted_at} and submitted_by = ${read.submitted_by}
      returning *`;
    if (!row) throw new ConflictError('声明文は他の操作で変更されました (statement changed concurrently; reload and retry)');
    const summary = findingsSummary(findings);
    const overridden = overrides.map((o) => ({ findingId: o.findingId, rule: o.rule, reason: o.reason }));
    await appendStatementEvent(tx, { row, at: now, kind: 'statement_approved', actor, data: { ...summary, overrides: overridden } });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.approve',
        targetType: 'statement',
        targetId: statementId,
        before: { status: 'in_review' },
        after: { status: 'approved', version: row.version, digest: textDigest(row.title, row.body), ...summary, overrides: overridden },
      },
      now,
    );
    return statementView(row);
  }) as Promise<StatementView>;
}
