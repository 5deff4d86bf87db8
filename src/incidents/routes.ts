import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import {
  cleanText,
  ErrorBody,
  id,
  idParam,
  itemsOf,
  jsonAnswer,
  jsonBody,
  limit,
  orgParams,
  query,
  time,
  timeInput,
} from '../http/schemas.ts';
import { incidentStatuses, roleNames } from '../incident-record/lifecycle.ts';
import { addNote } from './add-note.ts';
import { assignRoles, incidentPeople, incidentRoles } from './assign-roles.ts';
import { changeSeverity } from './change-severity.ts';
import { playbookSteps } from './playbook.ts';
import { promoteAlert } from './promote-alert.ts';
import { getIncident, getPlaybook, listIncidents, listOverdueTasks, taskStatuses } from './queries.ts';
import { savePlaybook } from './save-playbook.ts';
import { transitionIncident } from './transition-incident.ts';
import { updateTask } from './update-task.ts';

// Incidents, their tasks and the org's playbook under /organizations/{orgId}.

const conflict = (description = '状態が変わっていた・重複 (conflict: the state changed meanwhile, or a duplicate)') => ({
  409: jsonAnswer(ErrorBody, description),
});

const severityValue = z.number().int().min(1).max(5).openapi({ description: '深刻度 1–5 (README「深刻度」参照)' });
const role = z.enum(roleNames).openapi({ description: 'pr_staff=広報担当, oncall_manager=当番責任者, director=院長・理事, admin=管理者' });

