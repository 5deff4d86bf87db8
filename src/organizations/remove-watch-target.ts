import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Removes a watch target from use: it is archived (sql/025), so collection and detection stop
 * using it at their next pass while the posts, alerts and incidents that name it keep its name.
 */
export async function removeWatchTarget(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  targetId: string,
  by: { userId: string | null },
  actor: AuditActor,
): Promise<void> {
  await ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [row] = await tx<Pick<Row<'watch_targets'>, 'name'>[]>`
      update watch_targets set archived_at = ${ctx.now()}, archived_by = ${by.userId}
      where org_id = ${orgId} and id = ${targetId} and archived_at is null
      returning name`;
    if (!row) throw new NotFoundError('監視対象が見つかりません (watch target not found)');
    await recordAudit(tx, actor, {
      orgId,
      action: 'watch_target.remove',
      targetType: 'watch_target',
      targetId,
      before: { name: row.name, archived: false },
      after: { name: row.name, archived: true },
    });
  });
}
