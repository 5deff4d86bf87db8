/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { z } from 'zod';
import { listUsers } from '../../auth/users.ts';
import type { AppEnv } from '../../http/env.ts';
import { requestActor } from '../../http/actor.ts';
import { cleanText, id as idSchema } from '../../http/schemas.ts';
import { incidentStatuses, openStatuses } from '../../incident-record/lifecycle.ts';
import { addNote } from '../../incidents/add-note.ts';
import { assignRoles } from '../../incidents/assign-roles.ts';
import { changeSeverity } from '../../incidents/change-severity.ts';
import { getIncident, listIncidents } from '../../incidents/queries.ts';
import { transitionIncident } from '../../incidents/transition-incident.ts';
import { updateTask } from '../../incidents/update-task.ts';
import { ValidationError } from '../../errors.ts';
import { acknowledgeIncident } from '../../oncall/acknowledge-incident.ts';
import { escalationOf } from '../../oncall/escalation.ts';
import { listStatements } from '../../statements/queries.ts';
import { statementTemplates } from '../../statements/templates.ts';
import { formOf, incidentId, optionalText, pathNumber } from '../forms.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { IncidentPage } from '../pages/incident.tsx';
import { IncidentsPage } from '../pages/incidents.tsx';

// The incident list, the incident page and its forms: each form one verb, then back to the page
// with a note of what was done.

const back = (c: Context<AppEnv>, id: string, done: string) => c.redirect(`/incidents/${id}?done=${done}`, 303);
const flashes: Record<string, string> = {
  ack: '受領しました。次の段階の呼び出しは止まります。',
  status: '状態を変更しました。',
  severity: '深刻度を変更しました。',
  roles: '担当を保存しました。',
  task: 'タスクを更新しました。',
  note: 'メモを追加しました。',
};

export const incidentPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/incidents',
    action: 'incidents.read',
    handler: (ctx) => async (c, viewer) => {
      const all = await listIncidents(ctx.sql, { orgId: viewer.auth.orgId, limit: 100 });
      const open = all.filter((i) => openStatuses.includes(i.status)).sort((a, b) => b.severity - a.severity);
      const ended = all.filter((i) => !openStatuses.includes(i.status));
      return c.html(<IncidentsPage viewer={viewer} open={open} ended={ended} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/incidents/:incidentId',
    action: 'incidents.read',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const [incident, people, escalation, statements] = await Promise.all([
        getIncident(ctx.sql, viewer.auth.orgId, id),
        listUsers(ctx.sql, viewer.auth.orgId),
        escalationOf(ctx.sql, viewer.auth.orgId, id),
        viewer.may('statements.read') ? listStatements(ctx.sql, viewer.auth.orgId, id) : Promise.resolve([]),
      ]);
      const flash = flashes[c.req.query('done') ?? ''];
      return c.html(
        <IncidentPage
          viewer={viewer}
          incident={incident}
          people={people}
          escalation={escalation}
          statements={statements}
          templates={statementTemplates}
          flash={flash}
        />,
      );
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/acknowledge',
    action: 'oncall.acknowledge',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      await acknowledgeIncident(ctx, viewer.auth.orgId, id, requestActor(c));
      return back(c, id, 'ack');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/transition',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(
        c,
        z.object({
          to: z.enum(incidentStatuses, { error: '新しい状態を選んでください' }),
          reason: optionalText(2000),
          confirm: z.literal('yes').optional(),
        }),
      );
      // Resolving or closing over open tasks asks for a confirmation and a reason, on the server too.
      if (form.to === 'resolved' || form.to === 'closed') {
        const open = (await getIncident(ctx.sql, viewer.auth.orgId, id)).tasks.filter((t) => t.status === 'open');
        if (open.length > 0 && (form.confirm !== 'yes' || !form.reason)) {
          throw new ValidationError(
            `未完了のタスクが ${open.length} 件あります（${open
              .map((t) => t.title)
              .join('、')
              .slice(0, 300)}）。確認のチェックと理由を入力してください。`,
          );
        }
      }
      await transitionIncident(ctx, viewer.auth.orgId, id, { to: form.to, reason: form.reason }, requestActor(c));
      return back(c, id, 'status');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/severity',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(
        c,
        z.object({
          severity: z.enum(['1', '2', '3', '4', '5'], { error: '深刻度は 1〜5 です' }).transform(Number),
          reason: optionalText(2000),
        }),
      );
      if (!form.reason) throw new ValidationError('深刻度を変える理由を入力してください');
      await changeSeverity(ctx, viewer.auth.orgId, id, { severity: form.severity, reason: form.reason }, requestActor(c));
      return back(c, id, 'severity');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/roles',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const person = z.preprocess((v) => (v === '' || v === undefined ? null : v), idSchema().nullable());
      const form = await formOf(c, z.object({ commander: person, communications: person, scribe: person }));
      await assignRoles(
        ctx,
        viewer.auth.orgId,
        id,
        { commanderId: form.commander, communicationsLeadId: form.communications, scribeId: form.scribe },
        requestActor(c),
      );
      return back(c, id, 'roles');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/tasks/:taskId',
    action: 'incidents.work',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const taskId = pathNumber(c, 'taskId', 'タスク番号');
      const form = await formOf(c, z.object({ status: z.enum(['open', 'done', 'skipped'], { error: '状態が正しくありません' }) }));
      await updateTask(ctx, viewer.auth.orgId, id, taskId, { status: form.status }, requestActor(c));
      return back(c, id, 'task');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/notes',
    action: 'incidents.work',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(c, z.object({ text: cleanText(4000) }));
      await addNote(ctx, viewer.auth.orgId, id, { text: form.text }, requestActor(c));
      return back(c, id, 'note');
    },
  }),
];
