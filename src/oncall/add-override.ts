import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Row } from '../db/schema.ts';

// Schedule overrides: someone covers a stretch of a rotation.

/** Someone covers a stretch of a schedule (a swap, a sick day). */
export async function addOverride(
  ctx: AppContext,
  orgId: string,
  scheduleId: string,
  input: { userId: string; startsAt: Date; endsAt: Date },
  actor: AuditActor,
) {
  return ctx.sql.begin(async (tx) => {
    const [s] = await tx`select 1 from oncall_schedules where org_id = ${orgId} and id = ${scheduleId}`;
    if (!s) throw new NotFoundError('スケジュールが見つかりません (schedule not found)');
    const [u] = await tx`select 1 from users where org_id = ${orgId} and id = ${input.userId} and disabled_at is null`;
    if (!u) throw new ValidationError('userId is not an active user of this organization');
    const [row] = await tx<Pick<Row<'oncall_overrides'>, 'id'>[]>`
      insert into oncall_overrides (org_id, schedule_id, user_id, starts_at, ends_at)
      values (${orgId}, ${scheduleId}, ${input.userId}, ${input.startsAt}, ${input.endsAt}) returning id`;
    await recordAudit(tx, actor, {
      orgId,
      action: 'oncall.override',
      targetType: 'oncall_schedule',
      targetId: scheduleId,
      after: { overrideId: row!.id, ...input },
    });
    return { id: row!.id, scheduleId, ...input };
  });
}
