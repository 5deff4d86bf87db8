import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { toWatchTarget, type WatchTarget, type WatchTargetInput } from './organizations.ts';

/**
 * Changes what a watch target watches. The collectors read the targets at the start of every run,
 * so the next run searches with the new terms (an X query that changed starts a fresh stream:
 * src/sources/x/query.ts); posts already stored keep the target they were collected for.
 */
export async function updateWatchTarget(
  ctx: Pick<AppContext, 'sql'>,
  orgId: string,
  targetId: string,
  change: Partial<WatchTargetInput>,
  actor: AuditActor,
): Promise<WatchTarget> {
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [row] = await tx<Row<'watch_targets'>[]>`
      select * from watch_targets where org_id = ${orgId} and id = ${targetId} and archived_at is null for update`;
    if (!row) throw new NotFoundError('監視対象が見つかりません (watch target not found)');
    const before = toWatchTarget(row);
    const next: WatchTargetInput = {
      name: change.name ?? before.name,
      names: change.names ?? before.names,
      keywords: change.keywords ?? before.keywords,
      handles: change.handles ?? before.handles,
      exclusions: change.exclusions ?? before.exclusions,
    };
    const [updated] = await tx<Row<'watch_targets'>[]>`
      update watch_targets set name = ${next.name}, names = ${next.names}, keywords = ${next.keywords},
        handles = ${tx.json(asJson(next.handles))}, exclusions = ${next.exclusions}
      where org_id = ${orgId} and id = ${targetId}
      returning *`;
    const fields = (t: WatchTargetInput): WatchTargetInput => ({
      name: t.name,
      names: t.names,
      keywords: t.keywords,
      handles: t.handles,
      exclusions: t.exclusions,
    });
    await recordAudit(tx, actor, {
      orgId,
      action: 'watch_target.update',
      targetType: 'watch_target',
      targetId,
      before: fields(before),
      after: fields(next),
    });
    return toWatchTarget(updated!);
  }) as Promise<WatchTarget>;
}
