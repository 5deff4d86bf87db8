import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authorize, may } from '../auth/authorize.ts';
import { requestActor, requestAuth } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { cleanText, id, idParam, jsonAnswer, jsonBody, limit, orgParams, query, time, timeInput } from '../http/schemas.ts';
import { bucketSizes, countMentions, type BucketSize } from './queries.ts';
import { viewEmergingTerms } from './view-emerging-terms.ts';
import { addMentionNote } from './add-mention-note.ts';
import { triageStatuses } from './queries.ts';
import { triageMention } from './triage-mention.ts';
import { viewMention } from './view-mention.ts';
import { feedFields, feedFilter, viewMentions, type MentionViewer } from './view-mentions.ts';

const sentiments = ['positive', 'neutral', 'negative'] as const;

const Mention = z
  .object({
    id: id(),
    orgId: id(),
    sourceId: id(),
    sourceType: z.string(),
    sourceName: z.string(),
    watchTargetId: id().nullable(),
    watchTargetName: z.string().nullable(),
    externalId: z.string(),
    url: z.string().nullable(),
    author: z.object({ id: z.string().nullable(), handle: z.string().nullable(), name: z.string().nullable() }),
    text: z.string().openapi({ description: '投稿本文。第三者が書いた文字列: 表示するときは必ずエスケープ。権限により個人情報は伏せ字' }),
    language: z.string().nullable(),
    postedAt: time(),
    collectedAt: time(),
    metrics: z.object({
      likes: z.number().int(),
      reposts: z.number().int(),
      quotes: z.number().int(),
      replies: z.number().int(),
      views: z.number().int().nullable(),
    }),
    replyToExternalId: z.string().nullable(),
    quoteOfExternalId: z.string().nullable(),
    repostOfExternalId: z.string().nullable(),
    rating: z.number().nullable(),
    isPrivate: z.boolean().openapi({ description: 'LINE 等の非公開メッセージ。閲覧は監査ログに残る' }),
    isDemo: z.boolean(),
    version: z.number().int(),
    deletedAt: time().nullable(),
    sentiment: z.object({ label: z.enum(sentiments), score: z.number() }).nullable(),
    analysis: z.unknown().openapi({ type: ['object', 'null'], description: '感情・リスク区分・個人情報の位置・語' }),
    piiMasked: z.boolean().openapi({ description: '個人情報を伏せ字にした (PII found and masked)' }),
    piiTypes: z.array(z.string()).openapi({ description: '見つかった個人情報の種類 (kinds of PII found)' }),
    triage: z.object({
      status: z.enum(triageStatuses).openapi({ description: 'open 未対応 / needs_reply 要返信 / handled 対応済み / ignored 対応不要' }),
      assignee: z.object({ id: id(), name: z.string() }).nullable(),
      firstReplyAt: time().nullable().openapi({ description: '医院の最初の返信 (自アカウントの返信・Google の返信・記録した返信)' }),
      recordedReplyAt: time().nullable().openapi({ description: '担当者が記録した返信日時' }),
      notes: z.number().int(),
      updatedAt: time().nullable(),
    }),
  })
  .openapi('Mention');

const CountBucket = z
  .object({
    start: time(),
    total: z.number().int(),
    negative: z.number().int(),
    positive: z.number().int(),
    reposts: z.number().int(),
    quotes: z.number().int(),
    replies: z.number().int(),
  })
  .openapi('CountBucket');

export const EmergingTerm = z
  .object({ term: z.string(), count: z.number(), baselineMean: z.number(), score: z.number() })
  .openapi('EmergingTerm', { description: '窓内で基準より増えた語 (a term rising against its baseline)' });

const revealPii = query.oneOf(
  ['true', 'false'],
  '個人情報を伏せずに表示 (mentions.read_pii: oncall_manager 以上・read_pii スコープ); 監査ログに記録',
);

/** What the caller may see of posts: PII on request if allowed, private messages if allowed. */
function mentionViewer(c: Context<AppEnv>, requested: 'true' | 'false' | undefined): MentionViewer {
  return { actor: requestActor(c), revealPii: mayReveal(c, requested), includePrivate: may(requestAuth(c), 'mentions.read_private') };
}

/** Detected PII is shown unmasked only on request, and only to whom the table allows it. */
function mayReveal(c: Context<AppEnv>, requested: 'true' | 'false' | undefined): boolean {
  if (requested !== 'true') return false;
  authorize(
    requestAuth(c),
    'mentions.read_pii',
    '個人情報を伏せずに表示する権限がありません (your role or token may not reveal personal data)',
  );
  return true;
}

