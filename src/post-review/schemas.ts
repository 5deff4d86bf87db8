import { z } from '@hono/zod-openapi';
import { cleanText, id, time, timeInput } from '../http/schemas.ts';
import { channels } from './channels.ts';
import { postStatuses } from './lifecycle.ts';

// The shapes of the clinic's posts in the API (routes.ts declares the routes that use them).

export const maxTextChars = 100_000;
export const channel = z.enum(channels);
export const Image = z
  .strictObject({ alt: cleanText(2000, 0).optional(), description: cleanText(2000, 0).optional() })
  .openapi('PostImage');
export const Attachment = z
  .strictObject({ name: cleanText(200), mimeType: cleanText(100), bytes: z.number().int().min(0).max(1_000_000_000) })
  .openapi('PostAttachment');
export const Finding = z
  .object({
    id: z.string().openapi({ description: '承認で上書きする指摘の識別子 (name it in overrides)' }),
    rule: z.string(),
    category: z.string(),
    severity: z.enum(['block', 'warn', 'info']),
    field: z.string(),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
    excerpt: z.string(),
    message_ja: z.string(),
    advice_ja: z.string(),
    cite: z.string(),
    overridable: z.boolean(),
  })
  .openapi('PostFinding');
export const Post = z
  .object({
    id: id(),
    orgId: id(),
    channel,
    text: z.string(),
    images: z.array(z.object({ alt: z.string().optional(), description: z.string().optional() })),
    attachments: z.array(z.object({ name: z.string(), mimeType: z.string(), bytes: z.number() })),
    plannedAt: time().nullable(),
    status: z.enum(postStatuses),
    version: z.number().int().min(1),
    authorId: z.string(),
    findings: z.array(Finding),
    rulesVersion: z.string(),
    checkedAt: time(),
    approvals: z.array(z.object({ reviewerId: z.string(), approvedAt: time(), overrides: z.array(z.object({}).passthrough()) })),
    reviewersRequired: z.number().int(),
    publishedAt: time().nullable(),
    publishedUrl: z.string().nullable(),
    publishedExternalId: z.string().nullable().openapi({ description: 'プラットフォーム上の投稿ID（返信・引用が指すID）' }),
    linkedMentionId: z.string().nullable().openapi({ description: '収集された当院の投稿（mentions.id）。現れたときに結び付く' }),
    withdrawnAt: time().nullable(),
    withdrawReason: z.string().nullable(),
    createdAt: time(),
    updatedAt: time(),
  })
  .openapi('Post');
export const version = z.number().int().min(1).openapi({ description: '読んだ版 (the version you read)' });
export const content = {
  channel,
  text: cleanText(maxTextChars),
  images: z.array(Image).max(20).optional(),
  attachments: z.array(Attachment).max(20).optional(),
  plannedAt: timeInput().nullable().optional(),
};
export const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v), 'url must be an http(s) URL');

/** Where a published post went out: either or both, so its collected copy and replies are found. */
export const publishedAs = {
  url: httpUrl.nullable().optional(),
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'externalId は英数字と記号のみ (visible ASCII only)')
    .nullable()
    .optional()
    .openapi({ description: 'プラットフォーム上の投稿ID（XのポストID、Instagramのメディアなど）' }),
};

export const ReviewSettings = z
  .strictObject({
    reviewersRequired: z.number().int().min(1).max(5).openapi({ description: '承認に必要な人数（作成者以外）' }),
    own: z.strictObject({
      phones: z.array(cleanText(40)).max(10),
      addresses: z.array(cleanText(200)).max(10),
      names: z.array(cleanText(40)).max(50),
    }),
  })
  .openapi('PostReviewSettings');
