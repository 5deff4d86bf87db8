import { z } from '@hono/zod-openapi';
import { requestActor, requestAuth } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { cleanText, ErrorBody, id, idParam, itemsOf, jsonAnswer, jsonBody, orgParams, time, timeInput } from '../http/schemas.ts';
import { getAlertingSettings } from '../notify/recipients.ts';
import { AlertingSettingsAnswer } from '../notify/routes.ts';
import { muteWatchTarget } from './mute-watch-target.ts';
import { removeWatchTarget } from './remove-watch-target.ts';
import { updateWatchTarget } from './update-watch-target.ts';
import { createOrganization, createWatchTarget, getOrganization, listWatchTargets } from './organizations.ts';

const conflict = { 409: jsonAnswer(ErrorBody, '同じ slug の組織がある (conflict: the slug is taken)') };

const Organization = z
  .object({ id: id(), name: z.string(), slug: z.string(), isDemo: z.boolean(), createdAt: time() })
  .openapi('Organization');

const WatchTarget = z
  .object({
    id: id(),
    orgId: id(),
    name: z.string(),
    names: z.array(z.string()),
    keywords: z.array(z.string()),
    handles: z.record(z.string(), z.string()),
    exclusions: z.array(z.string()),
    mute: z
      .object({ until: time(), reason: z.string(), by: id().nullable() })
      .nullable()
      .openapi({ description: 'お知らせのミュート (until を過ぎれば解除済み); 炎上の疑いは通知される' }),
    createdAt: time(),
  })
  .openapi('WatchTarget');

const terms = z.array(cleanText(200)).max(100);

/** A watch target as a person sets it; the settings page and `hinoko targets` parse with it too. */
export const WatchTargetFields = z.strictObject({
  name: cleanText(200),
  names: terms.optional(),
  keywords: terms.optional(),
  handles: z
    .record(z.string().regex(/^[a-z_]{1,30}$/, 'is not a network name such as x or instagram'), cleanText(200))
    .refine((h) => Object.keys(h).length <= 20, 'at most 20 networks')
    .optional()
    .openapi({ description: 'ネットワーク名 → アカウント (network → handle), e.g. {"x": "clinic_account"}' }),
  exclusions: terms.optional(),
});

export const organizationRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations',
      action: 'organizations.read',
      operationId: 'listOrganizations',
      tags: ['organizations'],
      summary: '組織の一覧 (organizations you can see)',
      responses: { 200: jsonAnswer(itemsOf(Organization)) },
    },
    (ctx) => async (c) => c.json({ items: [await getOrganization(ctx.db, requestAuth(c).orgId)] }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations',
      action: 'organizations.create',
      operationId: 'createOrganization',
      tags: ['organizations'],
      summary: '組織を作成 (create an organization)',
      request: {
        body: jsonBody(
          z.strictObject({
            name: cleanText(200),
            slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and hyphens'),
            isDemo: z.boolean().optional(),
          }),
        ),
      },
      responses: { 201: jsonAnswer(Organization, 'Created'), ...conflict },
    },
    (ctx) => async (c) => c.json(await createOrganization(ctx, c.req.valid('json'), requestActor(c)), 201),
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}',
      action: 'organizations.read',
      operationId: 'getOrganization',
      tags: ['organizations'],
      summary: '組織と設定 (an organization and its settings)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(Organization.extend({ settings: z.object({ alerting: AlertingSettingsAnswer }) })) },
    },
    (ctx) => async (c) => {
      const org = await getOrganization(ctx.db, c.req.valid('param').orgId);
      return c.json({ ...org, settings: { alerting: await getAlertingSettings(ctx.sql, org.id) } }, 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/watch-targets',
      action: 'settings.read',
      operationId: 'listWatchTargets',
      tags: ['organizations'],
      summary: '監視対象の一覧 (watch targets)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(itemsOf(WatchTarget)) },
    },
    (ctx) => async (c) => c.json({ items: await listWatchTargets(ctx.db, c.req.valid('param').orgId) }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/watch-targets',
      action: 'settings.manage',
      operationId: 'createWatchTarget',
      tags: ['organizations'],
      summary: '監視対象を追加 (add a watch target: names, keywords, handles)',
      request: {
        params: orgParams,
        body: jsonBody(WatchTargetFields),
      },
      responses: { 201: jsonAnswer(WatchTarget, 'Created') },
    },
    (ctx) => async (c) => {
      const input = c.req.valid('json');
      const target = await createWatchTarget(
        ctx,
        c.req.valid('param').orgId,
        {
          name: input.name,
          names: input.names ?? [input.name],
          keywords: input.keywords ?? [],
          handles: input.handles ?? {},
          exclusions: input.exclusions ?? [],
        },
        requestActor(c),
      );
      return c.json(target, 201);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/watch-targets/{targetId}',
      action: 'settings.manage',
      operationId: 'updateWatchTarget',
      tags: ['organizations'],
      summary: '監視対象を変更 (change names, keywords, handles, exclusions; the next collector run uses them)',
      request: { params: orgParams.extend({ targetId: idParam() }), body: jsonBody(WatchTargetFields.partial()) },
      responses: { 200: jsonAnswer(WatchTarget) },
    },
    (ctx) => async (c) => {
      const { orgId, targetId } = c.req.valid('param');
      return c.json(await updateWatchTarget(ctx, orgId, targetId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'delete',
      path: '/organizations/{orgId}/watch-targets/{targetId}',
      action: 'settings.manage',
      operationId: 'removeWatchTarget',
      tags: ['organizations'],
      summary: '監視対象を外す (archive: collection and detection stop; posts and incidents keep its name)',
      request: { params: orgParams.extend({ targetId: idParam() }) },
      responses: { 204: { description: 'Removed' } },
    },
    (ctx) => async (c) => {
      const { orgId, targetId } = c.req.valid('param');
      await removeWatchTarget(ctx, orgId, targetId, { userId: requestAuth(c).userId }, requestActor(c));
      return c.body(null, 204);
    },
  ),

  defineRoute(
    {
      method: 'put',
      path: '/organizations/{orgId}/watch-targets/{targetId}/mute',
      action: 'alerts.mute',
      operationId: 'muteWatchTarget',
      tags: ['organizations'],
      summary: '監視対象のお知らせを一時停止 (mute notices, at most 7 days; a suspected 炎上 is still mailed)',
      request: {
        params: orgParams.extend({ targetId: idParam() }),
        body: jsonBody(z.strictObject({ until: timeInput(), reason: cleanText(500) })),
      },
      responses: { 204: { description: 'Muted' } },
    },
    (ctx) => async (c) => {
      const { orgId, targetId } = c.req.valid('param');
      await muteWatchTarget(ctx, orgId, targetId, c.req.valid('json'), { userId: requestAuth(c).userId }, requestActor(c));
      return c.body(null, 204);
    },
  ),

  defineRoute(
    {
      method: 'delete',
      path: '/organizations/{orgId}/watch-targets/{targetId}/mute',
      action: 'alerts.mute',
      operationId: 'unmuteWatchTarget',
      tags: ['organizations'],
      summary: 'ミュートを解除 (unmute now)',
      request: { params: orgParams.extend({ targetId: idParam() }) },
      responses: { 204: { description: 'Unmuted' } },
    },
    (ctx) => async (c) => {
      const { orgId, targetId } = c.req.valid('param');
      await muteWatchTarget(ctx, orgId, targetId, null, { userId: requestAuth(c).userId }, requestActor(c));
      return c.body(null, 204);
    },
  ),
];
