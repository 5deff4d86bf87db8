import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { editableStatuses } from './lifecycle.ts';
import {
  actorKey,
  appendStatementEvent,
  findStatement,
  insertVersion,
  statementView,
  textDigest,
  type StatementRow,
  type StatementView,
} from './queries.ts';

export interface EditStatementInput {
  /** The version the editor started from: an edit on top of someone else's newer text is refused. */
  version: number;
  title?: string;
  body?: string;
}

/**
 * A new version of a draft or rejected statement. Approved, published and in-review text does not
 * change: what the second person approved is what goes out. Findings of the old text are
 * cleared (they no longer describe the body) until the next check.
 */
export async function editStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  statementId: string,
  input: EditStatementInput,
  actor: AuditActor,
): Promise<StatementView> {
  const now = ctx.now();
  return ctx.sql.begin(async (tx) => {
    const current = await findStatement(tx, orgId, incidentId, statementId);
    if (!editableStatuses.includes(current.status)) {
      throw new ConflictError(
        `${current.status} の声明文は編集できません。下書きか差し戻しの状態でのみ編集できます (a ${current.status} statement cannot be edited)`,
      );
    }
    if (current.version !== input.version) {
      throw new ConflictError(
        `声明文は他の人によって更新されています（現在の版 ${current.version}）(statement changed: current version is ${current.version})`,
      );
    }
    const title = input.title ?? current.title;
    const body = input.body ?? current.body;
    if (title === current.title && body === current.body) return statementView(current);
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set title = ${title}, body = ${body}, version = version + 1, findings = '[]', checked_at = null, updated_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and version = ${current.version} and status in ('draft', 'rejected')
      returning *`;
    if (!row) throw new ConflictError('声明文は他の操作で変更されました (statement changed concurrently; reload and retry)');
    await insertVersion(tx, { orgId, statementId, version: row.version, title, body, editedBy: actorKey(actor), at: now });
    await appendStatementEvent(tx, { row, at: now, kind: 'statement_edited', actor, data: { fromVersion: current.version } });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.edit',
        targetType: 'statement',
        targetId: statementId,
        before: { version: current.version, digest: textDigest(current.title, current.body) },
        after: { version: row.version, digest: textDigest(title, body) },
      },
      now,
    );
    return statementView(row);
  }) as Promise<StatementView>;
}
