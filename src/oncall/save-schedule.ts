import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { ScheduleDefinition } from './schedule.ts';

// On-call schedules: create or replace a rotation (and its rest-day rotation), audited.

/** Every user a rotation names must be an active user of the org. */
async function checkUsers(tx: Tx, orgId: string, d: ScheduleDefinition): Promise<void> {
  const ids = [...new Set([...d.rotation.userIds, ...(d.restDayRotation?.userIds ?? [])])];
  const found = await tx<
    Pick<Row<'users'>, 'id'>[]
  >`select id from users where org_id = ${orgId} and id in ${tx(ids)} and disabled_at is null`;
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw new ValidationError(`unknown or disabled user(s) in the rotation: ${missing.join(', ')}`);
}

/** Creates a schedule (scheduleId null) or replaces one's name and rotations. */
export async function saveSchedule(
  ctx: AppContext,
  orgId: string,
  scheduleId: string | null,
  input: { name: string; definition: ScheduleDefinition },
  actor: AuditActor,
) {
  return ctx.sql.begin(async (tx) => {
    await checkUsers(tx, orgId, input.definition);
    const [row] =
      scheduleId === null
        ? await tx<
            Pick<Row<'oncall_schedules'>, 'id'>[]
          >`insert into oncall_schedules (org_id, name, definition) values (${orgId}, ${input.name}, ${tx.json(asJson(input.definition))}) returning id`
        : await tx<
            Pick<Row<'oncall_schedules'>, 'id'>[]
          >`update oncall_schedules set name = ${input.name}, definition = ${tx.json(asJson(input.definition))}, updated_at = now()
          where org_id = ${orgId} and id = ${scheduleId} returning id`;
    if (!row) throw new NotFoundError('スケジュールが見つかりません (schedule not found)');
    await recordAudit(tx, actor, {
      orgId,
      action: scheduleId === null ? 'oncall.schedule_create' : 'oncall.schedule_update',
      targetType: 'oncall_schedule',
      targetId: row.id,
      after: input,
    });
    return { id: row.id, name: input.name, ...input.definition };
  });
}
