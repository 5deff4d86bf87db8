import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { id, itemsOf, jsonAnswer, jsonBody, limit, orgParams, query, time } from '../http/schemas.ts';
import { listOutbox, outboxStatuses } from './outbox-queries.ts';
import { MAX_RECIPIENTS, normalizeEmailAddress, updateAlertingSettings } from './recipients.ts';

const severity = z.number().int().min(1).max(5).openapi({ description: '深刻度 1–5 (README「深刻度」参照)' });

export const AlertingSettingsAnswer = z
  .object({
    recipients: z.array(z.string().openapi({ format: 'email' })),
    minSeverity: severity,
    notices: z.boolean(),
  })
  .openapi('AlertingSettings');

/**
 * A PATCH of the alert mail settings: any of the three fields, nothing else. Addresses are plain
 * addr-specs (nothing that could carry a second header into To:), normalised and deduplicated.
 */
export const AlertingPatch = z
  .strictObject({
    recipients: z
      .array(
        z
          .string()
          .transform((raw, ctx) => {
            const address = normalizeEmailAddress(raw);
            if (address === null) ctx.addIssue({ code: 'custom', message: 'must be a plain e-mail address such as pr@clinic.example.jp' });
            return address ?? '';
          })
          .openapi({ type: 'string', format: 'email' }),
      )
      .max(MAX_RECIPIENTS, `may have at most ${MAX_RECIPIENTS} addresses`)
      .transform((list) => list.filter((a, i) => list.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i))
      .optional(),
    minSeverity: z
      .union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)], { error: 'must be an integer from 1 to 5' })
      .openapi({ type: 'integer', minimum: 1, maximum: 5 })
      .optional(),
    notices: z.boolean().optional(),
  })
  .refine(
    (p) => p.recipients !== undefined || p.minSeverity !== undefined || p.notices !== undefined,
    'give at least one of recipients, minSeverity, notices',
  );

const OutboxEntry = z
  .object({
    id: id(),
    alertId: id().nullable(),
    to: z.string(),
    subject: z.string(),
    status: z.enum(outboxStatuses),
    attempts: z.number().int(),
    nextAttemptAt: time().nullable(),
    lastError: z.string().nullable(),
    createdAt: time(),
    sentAt: time().nullable(),
    messageId: z.string(),
    deliveredVia: z.enum(['smtp', 'preview']).nullable(),
    deliveryDetail: z.string().nullable(),
  })
  .openapi('OutboxEntry');

export const notifyRoutes = [
  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/alerting',
      action: 'settings.manage',
      operationId: 'updateAlertingSettings',
      tags: ['alerting'],
      summary: 'アラートメールの設定を変更 (alert e-mail settings)',
      request: { params: orgParams, body: jsonBody(AlertingPatch) },
      responses: { 200: jsonAnswer(AlertingSettingsAnswer) },
    },
    (ctx) => async (c) => {
      const { recipients, minSeverity, notices } = c.req.valid('json');
      const patch = {
        ...(recipients ? { recipients } : {}),
        ...(minSeverity ? { minSeverity } : {}),
        ...(notices !== undefined ? { notices } : {}),
      };
      return c.json(await updateAlertingSettings(ctx.sql, c.req.valid('param').orgId, patch, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/mail-outbox',
      action: 'alerting.read',
      operationId: 'listMailOutbox',
      tags: ['alerting'],
      summary: '送信したメール・送信待ち・失敗 (the mail outbox)',
      request: { params: orgParams, query: z.strictObject({ status: query.oneOf(outboxStatuses), alertId: query.id(), limit: limit() }) },
      responses: { 200: jsonAnswer(itemsOf(OutboxEntry)) },
    },
    (ctx) => async (c) => {
      const { status, alertId, limit: n } = c.req.valid('query');
      return c.json({ items: await listOutbox(ctx.sql, { orgId: c.req.valid('param').orgId, status, alertId, limit: n }) }, 200);
    },
  ),
];
