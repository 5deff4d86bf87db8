/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { z } from 'zod';
import { listUsers } from '../../auth/users.ts';
import type { AppEnv } from '../../http/env.ts';
import { requestActor } from '../../http/actor.ts';
import { cleanText } from '../../http/schemas.ts';
import { ValidationError } from '../../errors.ts';
import { getIncident } from '../../incidents/queries.ts';
import { approveStatement } from '../../statements/approve-statement.ts';
import { checkStoredStatement } from '../../statements/check-statement.ts';
import { createStatement } from '../../statements/create-statement.ts';
import { editStatement } from '../../statements/edit-statement.ts';
import { publishStatement } from '../../statements/publish-statement.ts';
import { actorKey, getStatement, writersOf } from '../../statements/queries.ts';
import { rejectStatement } from '../../statements/reject-statement.ts';
import { submitStatement } from '../../statements/submit-statement.ts';
import { statementTemplates } from '../../statements/templates.ts';
import { withdrawStatement } from '../../statements/withdraw-statement.ts';
import { formOf, incidentId, pathNumber } from '../forms.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { StatementPage } from '../pages/statement.tsx';

// Statements from the incident page: a draft from a template, the editor, and the workflow's forms.

const statementFlashes: Record<string, string> = {
  edit: '保存し、チェックしました。',
  submit: '承認を依頼しました。',
  approve: '承認しました。',
  reject: '差し戻しました。',
  publish: '公開済みにしました。',
  withdraw: '取り下げました。',
};

/** The statement workflow's forms: each one verb, then back to the statement with a note. */
function statementMoves(): PageDefinition[] {
  const path = (move: string) => `/incidents/:incidentId/statements/:statementId/${move}`;
  const ids = (c: Context<AppEnv>) => [incidentId(c), pathNumber(c, 'statementId', '声明文番号')] as const;
  const back = (c: Context<AppEnv>, id: string, statementId: string, done: string) =>
    c.redirect(`/incidents/${id}/statements/${statementId}?done=${done}`, 303);
  const reason = z.object({ reason: cleanText(2000) });
  const version = z
    .string()
    .regex(/^[1-9]\d{0,8}$/, '版が正しくありません')
    .transform(Number);
  return [
    definePage({
      method: 'post',
      path: path('edit'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        const form = await formOf(c, z.object({ version, title: cleanText(200), body: cleanText(20_000) }));
        await editStatement(ctx, viewer.auth.orgId, id, statementId, form, requestActor(c));
        await checkStoredStatement(ctx, viewer.auth.orgId, id, statementId, requestActor(c));
        return back(c, id, statementId, 'edit');
      },
    }),
    definePage({
      method: 'post',
      path: path('submit'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await submitStatement(ctx, viewer.auth.orgId, id, statementId, requestActor(c));
        return back(c, id, statementId, 'submit');
      },
    }),
    definePage({
      method: 'post',
      path: path('approve'),
      action: 'statements.approve',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        const raw = await c.req.parseBody();
        const { version: read } = await formOf(c, z.object({ version }));
        // One reason per blocking finding, named override:<findingId> in the form.
        const overrides = Object.entries(raw)
          .flatMap(([k, v]) => (k.startsWith('override:') && typeof v === 'string' && v.trim() !== '' ? [[k, v.trim()] as const] : []))
          .map(([k, v]) => ({ findingId: k.slice('override:'.length, 200 + 9), reason: v.slice(0, 1000) }))
          .slice(0, 100);
        await approveStatement(ctx, viewer.auth.orgId, id, statementId, { version: read, overrides }, requestActor(c));
        return back(c, id, statementId, 'approve');
      },
    }),
    definePage({
      method: 'post',
      path: path('reject'),
      action: 'statements.approve',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await rejectStatement(ctx, viewer.auth.orgId, id, statementId, await formOf(c, reason), requestActor(c));
        return back(c, id, statementId, 'reject');
      },
    }),
    definePage({
      method: 'post',
      path: path('publish'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await publishStatement(ctx, viewer.auth.orgId, id, statementId, {}, requestActor(c));
        return back(c, id, statementId, 'publish');
      },
    }),
    definePage({
      method: 'post',
      path: path('withdraw'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await withdrawStatement(ctx, viewer.auth.orgId, id, statementId, await formOf(c, reason), requestActor(c));
        return back(c, id, statementId, 'withdraw');
      },
    }),
  ];
}

export const statementPages: readonly PageDefinition[] = [
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/statements',
    action: 'statements.write',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(c, z.object({ template: z.string().max(100) }));
      const template = statementTemplates.find((t) => t.key === form.template);
      if (!template) throw new ValidationError('テンプレートを選んでください');
      const statement = await createStatement(ctx, viewer.auth.orgId, id, { kind: template.kind, template: template.key }, requestActor(c));
      await checkStoredStatement(ctx, viewer.auth.orgId, id, statement.id, requestActor(c));
      return c.redirect(`/incidents/${id}/statements/${statement.id}`, 303);
    },
  }),
  definePage({
    method: 'get',
    path: '/incidents/:incidentId/statements/:statementId',
    action: 'statements.read',
    handler: (ctx) => async (c, viewer) => {
      const [id, statementId] = [incidentId(c), pathNumber(c, 'statementId', '声明文番号')];
      const [statement, incident, people, writers] = await Promise.all([
        getStatement(ctx.sql, viewer.auth.orgId, id, statementId),
        getIncident(ctx.sql, viewer.auth.orgId, id),
        listUsers(ctx.sql, viewer.auth.orgId),
        writersOf(ctx.sql, viewer.auth.orgId, statementId),
      ]);
      // Statement people are stored as actor keys (a user's is their id): the same rule the verb applies.
      const me = actorKey(requestActor(c));
      const isWriter = writers.has(me) || statement.authorId === me || statement.submittedBy === me;
      return c.html(
        <StatementPage
          viewer={viewer}
          statement={statement}
          incidentTitle={incident.title}
          names={new Map(people.map((p) => [p.id, p.name]))}
          isWriter={isWriter}
          flash={statementFlashes[c.req.query('done') ?? '']}
        />,
      );
    },
  }),
  ...statementMoves(),
];