const Incident = z
  .object({
    id: id(),
    orgId: id(),
    title: z.string(),
    status: z.enum(incidentStatuses),
    severity: severityValue,
    riskCategories: z.array(z.string()),
    playbookVersion: z.number().int(),
    roles: z
      .object({ commander: role.nullable(), communicationsLead: role.nullable(), scribe: role.nullable() })
      .openapi({ description: '指揮者 (commander)・広報責任者 (communicationsLead)・記録係 (scribe) を担う役割' }),
    people: z
      .object({ commander: id().nullable(), communicationsLead: id().nullable(), scribe: id().nullable() })
      .openapi({ description: '役割を担う利用者 (user ids; null: nobody named yet)' }),
    detectedAt: time(),
    acknowledgedAt: time().nullable(),
    firstResponseAt: time().nullable().openapi({ description: '最初の公式見解の公開' }),
    mitigatedAt: time().nullable(),
    resolvedAt: time().nullable(),
    closedAt: time().nullable(),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi('Incident');

const Task = z
  .object({
    id: id(),
    incidentId: id(),
    stepKey: z.string(),
    title: z.string(),
    ownerRole: role,
    dueAt: time(),
    checklist: z.array(z.string()),
    status: z.enum(taskStatuses),
    assigneeId: id().nullable().openapi({ description: '担当者 (user id); 当番責任者の手順は作成時の当番に割り当て' }),
    doneBy: z.string().nullable(),
    doneAt: time().nullable(),
  })
  .openapi('Task');

const TimelineEvent = z
  .object({
    id: id(),
    at: time(),
    kind: z.string(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('TimelineEvent');

const IncidentDetail = Incident.extend({
  alerts: z.array(
    z.object({
      id: id(),
      kind: z.string(),
      severity: severityValue,
      status: z.string(),
      openedAt: time(),
      summary: z.string(),
      attachedAt: time(),
    }),
  ),
  tasks: z.array(Task),
  timeline: z.array(TimelineEvent),
}).openapi('IncidentDetail');

// What GET answers: steps as saved, so versions saved before `required` existed may lack it (they count as required).
const Playbook = z
  .object({
    version: z.number().int().openapi({ description: '0 は同梱の既定版 (0: the shipped default)' }),
    steps: z.array(
      z
        .object({
          key: z.string(),
          title: z.string(),
          ownerRole: role,
          dueOffsetMinutes: z.number().int(),
          checklist: z.array(z.string()),
          when: z.object({ minSeverity: severityValue.optional(), riskCategories: z.array(z.string()).optional() }),
          required: z.boolean().optional(),
        })
        .openapi('PlaybookStep'),
    ),
  })
  .openapi('Playbook');

const incidentParams = orgParams.extend({ incidentId: idParam() });

/** A role (null clears it) or a person (a user of the organization who is not disabled; null clears). */
const RolesPatch = z
  .strictObject({
    ...(Object.fromEntries(Object.keys(incidentRoles).map((k) => [k, role.nullable().optional()])) as Record<
      keyof typeof incidentRoles,
      z.ZodOptional<z.ZodNullable<typeof role>>
    >),
    ...(Object.fromEntries(Object.keys(incidentPeople).map((k) => [k, id().nullable().optional()])) as Record<
      keyof typeof incidentPeople,
      z.ZodOptional<z.ZodNullable<ReturnType<typeof id>>>
    >),
  })
  .refine(
    (p) => Object.values(p).some((v) => v !== undefined),
    `give at least one of ${[...Object.keys(incidentRoles), ...Object.keys(incidentPeople)].join(', ')}`,
  );

export const incidentRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/incidents',
      action: 'incidents.read',
      operationId: 'listIncidents',
      tags: ['incidents'],
      summary: 'インシデントの一覧 (incidents)',
      request: { params: orgParams, query: z.strictObject({ status: query.oneOf(incidentStatuses), limit: limit() }) },
      responses: { 200: jsonAnswer(itemsOf(Incident)) },
    },
    (ctx) => async (c) =>
      c.json({ items: await listIncidents(ctx.sql, { orgId: c.req.valid('param').orgId, ...c.req.valid('query') }) }, 200),
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/incidents/{incidentId}',
      action: 'incidents.read',
      operationId: 'getIncident',
      tags: ['incidents'],
      summary: 'インシデント、アラート、タスク、タイムライン',
      request: { params: incidentParams },
      responses: { 200: jsonAnswer(IncidentDetail) },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await getIncident(ctx.sql, orgId, incidentId), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/incidents/{incidentId}/transitions',
      action: 'incidents.manage',
      operationId: 'transitionIncident',
      tags: ['incidents'],
      summary: '状態を進める (triage → active → stable → resolved → closed, cancelled, reopen)',
      description:
        '再開 (reopen) と中止 (cancel) は理由が必須。未完了の必須タスク (プレイブックの required な手順) がある状態での解決 (resolved) も理由が必須で、' +
        'ないと 409 で未完了タスクの名前を返す。理由はタイムラインとポストモーテムに残る。解決・クローズ・中止でインシデントの未クローズのアラートもクローズする。' +
        " (reopen and cancel need a reason; so does resolving while required playbook tasks are open — without one, 409 naming them. The reason goes on the timeline and into the post-mortem. Resolving, closing or cancelling also closes the incident's open alerts.)",
      request: {
        params: incidentParams,
        body: jsonBody(
          z.strictObject({
            to: z.enum(incidentStatuses),
            reason: cleanText(2000).optional().openapi({
              description:
                '理由: 再開・中止、未完了の必須タスクがある解決では必須 (required for reopen, cancel, and resolving over open required tasks)',
            }),
            at: timeInput().optional().openapi({ description: '過去にさかのぼって記録する時刻 (when it happened, if earlier)' }),
          }),
        ),
      },
      responses: {
        200: jsonAnswer(Incident),
        ...conflict(
          '状態が変わっていた、または未完了の必須タスクがあり理由がない (conflict: the state changed meanwhile, or required tasks are open and no reason was given)',
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await transitionIncident(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/incidents/{incidentId}/severity',
      action: 'incidents.manage',
      operationId: 'changeIncidentSeverity',
      tags: ['incidents'],
      summary: '深刻度を変更 (change severity, with a reason)',
      request: {
        params: incidentParams,
        body: jsonBody(
          z.strictObject({
            severity: z
              .number({ error: 'must be an integer 1–5' })
              .int('must be an integer 1–5')
              .min(1, 'must be an integer 1–5')
              .max(5, 'must be an integer 1–5'),
            reason: cleanText(2000),
          }),
        ),
      },
      responses: { 200: jsonAnswer(Incident), ...conflict() },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await changeSeverity(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/incidents/{incidentId}/roles',
      action: 'incidents.manage',
      operationId: 'assignIncidentRoles',
      tags: ['incidents'],
      summary: '指揮者・広報責任者・記録係を割り当て',
      description:
        'commander / communicationsLead / scribe: 役割名; commanderId / communicationsLeadId / scribeId: 同じ組織の有効なユーザー ID (null で解除)',
      request: { params: incidentParams, body: jsonBody(RolesPatch) },
      responses: { 200: jsonAnswer(Incident) },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await assignRoles(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/incidents/{incidentId}/notes',
      action: 'incidents.work',
      operationId: 'addIncidentNote',
      tags: ['incidents'],
      summary: 'タイムラインにメモ (add a note)',
      request: { params: incidentParams, body: jsonBody(z.strictObject({ text: cleanText(4000) })) },
      responses: { 201: jsonAnswer(z.object({ ok: z.literal(true) }), 'Created') },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await addNote(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 201);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/incidents/{incidentId}/tasks/{taskId}',
      action: 'incidents.work',
      operationId: 'updateIncidentTask',
      tags: ['incidents'],
      summary: 'タスクを完了・省略・再開',
      request: {
        params: incidentParams.extend({ taskId: idParam() }),
        body: jsonBody(z.strictObject({ status: z.enum(taskStatuses), note: cleanText(2000).optional() })),
      },
      responses: { 200: jsonAnswer(Task), ...conflict() },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId, taskId } = c.req.valid('param');
      return c.json(await updateTask(ctx, orgId, incidentId, taskId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/incident-tasks/overdue',
      action: 'incidents.read',
      operationId: 'listOverdueTasks',
      tags: ['incidents'],
      summary: '期限切れの未完了タスク (overdue tasks)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(itemsOf(Task)) },
    },
    (ctx) => async (c) => c.json({ items: await listOverdueTasks(ctx.sql, c.req.valid('param').orgId, ctx.now()) }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/alerts/{alertId}/incident',
      action: 'incidents.manage',
      operationId: 'promoteAlert',
      tags: ['incidents'],
      summary: 'アラートをインシデントに昇格 (promote an alert by hand)',
      request: { params: orgParams.extend({ alertId: idParam() }) },
      responses: { 201: jsonAnswer(Incident, 'Created'), ...conflict() },
    },
    (ctx) => async (c) => {
      const { orgId, alertId } = c.req.valid('param');
      return c.json(await promoteAlert(ctx, orgId, alertId, requestActor(c)), 201);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/playbook',
      action: 'playbooks.read',
      operationId: 'getPlaybook',
      tags: ['playbooks'],
      summary: '現在の (または指定版の) プレイブック',
      request: { params: orgParams, query: z.strictObject({ version: query.int(0, 1_000_000, '版 (0 は同梱の既定版)') }) },
      responses: { 200: jsonAnswer(Playbook) },
    },
    (ctx) => async (c) => c.json(await getPlaybook(ctx.sql, c.req.valid('param').orgId, c.req.valid('query').version), 200),
  ),

  defineRoute(
    {
      method: 'put',
      path: '/organizations/{orgId}/playbook',
      action: 'playbooks.manage',
      operationId: 'savePlaybook',
      tags: ['playbooks'],
      summary: 'プレイブックの新しい版を保存 (save a new version)',
      request: { params: orgParams, body: jsonBody(z.strictObject({ steps: playbookSteps })) },
      responses: { 200: jsonAnswer(Playbook) },
    },
    (ctx) => async (c) => c.json(await savePlaybook(ctx, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 200),
  ),
];
