import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { answerText, defineRoute } from '../http/route.ts';
import { cleanText, ErrorBody, id, idParam, jsonAnswer, jsonBody, orgParams, query, textAnswer, time, timeInput } from '../http/schemas.ts';
import { roleNames } from '../incident-record/lifecycle.ts';
import { approvePostmortem } from './approve-postmortem.ts';
import { regeneratePostmortem } from './draft-postmortem.ts';
import { editPostmortem } from './edit-postmortem.ts';
import { exportIncidentReport, exportPostmortem } from './exports.ts';
import { metricNames, type MetricName } from './metrics.ts';
import { getPostmortem, proseFields } from './queries.ts';
import { incidentReport, reportRange } from './report.ts';

// Post-mortems and the org report under /organizations/{orgId}.

// Exports hold post texts and internal notes: not kept by shared caches. The app-wide secure
// headers (src/server/app.ts) give the pages a CSP without inline scripts and nosniff.
const pageHeaders = { 'cache-control': 'private, no-store' };

const conflict = { 409: jsonAnswer(ErrorBody, '版が古い・承認済み (conflict: stale version, or the post-mortem is approved and final)') };

const versionMessage = 'version (the version you read) is required';
const versionRead = z
  .number({ error: versionMessage })
  .int(versionMessage)
  .min(1, versionMessage)
  .openapi({ description: '読んだ版 (the version you read)' });

const metricValue = z
  .number()
  .int()
  .nullable()
  .openapi({ description: 'ミリ秒。該当する出来事がなければ null (ms; null when it did not happen)' });
const Metrics = z
  .object(Object.fromEntries(metricNames.map((n) => [n, metricValue])) as Record<MetricName, typeof metricValue>)
  .openapi('PostmortemMetrics');
const facts = z.record(z.string(), z.unknown());

const Postmortem = z
  .object({
    incidentId: id(),
    orgId: id(),
    status: z.enum(['draft', 'approved']),
    version: z.number().int().min(1),
    summary: z.string(),
    wentWell: z.string(),
    wentBadly: z.string(),
    editedFields: z.array(z.enum(proseFields)),
    facts: z.object({
      generatedAt: time(),
      incident: facts,
      alerts: z.array(facts),
      episode: z.object({
        start: time(),
        firstAlertAt: time(),
        firstNegativeAt: time().nullable(),
        end: time(),
        dataEnd: time(),
        bucketMinutes: z.number().int(),
      }),
      baseline: facts.openapi({ description: '平常時 (最初のアラートの48時間前までの7日間) の投稿数・否定割合と帯の幅 (z)' }),
      impact: facts.openapi({ description: '投稿数・否定割合・投稿者数・反応数 (reach)・1時間あたりのピーク・期間' }),
      recovery: z.object({ peakAt: time().nullable(), peakNegative: z.number().int(), recoveredAt: time().nullable() }),
      metrics: Metrics,
      deadlines: z.array(facts),
      timeline: z.array(facts),
      statements: z.array(facts),
      keyPosts: z.array(facts),
      resolvedOverOpenTasks: z
        .array(z.object({ at: time(), actor: z.string(), reason: z.string(), tasks: z.array(z.string()) }))
        .optional()
        .openapi({ description: '未完了の必須タスクを残した解決と理由 (resolutions over open required tasks)' }),
      relapses: z
        .array(z.object({ at: time(), alertId: id(), severity: z.number().int().nullable() }))
        .optional()
        .openapi({ description: '解決後の再燃 (relapses after resolution)' }),
    }),
    actionItems: z.array(
      z.object({
        taskId: id(),
        key: z.string().regex(/^action:[0-9]+$/),
        title: z.string(),
        ownerRole: z.enum(roleNames),
        assigneeId: id().nullable(),
        assigneeName: z.string().nullable(),
        dueAt: time(),
        status: z.enum(['open', 'done', 'skipped']),
        doneAt: time().nullable(),
      }),
    ),
    generatedAt: time(),
    createdAt: time(),
    updatedAt: time(),
    updatedBy: z.string().nullable(),
    approvedBy: z.string().nullable(),
    approvedAt: time().nullable(),
    approvedVersion: z.number().int().nullable(),
  })
  .openapi('Postmortem');

const prose = cleanText(20000, 0).optional();

const PostmortemEdit = z
  .strictObject({
    version: versionRead,
    summary: prose,
    wentWell: prose,
    wentBadly: prose,
    actionItems: z
      .array(
        z.strictObject({
          key: z
            .string()
            .regex(/^action:[1-9][0-9]{0,3}$/, "must look like 'action:1'")
            .optional(),
          title: cleanText(300),
          ownerRole: z.enum(roleNames),
          assigneeId: id().nullable().optional(),
          dueAt: timeInput().nullable().optional(),
        }),
      )
      .max(50, 'may have at most 50 items')
      .optional()
      .openapi({ description: '全件: 省いた未完了の項目は skipped になる (the full list: open items left out are skipped)' }),
  })
  .refine(
    (e) => proseFields.some((f) => e[f] !== undefined) || e.actionItems !== undefined,
    `give at least one of ${proseFields.join(', ')}, actionItems`,
  );

