import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { requestActor } from '../http/actor.ts';
import { orgIdParam, pathId, queryOf, readJson } from '../http/params.ts';
import { addNote, parseNoteInput } from './add-note.ts';
import { assignRoles, parseRolesInput } from './assign-roles.ts';
import { changeSeverity, parseSeverityInput } from './change-severity.ts';
import { incidentStatuses } from '../incident-record/lifecycle.ts';
import { promoteAlert } from './promote-alert.ts';
import { currentPlaybook, getIncident, listIncidents, listOverdueTasks, playbookVersion } from './queries.ts';
import { NotFoundError } from '../errors.ts';
import { parsePlaybookInput, savePlaybook } from './save-playbook.ts';
import { parseTransitionInput, transitionIncident } from './transition-incident.ts';
import { parseTaskInput, updateTask } from './update-task.ts';
import type { AppEnv } from '../http/env.ts';

/** Incidents, their tasks and the org's playbook under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function incidentRoutes(ctx: AppContext) {
  const r = new Hono<AppEnv>();
  const base = '/organizations/:orgId';

  r.get(`${base}/incidents`, async (c) => {
    const q = queryOf(c, ['status', 'limit']);
    const orgId = orgIdParam(c);
    return c.json({ items: await listIncidents(ctx.sql, { orgId, status: q.oneOf('status', incidentStatuses), limit: q.int('limit', 1, 200) }) });
  });
  r.get(`${base}/incidents/:incidentId`, async (c) => c.json(await getIncident(ctx.sql, orgIdParam(c), pathId(c, 'incidentId'))));
  r.post(`${base}/incidents/:incidentId/transitions`, async (c) =>
    c.json(await transitionIncident(ctx, orgIdParam(c), pathId(c, 'incidentId'), parseTransitionInput(await readJson(c)), requestActor(c))));
  r.post(`${base}/incidents/:incidentId/severity`, async (c) =>
    c.json(await changeSeverity(ctx, orgIdParam(c), pathId(c, 'incidentId'), parseSeverityInput(await readJson(c)), requestActor(c))));
  r.patch(`${base}/incidents/:incidentId/roles`, async (c) =>
    c.json(await assignRoles(ctx, orgIdParam(c), pathId(c, 'incidentId'), parseRolesInput(await readJson(c)), requestActor(c))));
  r.post(`${base}/incidents/:incidentId/notes`, async (c) =>
    c.json(await addNote(ctx, orgIdParam(c), pathId(c, 'incidentId'), parseNoteInput(await readJson(c)), requestActor(c)), 201));
  r.patch(`${base}/incidents/:incidentId/tasks/:taskId`, async (c) =>
    c.json(await updateTask(ctx, orgIdParam(c), pathId(c, 'incidentId'), pathId(c, 'taskId'), parseTaskInput(await readJson(c)), requestActor(c))));
  r.get(`${base}/incident-tasks/overdue`, async (c) => {
    queryOf(c, []);
    return c.json({ items: await listOverdueTasks(ctx.sql, orgIdParam(c), ctx.now()) });
  });
  r.post(`${base}/alerts/:alertId/incident`, async (c) => c.json(await promoteAlert(ctx, orgIdParam(c), pathId(c, 'alertId'), requestActor(c)), 201));
  r.get(`${base}/playbook`, async (c) => {
    const q = queryOf(c, ['version']);
    const orgId = orgIdParam(c);
    const version = q.int('version', 0, 1_000_000);
    if (version === undefined) return c.json(await currentPlaybook(ctx.sql, orgId));
    const found = await playbookVersion(ctx.sql, orgId, version);
    if (found.version !== version) throw new NotFoundError('その版のプレイブックはありません (no such playbook version)');
    return c.json(found);
  });
  r.put(`${base}/playbook`, async (c) => {
    const orgId = orgIdParam(c);
    return c.json(await savePlaybook(ctx, orgId, parsePlaybookInput(await readJson(c)), requestActor(c)));
  });
  return r;
}
