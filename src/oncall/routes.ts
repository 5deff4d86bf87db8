import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { requestActor } from '../http/actor.ts';
import { orgIdParam, pathId, queryOf, readJson } from '../http/params.ts';
import { acknowledgeIncident } from './acknowledge-incident.ts';
import { addOverride, parseOverrideInput } from './add-override.ts';
import { assignTask, parseAssigneeInput } from './assign-task.ts';
import { loadSchedule, parsePolicy, policyOf } from './policy.ts';
import { savePolicy } from './save-policy.ts';
import { parseScheduleInput, saveSchedule } from './save-schedule.ts';
import { whoIsOnCall } from './schedule.ts';
import type { AppEnv } from '../http/env.ts';

/** On-call schedules, escalation policies and e-mail acknowledgement under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function oncallRoutes(ctx: AppContext) {
  const r = new Hono<AppEnv>();
  const base = '/organizations/:orgId';

  r.get(`${base}/oncall/schedules`, async (c) => {
    const orgId = orgIdParam(c);
    const rows = await ctx.sql<{ id: string; name: string; definition: object }[]>`
      select id, name, definition from oncall_schedules where org_id = ${orgId} order by id`;
    return c.json({ items: rows.map((s) => ({ id: s.id, name: s.name, ...s.definition })) });
  });
  r.post(`${base}/oncall/schedules`, async (c) =>
    c.json(await saveSchedule(ctx, orgIdParam(c), null, parseScheduleInput(await readJson(c)), requestActor(c)), 201));
  r.put(`${base}/oncall/schedules/:scheduleId`, async (c) =>
    c.json(await saveSchedule(ctx, orgIdParam(c), pathId(c, 'scheduleId'), parseScheduleInput(await readJson(c)), requestActor(c))));
  r.post(`${base}/oncall/schedules/:scheduleId/overrides`, async (c) =>
    c.json(await addOverride(ctx, orgIdParam(c), pathId(c, 'scheduleId'), parseOverrideInput(await readJson(c)), requestActor(c)), 201));
  // Who is on call now, or at ?at=ISO time.
  r.get(`${base}/oncall/schedules/:scheduleId/on-call`, async (c) => {
    const q = queryOf(c, ['at']);
    const orgId = orgIdParam(c);
    const at = q.time('at') ?? ctx.now();
    const schedule = await loadSchedule(ctx.sql, orgId, pathId(c, 'scheduleId'));
    if (!schedule) throw new NotFoundError('スケジュールが見つかりません (schedule not found)');
    const who = whoIsOnCall(schedule, at);
    const [user] = who ? await ctx.sql<{ id: string; name: string; email: string }[]>`
      select id, name, email from users where org_id = ${orgId} and id = ${who.userId}` : [];
    return c.json({ at, onCall: who ? { ...who, user: user ?? null } : null });
  });
  r.get(`${base}/escalation-policy`, async (c) => c.json({ policy: await policyOf(ctx.sql, orgIdParam(c)) }));
  r.put(`${base}/escalation-policy`, async (c) => c.json(await savePolicy(ctx, orgIdParam(c), parsePolicy(await readJson(c)), requestActor(c))));
  r.post(`${base}/incidents/:incidentId/acknowledge`, async (c) =>
    c.json(await acknowledgeIncident(ctx, orgIdParam(c), pathId(c, 'incidentId'), requestActor(c))));
  r.put(`${base}/incidents/:incidentId/tasks/:taskId/assignee`, async (c) =>
    c.json(await assignTask(ctx, orgIdParam(c), pathId(c, 'incidentId'), pathId(c, 'taskId'), parseAssigneeInput(await readJson(c)), requestActor(c))));
  return r;
}
