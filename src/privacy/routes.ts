import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { jsonAnswer, jsonBody, orgParams } from '../http/schemas.ts';
import { erasePerson } from './erase-person.ts';

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

export const privacyRoutes = [
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
