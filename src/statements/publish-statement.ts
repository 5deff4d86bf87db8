import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { timestampViolations } from '../incident-record/lifecycle.ts';
import { findIncident, timestampsOf } from '../incident-record/incident.ts';
import { findStatementTransition } from './lifecycle.ts';
import { appendStatementEvent, findStatement, statementView, textDigest, type StatementRow, type StatementView } from './queries.ts';
import type { Row } from '../db/schema.ts';

export interface PublishStatementInput {
  /** When it went out, if earlier than now (recorded after the fact). */
  at?: Date;
}

/**
 * Records that an approved statement went out. The incident's first_response_at (time to first
 * public statement, a post-mortem metric) becomes this time when it is unset — or when this
 * statement, recorded after the fact, went out before the one that set it: it is the FIRST
 * statement. The time is validated against the incident's other timestamps (not before
 * detected_at, not after closed_at, not in the future) and against the approval.
 */
export async function publishStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  statementId: string,
  input: PublishStatementInput,
  actor: AuditActor,
): Promise<StatementView & { incidentFirstResponseAt: Date | null }> {
  const now = ctx.now();
  const at = input.at ?? now;
  return ctx.sql.begin(async (tx) => {
    const read = await findStatement(tx, orgId, incidentId, statementId);
    if (!findStatementTransition(read.status, 'publish')) {
      throw new ConflictError(
        `${read.status} の声明文は公開済みにできません。承認済みのものだけです (a ${read.status} statement cannot be published; approve it first)`,
      );
    }
    if (read.approved_at && at.getTime() < read.approved_at.getTime()) {
      throw new ValidationError('公開時刻が承認より前です (at must not be before the approval)');
    }
    const incident = await findIncident(tx, orgId, incidentId);
    const current = incident.first_response_at;
    const setsFirst = current === null || at.getTime() < current.getTime();
    if (setsFirst) {
      const problems = timestampViolations({ ...timestampsOf(incident), firstResponseAt: at }, now);
      if (problems.length > 0) throw new ValidationError(problems.join('; '), { problems });
    } else if (at.getTime() > now.getTime() + 60_000) {
      throw new ValidationError('at が未来の時刻です (at is in the future)');
    }
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      update statements set status = 'published', published_at = ${at}, updated_at = ${now}
      where org_id = ${orgId} and id = ${statementId} and status = 'approved'
      returning *`;
    if (!row) throw new ConflictError('声明文は他の操作で変更されました (statement changed concurrently; reload and retry)');
    // Conditional, so two statements published at once leave the earlier time, whatever the order.
    const [stamped] = await tx<{ first_response_at: Date }[]>`
      update incidents set first_response_at = ${at}, updated_at = ${now}
      where org_id = ${orgId} and id = ${incidentId} and (first_response_at is null or first_response_at > ${at})
      returning first_response_at`;
    const [after] = await tx<
      Pick<Row<'incidents'>, 'first_response_at'>[]
    >`select first_response_at from incidents where org_id = ${orgId} and id = ${incidentId}`;
    await appendStatementEvent(tx, {
      row,
      at,
      kind: 'statement_published',
      actor,
      data: { firstResponse: Boolean(stamped), title: row.title },
    });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.publish',
        targetType: 'statement',
        targetId: statementId,
        before: { status: read.status, incidentFirstResponseAt: current },
        after: {
          status: 'published',
          publishedAt: at,
          version: row.version,
          digest: textDigest(row.title, row.body),
          incidentFirstResponseAt: after?.first_response_at ?? null,
        },
      },
      now,
    );
    return { ...statementView(row), incidentFirstResponseAt: after?.first_response_at ?? null };
  }) as Promise<StatementView & { incidentFirstResponseAt: Date | null }>;
}
