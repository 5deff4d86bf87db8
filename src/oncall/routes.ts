import { z } from '@hono/zod-openapi';
import { NotFoundError } from '../errors.ts';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { cleanText, id, idParam, itemsOf, jsonAnswer, jsonBody, orgParams, query, time, timeInput } from '../http/schemas.ts';
import { normalizeEmailAddress } from '../notify/recipients.ts';
import { acknowledgeIncident } from './acknowledge-incident.ts';
import { addOverride } from './add-override.ts';
import { removeOverride } from './remove-override.ts';
import { assignTask } from './assign-task.ts';
import { listSchedules, onCallAt, policyOf } from './policy.ts';
import { savePolicy } from './save-policy.ts';
import { saveSchedule } from './save-schedule.ts';

// On-call schedules, escalation policies and acknowledgement under /organizations/{orgId}. (The
// e-mail link's /ack pages are outside /api: src/oncall/ack-pages.ts.)

// Ids may come as JSON numbers, as they were accepted before these schemas; kept as decimal strings.
const idInput = () =>
  z.preprocess((v) => (typeof v === 'number' ? String(v) : v), id()).openapi({ type: 'string', pattern: '^[0-9]{1,19}$' });
const int = (min: number, max: number) =>
  z
    .number()
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be an integer from ${min} to ${max}`)
    .max(max, `must be an integer from ${min} to ${max}`);
const isCalendarDate = (v: string) =>
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

const rotationFields = {
  userIds: z
    .array(idInput())
    .min(1, 'must list 1 to 50 user ids in rotation order')
    .max(50, 'must list 1 to 50 user ids in rotation order')
    .openapi({ description: '交代順の利用者 (user ids in rotation order)' }),
  lengthDays: int(1, 28).openapi({ description: '1人あたりの日数 (days per person)' }),
  handoffTime: z
    .string()
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM in Japan time, e.g. 09:00')
    .openapi({ description: '交代時刻 (日本時間)' }),
  // 2026-02-30 matches the pattern but is no date.
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD (Japan time)')
    .refine(isCalendarDate, 'must be a date YYYY-MM-DD (Japan time)')
    .openapi({ description: 'userIds[0] が startDate の交代時刻から担当 (日本時間)' }),
};
// Not named components: the generator writes a nullable reference as allOf [$ref, object|null],
// which no null satisfies (the $ref still demands an object), so rotations stay inline.
const RotationInput = z.strictObject(rotationFields);
const Rotation = z.object({ userIds: z.array(id()), lengthDays: z.number().int(), handoffTime: z.string(), startDate: z.string() });

/** A schedule's rotations as a request gives them; no rest-day rotation (absent or null) is none. */
export const ScheduleDefinitionInput = z.strictObject({
  rotation: RotationInput,
  restDayRotation: RotationInput.nullable()
    .optional()
    .transform((r) => r ?? null),
});
const ScheduleBody = ScheduleDefinitionInput.extend({ name: cleanText(100) });
const Schedule = z.object({ id: id(), name: z.string(), rotation: Rotation, restDayRotation: Rotation.nullable() }).openapi('Schedule');

const address = z
  .string()
  .transform((raw, ctx) => {
    const normalized = normalizeEmailAddress(raw);
    if (normalized === null) ctx.addIssue({ code: 'custom', message: 'must be a plain e-mail address' });
    return normalized ?? '';
  })
  .openapi({ type: 'string', format: 'email' });

const TargetInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('schedule'), scheduleId: idInput() }),
  z.strictObject({ type: z.literal('user'), userId: idInput() }),
  z.strictObject({ type: z.literal('address'), address }),
]);
export const PolicyBody = z.strictObject({
  levels: z
    .array(
      z.strictObject({
        timeoutMinutes: int(1, 1440),
        targets: z.array(TargetInput).min(1, 'must list 1 to 20 targets').max(20, 'must list 1 to 20 targets'),
      }),
    )
    .min(1, 'must list 1 to 10 levels')
    .max(10, 'must list 1 to 10 levels'),
  repeat: int(1, 10).optional().default(1).openapi({ description: '全段階を繰り返す回数 (rounds)' }),
});
const Target = z.union([
  z.object({ type: z.literal('schedule'), scheduleId: id() }),
  z.object({ type: z.literal('user'), userId: id() }),
  z.object({ type: z.literal('address'), address: z.string() }),
]);
// Unnamed on purpose: the generator writes a nullable named schema as allOf [$ref, …], which
// rejects the {"policy": null} that an organization without a policy answers.
const Policy = z.object({
  levels: z.array(z.object({ timeoutMinutes: z.number().int(), targets: z.array(Target) })),
  repeat: z.number().int(),
});

export const OverrideBody = z
  .strictObject({ userId: idInput(), startsAt: timeInput(), endsAt: timeInput() })
  .refine((o) => o.endsAt > o.startsAt, { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine((o) => o.endsAt.getTime() - o.startsAt.getTime() <= 90 * 86_400_000, {
    message: 'an override may last at most 90 days',
    path: ['endsAt'],
  });

const scheduleParams = orgParams.extend({ scheduleId: idParam() });
const incidentParams = orgParams.extend({ incidentId: idParam() });

export const oncallRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/oncall/schedules',
      action: 'oncall.read',
      operationId: 'listSchedules',
      tags: ['oncall'],
      summary: 'オンコール当番表の一覧 (on-call schedules)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(itemsOf(Schedule)) },
    },
    (ctx) => async (c) => c.json({ items: await listSchedules(ctx.sql, c.req.valid('param').orgId) }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/oncall/schedules',
      action: 'oncall.manage',
      operationId: 'createSchedule',
      tags: ['oncall'],
      summary: '当番表を作成: 交代制と、土日祝の交代制 (a rotation, and one for weekends and Japanese holidays)',
      request: { params: orgParams, body: jsonBody(ScheduleBody) },
      responses: { 201: jsonAnswer(Schedule, 'Created') },
    },
    (ctx) => async (c) => {
      const { name, ...definition } = c.req.valid('json');
      return c.json(await saveSchedule(ctx, c.req.valid('param').orgId, null, { name, definition }, requestActor(c)), 201);
    },
  ),

  defineRoute(
    {
      method: 'put',
      path: '/organizations/{orgId}/oncall/schedules/{scheduleId}',
      action: 'oncall.manage',
      operationId: 'updateSchedule',
      tags: ['oncall'],
      summary: '当番表を変更 (replace a schedule)',
      request: { params: scheduleParams, body: jsonBody(ScheduleBody) },
      responses: { 200: jsonAnswer(Schedule) },
    },
    (ctx) => async (c) => {
      const { orgId, scheduleId } = c.req.valid('param');
      const { name, ...definition } = c.req.valid('json');
      return c.json(await saveSchedule(ctx, orgId, scheduleId, { name, definition }, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/oncall/schedules/{scheduleId}/overrides',
      action: 'oncall.manage',
      operationId: 'addOverride',
      tags: ['oncall'],
      summary: '代理 (an override: someone covers from–to, at most 90 days)',
      request: { params: scheduleParams, body: jsonBody(OverrideBody) },
      responses: {
        201: jsonAnswer(
          z.object({ id: id(), scheduleId: id(), userId: id(), startsAt: time(), endsAt: time() }).openapi('Override'),
          'Created',
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, scheduleId } = c.req.valid('param');
      return c.json(await addOverride(ctx, orgId, scheduleId, c.req.valid('json'), requestActor(c)), 201);
    },
  ),

  defineRoute(
    {
      method: 'delete',
      path: '/organizations/{orgId}/oncall/schedules/{scheduleId}/overrides/{overrideId}',
      action: 'oncall.manage',
      operationId: 'removeOverride',
      tags: ['oncall'],
      summary: '代理を取り消す (take an override back; the rotation covers that stretch again)',
      request: { params: scheduleParams.extend({ overrideId: idParam() }) },
      responses: { 204: { description: 'Removed' } },
    },
    (ctx) => async (c) => {
      const { orgId, scheduleId, overrideId } = c.req.valid('param');
      await removeOverride(ctx, orgId, scheduleId, overrideId, requestActor(c));
      return c.body(null, 204);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/oncall/schedules/{scheduleId}/on-call',
      action: 'oncall.read',
      operationId: 'whoIsOnCall',
      tags: ['oncall'],
      summary: '今（または at の時刻に）誰が当番か (who is on call)',
      request: { params: scheduleParams, query: z.strictObject({ at: query.time('この時刻の当番 (default: now)') }) },
      responses: {
        200: jsonAnswer(
          z
            .object({
              at: time(),
              onCall: z
                .object({
                  userId: id(),
                  source: z.enum(['override', 'rotation', 'rest_day_rotation']),
                  day: z.string(),
                  user: z.object({ id: id(), name: z.string(), email: z.string() }).nullable(),
                })
                .nullable(),
            })
            .openapi('OnCall'),
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, scheduleId } = c.req.valid('param');
      const answer = await onCallAt(ctx.sql, orgId, scheduleId, c.req.valid('query').at ?? ctx.now());
      if (!answer) throw new NotFoundError('スケジュールが見つかりません (schedule not found)');
      return c.json(answer, 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/escalation-policy',
      action: 'oncall.read',
      operationId: 'getEscalationPolicy',
      tags: ['oncall'],
      summary: 'エスカレーション方針 (null: 通知先設定の全員が第1段階)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(z.object({ policy: Policy.nullable() })) },
    },
    (ctx) => async (c) => c.json({ policy: await policyOf(ctx.sql, c.req.valid('param').orgId) }, 200),
  ),

  defineRoute(
    {
      method: 'put',
      path: '/organizations/{orgId}/escalation-policy',
      action: 'oncall.manage',
      operationId: 'putEscalationPolicy',
      tags: ['oncall'],
      summary: 'エスカレーション方針を設定 (levels with timeouts, repeated)',
      request: { params: orgParams, body: jsonBody(PolicyBody) },
      responses: { 200: jsonAnswer(Policy) },
    },
    (ctx) => async (c) => c.json(await savePolicy(ctx, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/incidents/{incidentId}/acknowledge',
      action: 'oncall.acknowledge',
      operationId: 'acknowledgeIncident',
      tags: ['oncall'],
      summary: '受領確認: エスカレーションを止める (acknowledge)',
      request: { params: incidentParams },
      responses: {
        200: jsonAnswer(
          z
            .object({ orgId: id(), incidentId: id(), acknowledgedAt: time(), first: z.boolean(), by: z.string() })
            .openapi('Acknowledgement'),
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await acknowledgeIncident(ctx, orgId, incidentId, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'put',
      path: '/organizations/{orgId}/incidents/{incidentId}/tasks/{taskId}/assignee',
      action: 'incidents.manage',
      operationId: 'assignTask',
      tags: ['oncall'],
      summary: 'タスクの担当者 (期限超過メールの宛先)',
      request: {
        params: incidentParams.extend({ taskId: idParam() }),
        body: jsonBody(z.strictObject({ assigneeId: idInput().nullable() })),
      },
      responses: { 200: jsonAnswer(z.object({ taskId: id(), assigneeId: id().nullable() })) },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, taskId } = c.req.valid('param');
      return c.json(await assignTask(ctx, orgId, incidentId, taskId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
];
