import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Removes a watch target from use: it is archived (sql/025), so collection and detection stop
 * using it at their next pass while the posts, alerts and incidents that name it keep its name.
 * Its open alerts close now (the detector that would have closed them no longer steps the
 * target), recorded as a close is: alert row, a 'close' event without mail, an audit row.
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
    // SKIP LOCKED: a detection pass changing one of these alerts this moment holds its row before
    // the audit chain (as in incidents/close-incident-alerts.ts); its change decides that alert.
    const now = ctx.now();
    const closed = await tx<Pick<Row<'alerts'>, 'id' | 'severity'>[]>`
      update alerts a set status = 'closed', closed_at = greatest(${now}::timestamptz, a.opened_at), updated_at = ${now}
      where (a.org_id, a.id) in (
        select x.org_id, x.id from alerts x where x.org_id = ${orgId} and x.watch_target_id = ${targetId} and x.status = 'open'
        for update of x skip locked)
      returning a.id, a.severity`;
    for (const a of closed) {
      await tx`
        insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
        values (${orgId}, ${a.id}, 'close', false, ${a.severity}, 0, ${now},
          ${`監視対象「${row.name}」を外したためクローズ (closed: its watch target was removed)`})
        on conflict (org_id, alert_id, action, bucket_start) do nothing`;
      await recordAudit(tx, actor, {
        orgId,
        action: 'alert.close',
        targetType: 'alert',
        targetId: a.id,
        before: { status: 'open' },
        after: { status: 'closed', watchTargetRemoved: targetId },
      });
    }
  });
}
