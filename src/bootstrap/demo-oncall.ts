import { systemActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { jstCalendarDay } from '../display.ts';
import { savePolicy } from '../oncall/save-policy.ts';
import { saveSchedule } from '../oncall/save-schedule.ts';
import type { Row } from '../db/schema.ts';

/**
 * The demo clinic's on-call, set up once with its first admin: that admin is on call, and a
 * flare-up pages them (a mail in the preview folder without SMTP_URL, with a working
 * acknowledgement link); unacknowledged after 15 minutes, the director's address is paged.
 * Without it a fresh demo would raise an incident and mail nobody.
 */
export async function setUpDemoOncall(ctx: AppContext, orgId: string, adminId: string, startedAt: Date): Promise<void> {
  const [org] = await ctx.sql<Pick<Row<'organizations'>, 'slug'>[]>`select slug from organizations where id = ${orgId}`;
  if (!org) return;
  // The rotation starts the JST day before, so its first 09:00 hand-off has already happened
  // whatever the hour of the first start: someone is on call from the first minute.
  const jstDate = jstCalendarDay(new Date(startedAt.getTime() - 86_400_000));
  const schedule = await saveSchedule(
    ctx,
    orgId,
    null,
    {
      name: 'デモ当番 (demo on-call)',
      definition: { rotation: { userIds: [adminId], lengthDays: 7, handoffTime: '09:00', startDate: jstDate }, restDayRotation: null },
    },
    systemActor,
  );
  await savePolicy(
    ctx,
    orgId,
    {
      levels: [
        { timeoutMinutes: 15, targets: [{ type: 'schedule', scheduleId: schedule.id }] },
        { timeoutMinutes: 30, targets: [{ type: 'address', address: `director@${org.slug}.example.com` }] },
      ],
      repeat: 1,
    },
    systemActor,
  );
}
