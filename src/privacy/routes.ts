import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { jsonAnswer, jsonBody, orgParams } from '../http/schemas.ts';
import { erasePerson } from './erase-person.ts';
import { applyRetention, readRetention, retentionDays, retentionKinds, updateRetention } from './retention.ts';

// Erasure on a person's request, under /organizations/{orgId}/erasures (admins only).

const ErasureRequest = z
  .strictObject({
    authorHandle: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^@?[\p{L}\p{N}._:-]{1,100}$/u, 'authorHandle: アカウント名 (@なしでも可) (an account handle)')
      .optional(),
    authorId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'authorId: プラットフォームのアカウントID (the platform account id)')
      .optional(),
    dryRun: z.boolean().optional().openapi({ description: '消去せず件数だけ確認する (count only)' }),
  })
  .refine((r) => r.authorHandle !== undefined || r.authorId !== undefined, {
    message: 'authorHandle か authorId を指定してください (give authorHandle or authorId)',
  })
  .openapi('ErasureRequest');

const ErasureReport = z
  .object({
    mentions: z.number().int(),
    versions: z.number().int(),
    notes: z.number().int(),
    activities: z.number().int(),
    alertSamples: z.number().int(),
    retained: z.array(
      z.object({ mentionId: z.string(), incidentId: z.string(), reason: z.enum(['open_incident', 'postmortem_not_approved']) }),
    ),
    dryRun: z.boolean(),
  })
  .openapi('ErasureReport');

const RetentionPolicy = z
  .object(Object.fromEntries(retentionKinds.map((k) => [k, z.number().int()])) as Record<(typeof retentionKinds)[number], z.ZodNumber>)
  .openapi('RetentionPolicy', { description: '種類ごとの保存日数 (days each kind is kept; README「保存期間」)' });

const RetentionPatch = z
  .strictObject(
    Object.fromEntries(retentionKinds.map((k) => [k, retentionDays.optional()])) as Record<
      (typeof retentionKinds)[number],
      z.ZodOptional<typeof retentionDays>
    >,
  )
  .refine((p) => retentionKinds.some((k) => p[k] !== undefined), `give at least one of ${retentionKinds.join(', ')}`)
  .openapi('RetentionPatch');

const RetentionReport = z
  .object({
    policy: RetentionPolicy,
    kinds: z.object(
      Object.fromEntries(
        retentionKinds.map((k) => [k, z.object({ removed: z.number().int(), kept: z.number().int(), olderThan: z.string() })]),
      ) as Record<(typeof retentionKinds)[number], z.ZodObject<{ removed: z.ZodNumber; kept: z.ZodNumber; olderThan: z.ZodString }>>,
    ),
    dryRun: z.boolean(),
  })
  .openapi('RetentionReport');

export const privacyRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/retention',
      action: 'settings.read',
      operationId: 'getRetention',
      tags: ['privacy'],
      summary: '個人情報の保存期間（種類ごとの日数） (retention periods)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(RetentionPolicy) },
    },
    (ctx) => async (c) => c.json(await readRetention(ctx.sql, c.req.valid('param').orgId), 200),
  ),
  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/retention',
      action: 'settings.manage',
      operationId: 'updateRetention',
      tags: ['privacy'],
      summary: '保存期間を変更（1〜3650日。監査に記録） (change retention periods)',
      request: { params: orgParams, body: jsonBody(RetentionPatch) },
      responses: { 200: jsonAnswer(RetentionPolicy) },
    },
    (ctx) => async (c) => c.json(await updateRetention(ctx.sql, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 200),
  ),
  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/retention/runs',
      action: 'privacy.retention',
      operationId: 'runRetention',
      tags: ['privacy'],
      summary: '保存期間の過ぎたデータを今すぐ消去（毎日 3:30 にも自動実行。dryRun で件数のみ） (apply retention now)',
      request: { params: orgParams, body: jsonBody(z.strictObject({ dryRun: z.boolean().optional() }).openapi('RetentionRun')) },
      responses: { 200: jsonAnswer(RetentionReport) },
    },
    (ctx) => async (c) =>
      c.json(await applyRetention(ctx, c.req.valid('param').orgId, { dryRun: c.req.valid('json').dryRun, actor: requestActor(c) }), 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/erasures',
      action: 'privacy.erase',
      operationId: 'erasePerson',
      tags: ['privacy'],
      summary:
        '本人の求めによる投稿の消去（アカウント名またはIDで全収集元から。対応中のインシデントが引用する投稿は証拠として保持し、報告に記載。監査に記録）',
      request: { params: orgParams, body: jsonBody(ErasureRequest) },
      responses: { 200: jsonAnswer(ErasureReport) },
    },
    (ctx) => async (c) => c.json(await erasePerson(ctx, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 200),
  ),
];
