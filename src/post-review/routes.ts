import { z } from '@hono/zod-openapi';
import { requestActor, requestAuth } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { cleanText, ErrorBody, idParam, itemsOf, jsonAnswer, jsonBody, orgParams, query, time, timeInput } from '../http/schemas.ts';
import { approvePost } from './approve-post.ts';
import { createPost } from './create-post.ts';
import { editPost } from './edit-post.ts';
import { exportPost } from './export-post.ts';
import { linkPost } from './link-post.ts';
import { publishPost } from './publish-post.ts';
import { getPost, listPosts, reviewSettingsOf } from './queries.ts';
import { runPostCheck } from './run-check.ts';
import { schedulePost } from './schedule-post.ts';
import { submitPost } from './submit-post.ts';
import { updateReviewSettings } from './update-review-settings.ts';
import { withdrawPost } from './withdraw-post.ts';
import { Finding, Image, Post, ReviewSettings, channel, content, maxTextChars, publishedAs, version } from './schemas.ts';
import { postStatuses } from './lifecycle.ts';

// The clinic's own posts under /organizations/{orgId}/posts: drafts, the check, N reviewers.

const conflict = {
  409: jsonAnswer(ErrorBody, '状態が変わっていた・版が古い (conflict: the post changed, or this move is not allowed from its status)'),
};
const postParams = orgParams.extend({ postId: idParam() });
const one = '/organizations/{orgId}/posts/{postId}';
export const postRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/post-review-settings',
      action: 'settings.read',
      operationId: 'getPostReviewSettings',
      tags: ['posts'],
      summary: '公開前チェックの設定（承認に必要な人数・当院の公開情報）',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(ReviewSettings) },
    },
    (ctx) => async (c) => c.json(await reviewSettingsOf(ctx.sql, c.req.valid('param').orgId), 200),
  ),
  defineRoute(
    {
      method: 'put',
      path: '/organizations/{orgId}/post-review-settings',
      action: 'settings.manage',
      operationId: 'setPostReviewSettings',
      tags: ['posts'],
      summary: '公開前チェックの設定を保存',
      request: { params: orgParams, body: jsonBody(ReviewSettings) },
      responses: { 200: jsonAnswer(ReviewSettings) },
    },
    (ctx) => async (c) => c.json(await updateReviewSettings(ctx, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/post-checks',
      action: 'posts.read',
      operationId: 'checkPostDraft',
      tags: ['posts'],
      summary: '投稿文のチェック (保存しない): 医療広告ガイドライン・個人情報・患者の特定・チャネルの制限',
      request: {
        params: orgParams,
        body: jsonBody(z.strictObject({ channel, text: cleanText(maxTextChars), images: z.array(Image).max(20).optional() })),
      },
      responses: { 200: jsonAnswer(z.object({ rulesVersion: z.string(), findings: z.array(Finding) })) },
    },
    (ctx) => async (c) => {
      const { orgId } = c.req.valid('param');
      const body = c.req.valid('json');
      const { own } = await reviewSettingsOf(ctx.sql, orgId);
      return c.json(await runPostCheck({ channel: body.channel, text: body.text, images: body.images ?? [] }, own), 200);
    },
  ),
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/posts',
      action: 'posts.read',
      operationId: 'listPosts',
      tags: ['posts'],
      summary: '当院の投稿（下書き・確認中・公開済み…）',
      request: { params: orgParams, query: z.strictObject({ status: query.oneOf(postStatuses) }) },
      responses: { 200: jsonAnswer(itemsOf(Post)) },
    },
    (ctx) => async (c) => c.json({ items: await listPosts(ctx.sql, c.req.valid('param').orgId, c.req.valid('query')) }, 200),
  ),
  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/posts',
      action: 'posts.write',
      operationId: 'createPost',
      tags: ['posts'],
      summary: '投稿の下書きを作成（すぐにチェックされる）',
      request: { params: orgParams, body: jsonBody(z.strictObject(content)) },
      responses: { 201: jsonAnswer(Post, 'Created') },
    },
    (ctx) => async (c) => c.json(await createPost(ctx, c.req.valid('param').orgId, c.req.valid('json'), requestActor(c)), 201),
  ),
  defineRoute(
    {
      method: 'get',
      path: one,
      action: 'posts.read',
      operationId: 'getPost',
      tags: ['posts'],
      summary: '投稿とすべての版',
      request: { params: postParams },
      responses: {
        200: jsonAnswer(
          Post.extend({
            versions: z.array(
              z.object({ version: z.number().int(), text: z.string(), edited_by: z.string(), edited_at: time() }).passthrough(),
            ),
            reactions: z
              .object({
                copy: z.object({ mentionId: z.string(), url: z.string().nullable(), postedAt: time(), linkedAt: time() }).nullable(),
                replies: z.number().int(),
                quotes: z.number().int(),
                negative: z.number().int().openapi({ description: '否定的な返信・引用（炎上への言及の共有を含む）' }),
                lastAt: time().nullable(),
              })
              .nullable()
              .openapi({ description: '公開済みの投稿への返信・引用（公開済みのときのみ）' }),
          }).openapi('PostWithVersions'),
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await getPost(ctx.sql, orgId, postId), 200);
    },
  ),
  defineRoute(
    {
      method: 'patch',
      path: one,
      action: 'posts.write',
      operationId: 'editPost',
      tags: ['posts'],
      summary: '編集（新しい版。承認済み・予約済みなら確認中に戻り、承認はやり直し）',
      request: {
        params: postParams,
        body: jsonBody(
          z
            .strictObject({
              version,
              channel: channel.optional(),
              text: cleanText(maxTextChars).optional(),
              images: content.images,
              attachments: content.attachments,
              plannedAt: content.plannedAt,
            })
            .refine((b) => Object.keys(b).length > 1, 'give something to change besides version'),
        ),
      },
      responses: { 200: jsonAnswer(Post), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await editPost(ctx, orgId, postId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/submit`,
      action: 'posts.write',
      operationId: 'submitPost',
      tags: ['posts'],
      summary: '確認に回す（下書き → 確認中）',
      request: { params: postParams, body: jsonBody(z.strictObject({ version })) },
      responses: { 200: jsonAnswer(Post), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await submitPost(ctx, orgId, postId, c.req.valid('json').version, requestActor(c)), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/approve`,
      action: 'posts.review',
      operationId: 'approvePost',
      tags: ['posts'],
      summary: '承認（作成・編集した人以外。公開不可の指摘は当番責任者以上が理由付きで上書き）',
      request: {
        params: postParams,
        body: jsonBody(
          z.strictObject({
            version,
            overrides: z
              .array(z.strictObject({ findingId: cleanText(300), reason: cleanText(1000) }))
              .max(100)
              .default([]),
          }),
        ),
      },
      responses: {
        200: jsonAnswer(Post),
        403: jsonAnswer(ErrorBody, '作成者・編集者は承認できない、または上書きの権限がない'),
        ...conflict,
      },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await approvePost(ctx, orgId, postId, c.req.valid('json'), requestActor(c), requestAuth(c).role), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/schedule`,
      action: 'posts.write',
      operationId: 'schedulePost',
      tags: ['posts'],
      summary: '公開予約（承認済み → 予約済み）',
      request: { params: postParams, body: jsonBody(z.strictObject({ version, plannedAt: timeInput() })) },
      responses: { 200: jsonAnswer(Post), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await schedulePost(ctx, orgId, postId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/publish`,
      action: 'posts.write',
      operationId: 'publishPost',
      tags: ['posts'],
      summary: '公開済みにする（承認済み・予約済みのみ。チャネルでの公開は手作業）',
      request: { params: postParams, body: jsonBody(z.strictObject({ version, ...publishedAs })) },
      responses: { 200: jsonAnswer(Post), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await publishPost(ctx, orgId, postId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/link`,
      action: 'posts.write',
      operationId: 'linkPost',
      tags: ['posts'],
      summary: '公開済みの投稿のURL・投稿IDを後から登録（収集された投稿と結び付け、返信を監視）',
      request: {
        params: postParams,
        body: jsonBody(
          z
            .strictObject({ version, ...publishedAs })
            .refine((b) => b.url || b.externalId, { message: 'url または externalId を指定してください (give url or externalId)' }),
        ),
      },
      responses: { 200: jsonAnswer(Post), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await linkPost(ctx, orgId, postId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/export`,
      action: 'posts.write',
      operationId: 'exportPost',
      tags: ['posts'],
      summary: '承認済みの投稿をチャネルの形式で書き出す（各プラットフォームの投稿APIのリクエスト本文。監査に記録）',
      request: { params: postParams },
      responses: {
        200: jsonAnswer(
          z
            .object({
              postId: z.string(),
              version: z.number().int(),
              channel,
              endpoint: z.string().openapi({ description: '送り先（プラットフォームの文書どおり）' }),
              body: z.record(z.string(), z.unknown()),
              altTexts: z.array(z.string()),
            })
            .openapi('PostExport'),
        ),
        ...conflict,
      },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await exportPost(ctx, orgId, postId, requestActor(c)), 200);
    },
  ),
  defineRoute(
    {
      method: 'post',
      path: `${one}/withdraw`,
      action: 'posts.write',
      operationId: 'withdrawPost',
      tags: ['posts'],
      summary: '取り下げ（理由を記録）',
      request: { params: postParams, body: jsonBody(z.strictObject({ version, reason: cleanText(1000) })) },
      responses: { 200: jsonAnswer(Post), ...conflict },
    },
    (ctx) => async (c) => {
      const { orgId, postId } = c.req.valid('param');
      return c.json(await withdrawPost(ctx, orgId, postId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),
];