const IncidentReport = z
  .object({
    from: time(),
    to: time(),
    timeZone: z.string(),
    months: z.array(z.object({ month: z.string().regex(/^[0-9]{4}-[0-9]{2}$/), incidents: z.number().int(), medians: Metrics })),
    incidents: z.array(
      z.object({
        id: id(),
        title: z.string(),
        severity: z.number().int(),
        status: z.string(),
        detectedAt: time(),
        postmortem: z.enum(['none', 'draft', 'approved']),
        metrics: Metrics,
      }),
    ),
  })
  .openapi('IncidentReport');

const postmortemParams = orgParams.extend({ incidentId: idParam() });
const range = z.strictObject({
  from: query.time('既定: to の1年前 (default: a year before to)'),
  to: query.time('既定: 現在 (default: now)'),
});
const pm = '/organizations/{orgId}/incidents/{incidentId}/postmortem';

export const postmortemRoutes = [
  defineRoute(
    {
      method: 'get',
      path: pm,
      action: 'postmortems.read',
      operationId: 'getPostmortem',
      tags: ['postmortems'],
      summary: 'ポストモーテム (解決時に自動作成される下書き・承認済み)',
      request: { params: postmortemParams },
      responses: { 200: jsonAnswer(Postmortem) },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await getPostmortem(ctx.sql, orgId, incidentId), 200);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: pm,
      action: 'postmortems.write',
      operationId: 'editPostmortem',
      tags: ['postmortems'],
      summary: '編集 (概要・良かった点・課題とアクション項目。読んだ版を指定、古ければ 409)',
      request: { params: postmortemParams, body: jsonBody(PostmortemEdit) },
      responses: { 200: jsonAnswer(Postmortem), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await editPostmortem(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${pm}/regenerate`,
      action: 'postmortems.write',
      operationId: 'regeneratePostmortem',
      tags: ['postmortems'],
      summary: '事実を再集計 (編集した文章はそのまま)',
      request: { params: postmortemParams },
      responses: { 200: jsonAnswer(Postmortem), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await regeneratePostmortem(ctx, orgId, incidentId, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: `${pm}/approve`,
      action: 'postmortems.approve',
      operationId: 'approvePostmortem',
      tags: ['postmortems'],
      summary: '承認 (院長・管理者。読んだ版を指定)',
      request: { params: postmortemParams, body: jsonBody(z.strictObject({ version: versionRead })) },
      responses: { 200: jsonAnswer(Postmortem), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return c.json(await approvePostmortem(ctx, orgId, incidentId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: `${pm}.md`,
      action: 'postmortems.read',
      operationId: 'getPostmortemMarkdown',
      tags: ['postmortems'],
      summary: 'Markdown で出力 (JST)',
      request: { params: postmortemParams },
      responses: { 200: textAnswer('text/markdown') },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return answerText(c, 'text/markdown', await exportPostmortem(ctx, orgId, incidentId, 'markdown'), { headers: pageHeaders });
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: `${pm}.html`,
      action: 'postmortems.read',
      operationId: 'getPostmortemHtml',
      tags: ['postmortems'],
      summary: '印刷用 HTML (JST、外部資源なし)',
      request: { params: postmortemParams },
      responses: { 200: textAnswer('text/html') },
    },
    (ctx) => async (c) => {
      const { orgId, incidentId } = c.req.valid('param');
      return answerText(c, 'text/html', await exportPostmortem(ctx, orgId, incidentId, 'html'), { headers: pageHeaders });
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/reports/incidents',
      action: 'reports.read',
      operationId: 'getIncidentReport',
      tags: ['postmortems'],
      summary: '組織の報告: 月別 (JST) のインシデント数と指標の中央値',
      request: { params: orgParams, query: range },
      responses: { 200: jsonAnswer(IncidentReport) },
    },
    (ctx) => async (c) => {
      const { from, to } = c.req.valid('query');
      return c.json(await incidentReport(ctx.sql, c.req.valid('param').orgId, reportRange(from, to, ctx.now())), 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/reports/incidents.html',
      action: 'reports.read',
      operationId: 'getIncidentReportHtml',
      tags: ['postmortems'],
      summary: '組織の報告 (印刷用 HTML)',
      request: { params: orgParams, query: range },
      responses: { 200: textAnswer('text/html') },
    },
    (ctx) => async (c) => {
      const { from, to } = c.req.valid('query');
      return answerText(c, 'text/html', await exportIncidentReport(ctx, c.req.valid('param').orgId, reportRange(from, to, ctx.now())), {
        headers: pageHeaders,
      });
    },
  ),
];
