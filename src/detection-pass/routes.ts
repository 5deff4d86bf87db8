import { z } from '@hono/zod-openapi';
import { sensitivities } from '../detection/index.ts';
import { NotFoundError } from '../errors.ts';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { id, idParam, itemsOf, jsonAnswer, jsonBody, limit, orgParams, query, time } from '../http/schemas.ts';
import { getAlert, listAlerts } from './queries.ts';
import { getDetectionSettings, setDetectionSettings } from './sensitivity.ts';

const DetectionSettings = z.object({ sensitivity: z.enum(sensitivities) }).openapi('DetectionSettings');

const severity = z.number().int().min(1).max(5).openapi({ description: '深刻度 1–5 (README「深刻度」参照)' });

export const Alert = z
  .object({
    id: id(),
    orgId: id(),
    watchTargetId: id().nullable(),
    episodeId: z.string(),
    kind: z.enum(['crisis', 'notice']),
    status: z.enum(['open', 'closed']),
    severity,
    peakScore: z.number().min(0).max(1),
    openedAt: time(),
    updatedAt: time(),
    closedAt: time().nullable(),
    summary: z
      .string()
      .openapi({ description: 'ピーク時の要約 (severity と同じ時点) — the summary at the peak, the moment severity describes' }),
    latest: z
      .object({ severity, summary: z.string(), at: time() })
      .openapi({ description: '最新の判定 (深刻度と要約は同じ時点) — the latest decision' }),
    explanation: z
      .unknown()
      .openapi({ type: 'object', description: '基準値と観測値、発火した検知器と強さ、急増語、リスク区分、反響の大きい投稿' }),
  })
  .openapi('Alert');

export const detectionPassRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/detection',
      action: 'settings.read',
      operationId: 'getDetectionSettings',
      tags: ['alerts'],
      summary: '検知の感度 (detection sensitivity)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(DetectionSettings) },
    },
    (ctx) => async (c) => c.json(await getDetectionSettings(ctx.sql, c.req.valid('param').orgId), 200),
  ),

  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/detection',
      action: 'settings.manage',
      operationId: 'setDetectionSettings',
      tags: ['alerts'],
      summary: '検知の感度を変更 (fewer / balanced / more)',
      request: { params: orgParams, body: jsonBody(z.strictObject({ sensitivity: z.enum(sensitivities) })) },
      responses: { 200: jsonAnswer(DetectionSettings) },
    },
    (ctx) => async (c) =>
      c.json(await setDetectionSettings(ctx.sql, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 200),
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/alerts',
      action: 'alerts.read',
      operationId: 'listAlerts',
      tags: ['alerts'],
      summary: 'アラートの一覧 (alerts)',
      request: {
        params: orgParams,
        query: z.strictObject({ status: query.oneOf(['open', 'closed']), kind: query.oneOf(['crisis', 'notice']), limit: limit() }),
      },
      responses: { 200: jsonAnswer(itemsOf(Alert)) },
    },
    (ctx) => async (c) => c.json({ items: await listAlerts(ctx.sql, { orgId: c.req.valid('param').orgId, ...c.req.valid('query') }) }, 200),
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/alerts/{alertId}',
      action: 'alerts.read',
      operationId: 'getAlert',
      tags: ['alerts'],
      summary: 'アラートと説明 (an alert and its explanation)',
      request: { params: orgParams.extend({ alertId: idParam() }) },
      responses: { 200: jsonAnswer(Alert) },
    },
    (ctx) => async (c) => {
      const { orgId, alertId } = c.req.valid('param');
      const alert = await getAlert(ctx.sql, orgId, alertId);
      if (!alert) throw new NotFoundError('alert not found');
      return c.json(alert, 200);
    },
  ),
];