export const mentionRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/mentions',
      action: 'mentions.read',
      operationId: 'listMentions',
      tags: ['mentions'],
      summary: '投稿の一覧 (mentions, newest first, keyset cursor)',
      description:
        '非公開メッセージの閲覧は監査ログに記録されます (views of private messages are audited). 検出された個人情報は伏せ字 (piiMasked); revealPii=true で当番責任者以上に表示し、監査ログに記録 (PII is masked unless revealed, audited).',
      request: {
        params: orgParams,
        query: z.strictObject({ ...feedFields, limit: limit(), cursor: query.text(200), revealPii }),
      },
      responses: { 200: jsonAnswer(z.object({ items: z.array(Mention), nextCursor: z.string().nullable() }).openapi('MentionPage')) },
    },
    (ctx) => async (c) => {
      const { revealPii: requested, limit, cursor, ...q } = c.req.valid('query');
      const viewer = mentionViewer(c, requested);
      return c.json(await viewMentions(ctx, viewer, feedFilter(ctx, c.req.valid('param').orgId, q, { limit, cursor })), 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/mentions/{mentionId}',
      action: 'mentions.read',
      operationId: 'getMention',
      tags: ['mentions'],
      summary: '投稿 (a mention)',
      request: { params: orgParams.extend({ mentionId: idParam() }), query: z.strictObject({ revealPii }) },
      responses: { 200: jsonAnswer(Mention) },
    },
    (ctx) => async (c) => {
      const { orgId, mentionId } = c.req.valid('param');
      return c.json(await viewMention(ctx, mentionViewer(c, c.req.valid('query').revealPii), orgId, mentionId), 200);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/mentions/{mentionId}/triage',
      action: 'mentions.triage',
      operationId: 'triageMention',
      tags: ['mentions'],
      summary: '投稿の対応状況・担当者・返信日時 (triage a mention)',
      request: {
        params: orgParams.extend({ mentionId: idParam() }),
        body: jsonBody(
          z.strictObject({
            status: z.enum(triageStatuses).optional(),
            assigneeId: id().nullable().optional().openapi({ description: '担当者 (null: なし)' }),
            repliedAt: timeInput().nullable().optional().openapi({ description: '医院が返信した日時 (プラットフォーム外の返信を記録)' }),
          }),
        ),
      },
      responses: { 200: jsonAnswer(Mention) },
    },
    (ctx) => async (c) => {
      const { orgId, mentionId } = c.req.valid('param');
      const auth = requestAuth(c);
      const includePrivate = may(auth, 'mentions.read_private');
      await triageMention(ctx, orgId, mentionId, c.req.valid('json'), { userId: auth.userId, includePrivate }, requestActor(c));
      return c.json(await viewMention(ctx, mentionViewer(c, undefined), orgId, mentionId), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/mentions/{mentionId}/notes',
      action: 'mentions.triage',
      operationId: 'addMentionNote',
      tags: ['mentions'],
      summary: '投稿へのメモ (a note on a mention)',
      request: {
        params: orgParams.extend({ mentionId: idParam() }),
        body: jsonBody(z.strictObject({ body: cleanText(2000) })),
      },
      responses: { 201: jsonAnswer(z.object({ id: id() })) },
    },
    (ctx) => async (c) => {
      const { orgId, mentionId } = c.req.valid('param');
      const auth = requestAuth(c);
      const by = { userId: auth.userId, includePrivate: may(auth, 'mentions.read_private') };
      return c.json(await addMentionNote(ctx, orgId, mentionId, c.req.valid('json'), by, requestActor(c)), 201);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/mention-counts',
      action: 'mentions.read',
      operationId: 'countMentions',
      tags: ['mentions'],
      summary: '時間帯ごとの件数 (counts per bucket)',
      request: {
        params: orgParams,
        query: z.strictObject({
          watchTargetId: query.id(),
          from: query.time(),
          to: query.time(),
          bucket: query.oneOf(Object.keys(bucketSizes) as [BucketSize, ...BucketSize[]]),
        }),
      },
      responses: {
        200: jsonAnswer(
          z.object({
            bucket: z.enum(Object.keys(bucketSizes) as [BucketSize, ...BucketSize[]]),
            from: time(),
            to: time(),
            items: z.array(CountBucket),
          }),
        ),
      },
    },
    (ctx) => async (c) => {
      const q = c.req.valid('query');
      const to = q.to ?? ctx.now();
      const from = q.from ?? new Date(to.getTime() - 24 * 3_600_000);
      const bucket = q.bucket ?? '1h';
      return c.json(
        {
          bucket,
          from,
          to,
          items: await countMentions(ctx.readSql, { orgId: c.req.valid('param').orgId, watchTargetId: q.watchTargetId, from, to, bucket }),
        },
        200,
      );
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/emerging-terms',
      action: 'mentions.read',
      operationId: 'emergingTerms',
      tags: ['mentions'],
      summary: '急増している語 (emerging terms)',
      description:
        '非公開メッセージ (LINE) の語は、個人情報を閲覧できる役割にだけ含まれ、その閲覧は監査ログに残ります (private messages count only for roles that may see personal data, and that view is audited).',
      request: {
        params: orgParams,
        query: z.strictObject({
          watchTargetId: query.id(),
          from: query.time(),
          to: query.time(),
          baselineWindows: query.int(1, 28),
          limit: limit(100),
        }),
      },
      responses: {
        200: jsonAnswer(
          z.object({
            from: time(),
            to: time(),
            baselineWindows: z.number().int(),
            includesPrivateMessages: z.boolean(),
            items: z.array(EmergingTerm),
          }),
        ),
      },
    },
    (ctx) => async (c) => {
      const q = c.req.valid('query');
      const to = q.to ?? ctx.now();
      const from = q.from ?? new Date(to.getTime() - 3_600_000);
      const includePrivate = may(requestAuth(c), 'mentions.read_pii');
      const result = await viewEmergingTerms(ctx, requestActor(c), {
        orgId: c.req.valid('param').orgId,
        watchTargetId: q.watchTargetId,
        from,
        to,
        baselineWindows: q.baselineWindows,
        limit: q.limit,
        includePrivate,
      });
      return c.json({ from, to, ...result, includesPrivateMessages: includePrivate }, 200);
    },
  ),
];
