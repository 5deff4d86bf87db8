import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';

/** Takes an override back (a swap called off); the rotation covers that stretch again. */
export async function removeOverride(
  ctx: AppContext,
  orgId: string,
  scheduleId: string,
  overrideId: string,
  actor: AuditActor,
): Promise<void> {
  await ctx.sql.begin(async (tx) => {
    const [row] = await tx<Pick<Row<'oncall_overrides'>, 'user_id' | 'starts_at' | 'ends_at'>[]>`
      delete from oncall_overrides where org_id = ${orgId} and schedule_id = ${scheduleId} and id = ${overrideId}
      returning user_id, starts_at, ends_at`;
    if (!row) throw new NotFoundError('代理が見つかりません (override not found)');
    await recordAudit(tx, actor, {
      orgId,
      action: 'oncall.override_remove',
      targetType: 'oncall_schedule',
      targetId: scheduleId,
      before: { overrideId, userId: row.user_id, startsAt: row.starts_at, endsAt: row.ends_at },
    });
  });
}
