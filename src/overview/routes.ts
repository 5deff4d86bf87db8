import { z } from '@hono/zod-openapi';
import { may } from '../auth/authorize.ts';
import { Alert } from '../detection-pass/routes.ts';
import { requestActor, requestAuth } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { id, jsonAnswer, orgParams, query, time } from '../http/schemas.ts';
import { EmergingTerm } from '../mentions/routes.ts';
import { loadOverview } from './load-overview.ts';
import { usualVerdictLabels } from './usual.ts';

const Point = z.object({ start: time(), total: z.number().int(), negative: z.number().int() });

const Usual = z
  .object({
    now: z.number().int(),
    usual: z.number().nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
    ratio: z.number().nullable(),
    verdict: z.enum(['no_history', 'quieter', 'usual', 'busier', 'much_busier']),
    label: z.string().openapi({ description: '判定の日本語表記 (いつもより多い など)' }),
    days: z.number().int(),
  })
  .openapi('UsualComparison', {
    description: '同じ時間帯の過去 28 日 (中央値と四分位) との比較 — against the same span on the previous 28 days',
  });

const Overview = z
  .object({
    now: time(),
    from: time(),
    bucketSeconds: z.number().int(),
    byWatchTarget: z.array(z.object({ watchTargetId: id().nullable(), name: z.string(), points: z.array(Point) })),
    bySource: z.array(z.object({ sourceId: id(), name: z.string(), type: z.string(), points: z.array(Point) })).nullable(),
    today: z.object({ sinceMidnight: Usual, thisHour: Usual }),
    alerts: z.object({ open: z.number().int(), latest: z.array(Alert) }).nullable(),
    incidents: z
      .object({
        open: z.array(
          z.object({
            id: id(),
            title: z.string(),
            severity: z.number().int(),
            status: z.string(),
            detectedAt: time(),
            acknowledgedAt: time().nullable(),
          }),
        ),
      })
      .nullable(),
    risingTerms: z.object({ from: time(), to: time(), includesPrivateMessages: z.boolean(), items: z.array(EmergingTerm) }),
    sources: z
      .array(
        z.object({
          id: id(),
          name: z.string(),
          type: z.string(),
          enabled: z.boolean(),
          health: z.enum(['unknown', 'ok', 'failing', 'unhealthy']),
          healthMessage: z.string().nullable(),
          lastRunAt: time().nullable(),
          lastSuccessAt: time().nullable(),
          missingCredentials: z.array(z.string()),
          lastRun: z
            .object({ status: z.string(), error: z.string().nullable(), rejected: z.number().int(), finishedAt: time().nullable() })
            .nullable(),
        }),
      )
      .nullable(),
  })
  .openapi('Overview', {
    description:
      '概要画面の全データ。見る権限のない部分は null (parts the caller may not read are null). 非公開メッセージの語は個人情報を閲覧できる役割にだけ含まれ、監査ログに残ります。',
  });

export const overviewRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/overview',
      action: 'mentions.read',
      operationId: 'getOverview',
      tags: ['mentions'],
      summary: '概要 (the PR staff wall screen: volume, today against the usual, open alerts and incidents, rising terms, sources)',
      request: {
        params: orgParams,
        query: z.strictObject({ hours: query.int(1, 168, '表示する時間数 (hours shown, 1–168; default 24)') }),
      },
      responses: { 200: jsonAnswer(Overview) },
    },
    (ctx) => async (c) => {
      const auth = requestAuth(c);
      const overview = await loadOverview(
        ctx,
        requestActor(c),
        {
          alerts: may(auth, 'alerts.read'),
          incidents: may(auth, 'incidents.read'),
          sources: may(auth, 'sources.read'),
          privateTerms: may(auth, 'mentions.read_pii'),
        },
        { orgId: c.req.valid('param').orgId, hours: c.req.valid('query').hours ?? 24 },
      );
      const label = <T extends { verdict: keyof typeof usualVerdictLabels }>(u: T) => ({ ...u, label: usualVerdictLabels[u.verdict] });
      return c.json(
        {
          ...overview,
          today: { sinceMidnight: label(overview.today.sinceMidnight), thisHour: label(overview.today.thisHour) },
          incidents: overview.incidents && {
            open: overview.incidents.open.map((i) => ({
              id: i.id,
              title: i.title,
              severity: i.severity,
              status: i.status,
              detectedAt: i.detected_at,
              acknowledgedAt: i.acknowledged_at,
            })),
          },
        },
        200,
      );
    },
  ),
];
