/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { z } from 'zod';
import { activePeople, listUsers, nameOf } from '../../auth/users.ts';
import { ValidationError } from '../../errors.ts';
import { requestActor } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { cleanText, id as idSchema } from '../../http/schemas.ts';
import { findIncident } from '../../incident-record/incident.ts';
import { roleNames } from '../../incident-record/lifecycle.ts';
import { countMentions } from '../../mentions/queries.ts';
import { approvePostmortem } from '../../postmortems/approve-postmortem.ts';
import { regeneratePostmortem } from '../../postmortems/draft-postmortem.ts';
import { editPostmortem, type ActionItemInput } from '../../postmortems/edit-postmortem.ts';
import { getPostmortem, listPostmortems } from '../../postmortems/queries.ts';
import { incidentReport } from '../../postmortems/report.ts';
import { formOf, incidentId, jstLocal } from '../forms.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { PostmortemPage, PostmortemsPage, type PostmortemMarker } from '../pages/postmortems.tsx';
import { ReportPage } from '../pages/reports.tsx';

// The post-mortem list, one post-mortem, and its forms (edit, regenerate, approve): each form one
// verb with the version read, then back to the page with a note of what was done.

const flashes: Record<string, string> = {
  edit: '保存しました。',
  regenerate: '事実を集計し直しました。',
  approve: '承認しました。以後は変更できません。',
};
const back = (c: Context<AppEnv>, id: string, done: keyof typeof flashes) => c.redirect(`/incidents/${id}/postmortem?done=${done}`, 303);

const HOUR = 3_600_000;
const version = z.coerce.number().int().min(1).max(1_000_000);
const prose = z
  .string()
  .max(20_000)
  .refine((v) => !/\u0000/.test(v), '使えない文字が含まれています');
const actionRow = z.object({
  key: z
    .string()
    .regex(/^action:\d{1,6}$/)
    .optional(),
  title: z.string().max(200),
  owner: z.enum(roleNames),
  assignee: z.union([z.literal(''), idSchema()]),
  due: z.union([z.literal(''), jstLocal]),
});

/** The edit form's action item rows (key_i, title_i, owner_i, assignee_i, due_i): a row without a title is left out. */
function actionItemsOf(form: Record<string, unknown>): ActionItemInput[] {
  const rows = Number(form.rows);
  if (!Number.isInteger(rows) || rows < 0 || rows > 100) throw new ValidationError('アクション項目の行数が正しくありません');
  const items: ActionItemInput[] = [];
  for (let i = 0; i < rows; i++) {
    const parsed = actionRow.safeParse({
      key: form[`key_${i}`] || undefined,
      title: typeof form[`title_${i}`] === 'string' ? (form[`title_${i}`] as string).trim() : '',
      owner: form[`owner_${i}`],
      assignee: form[`assignee_${i}`] ?? '',
      due: form[`due_${i}`] ?? '',
    });
    if (!parsed.success) throw new ValidationError(`アクション項目 ${i + 1}: ${parsed.error.issues.map((x) => x.message).join(' / ')}`);
    const r = parsed.data;
    if (r.title === '') continue;
    if (!cleanText(200).safeParse(r.title).success) throw new ValidationError(`アクション項目 ${i + 1}: 題に使えない文字があります`);
    items.push({ key: r.key, title: r.title, ownerRole: r.owner, assigneeId: r.assignee || null, dueAt: r.due || null });
  }
  return items;
}

export const postmortemPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/reports',
    action: 'reports.read',
    handler: (ctx) => async (c, viewer) => {
      const months = z
        .enum(['12', '24', '60'])
        .catch('12')
        .parse(c.req.query('months') ?? '12');
      const n = Number(months);
      // Whole JST months: from the first day of the month n-1 months ago to now.
      const jstNow = new Date(viewer.now.getTime() + 9 * HOUR);
      const from = new Date(Date.UTC(jstNow.getUTCFullYear(), jstNow.getUTCMonth() - (n - 1), 1) - 9 * HOUR);
      const report = await incidentReport(ctx.sql, viewer.auth.orgId, { from, to: viewer.now });
      const printHref = `/api/v1/organizations/${viewer.auth.orgId}/reports/incidents.html?from=${encodeURIComponent(from.toISOString())}`;
      return c.html(<ReportPage viewer={viewer} report={report} months={n} printHref={printHref} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/postmortems',
    action: 'postmortems.read',
    handler: (ctx) => async (c, viewer) =>
      c.html(<PostmortemsPage viewer={viewer} items={await listPostmortems(ctx.sql, viewer.auth.orgId)} />),
  }),
  definePage({
    method: 'get',
    path: '/incidents/:incidentId/postmortem',
    action: 'postmortems.read',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const orgId = viewer.auth.orgId;
      const [pm, incident, users] = await Promise.all([
        getPostmortem(ctx.sql, orgId, id),
        findIncident(ctx.sql, orgId, id),
        listUsers(ctx.sql, orgId),
      ]);
      const f = pm.facts;
      // Six hours before the episode to the end of what was followed after the resolution.
      const from = new Date(Math.floor((Date.parse(f.episode.start) - 6 * HOUR) / HOUR) * HOUR);
      const to = new Date(Math.min(viewer.now.getTime(), Date.parse(f.episode.dataEnd)));
      const series =
        to > from
          ? await countMentions(ctx.sql, { orgId, from, to, bucket: to.getTime() - from.getTime() <= 24 * HOUR ? '15m' : '1h' })
          : [];
      const moments: [string | null, string][] = [
        [f.episode.alertRaisedAt, 'アラート'],
        [f.incident.acknowledgedAt, '受領'],
        [f.incident.firstResponseAt, '第一報'],
        [f.incident.resolvedAt, '解決'],
      ];
      const markers: PostmortemMarker[] = moments
        .filter((m): m is [string, string] => m[0] !== null)
        .map(([at, label]) => ({ at: new Date(at), label }));
      const done = c.req.query('done');
      return c.html(
        <PostmortemPage
          viewer={viewer}
          title={incident.title}
          pm={pm}
          name={nameOf(users)}
          people={activePeople(users)}
          series={series}
          markers={markers}
          flash={done ? flashes[done] : undefined}
        />,
      );
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/postmortem',
    action: 'postmortems.write',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await c.req.parseBody();
      const fields = z.object({ version, summary: prose, wentWell: prose, wentBadly: prose }).safeParse(form);
      if (!fields.success) throw new ValidationError(`入力を確認してください: ${fields.error.issues.map((i) => i.message).join(' / ')}`);
      await editPostmortem(ctx, viewer.auth.orgId, id, { ...fields.data, actionItems: actionItemsOf(form) }, requestActor(c));
      return back(c, id, 'edit');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/postmortem/regenerate',
    action: 'postmortems.write',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      await regeneratePostmortem(ctx, viewer.auth.orgId, id, requestActor(c));
      return back(c, id, 'regenerate');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/postmortem/approve',
    action: 'postmortems.approve',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const { version: v } = await formOf(c, z.object({ version }));
      await approvePostmortem(ctx, viewer.auth.orgId, id, { version: v }, requestActor(c));
      return back(c, id, 'approve');
    },
  }),
];
