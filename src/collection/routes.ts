import { z } from '@hono/zod-openapi';
import { requestActor } from '../http/actor.ts';
import { defineRoute } from '../http/route.ts';
import { cleanText, ErrorBody, id, idParam, itemsOf, jsonAnswer, jsonBody, orgParams, time } from '../http/schemas.ts';
import { sourceTypes } from '../mention.ts';
import { runSource } from './run-source.ts';
import { testSourceConnection } from './test-source.ts';
import { listSourceRuns } from './source-runs.ts';
import { addSource, getSource, listSources } from './sources.ts';
import { updateSource } from './update-source.ts';

const Source = z
  .object({
    id: id(),
    orgId: id(),
    type: z.enum(sourceTypes),
    name: z.string(),
    config: z.record(z.string(), z.unknown()).openapi({ description: '収集元の設定。認証情報は含まない (never holds a credential)' }),
    credentials: z
      .array(
        z.object({
          name: z.string(),
          label: z.string(),
          required: z.boolean(),
          set: z.boolean(),
          via: z.enum(['stored', 'environment']).nullable(),
        }),
      )
      .openapi({ description: 'この種類の収集元が使う認証情報と、設定済みかどうか (whether each credential is set; never its value)' }),
    enabled: z.boolean(),
    schedule: z.string().openapi({ description: 'cron 式' }),
    health: z.string(),
    healthMessage: z.string().nullable(),
    lastRunAt: time().nullable(),
    lastSuccessAt: time().nullable(),
    createdAt: time(),
  })
  .openapi('Source');

const SourceRun = z
  .object({
    id: id(),
    trigger: z.string(),
    status: z.string(),
    started_at: time(),
    finished_at: time().nullable(),
    pages: z.number().int(),
    fetched: z.number().int(),
    inserted: z.number().int(),
    updated: z.number().int(),
    tombstoned: z.number().int(),
    rejected: z.number().int(),
    error: z.string().nullable(),
  })
  .openapi('SourceRun');

/** A source's own settings; its type's rules (sources/<type>) check the fields, the size cap is ours. */
const MAX_CONFIG_BYTES = 64 * 1024;
const config = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= MAX_CONFIG_BYTES, `is larger than ${MAX_CONFIG_BYTES} bytes`)
  .openapi({ type: 'object', description: "収集元の種類ごとの設定 (the source type's settings)" });

/** Checked against the type's credential slots by the verb; write-only. */
const credentials = z.record(z.string(), z.string().min(1).max(4096).nullable()).openapi({
  description: '資格情報の種類ごとの値。null で消去 (values by slot, e.g. {"bearerToken": "…"}; null clears). Write-only.',
});

const sourceParams = orgParams.extend({ sourceId: idParam() });

export const sourceRoutes = [
  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/sources',
      action: 'sources.read',
      operationId: 'listSources',
      tags: ['sources'],
      summary: '収集元の一覧と状態 (sources and their health)',
      request: { params: orgParams },
      responses: { 200: jsonAnswer(itemsOf(Source)) },
    },
    (ctx) => async (c) => c.json({ items: await listSources(ctx, { orgId: c.req.valid('param').orgId }) }, 200),
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/sources',
      action: 'sources.manage',
      operationId: 'addSource',
      tags: ['sources'],
      summary: '収集元を追加 (add a source)',
      description:
        '認証情報は credentials に入力します。暗号化して保存され、二度と返されません (credentials are sealed at rest and never returned; the answer says only whether each is set).',
      request: {
        params: orgParams,
        body: jsonBody(
          z.strictObject({
            type: z.enum(sourceTypes),
            name: cleanText(200),
            config: config.optional(),
            credentials: credentials.optional(),
            schedule: cleanText(100).optional(),
            enabled: z.boolean().optional(),
            orgId: id().optional().openapi({ description: 'パスの組織と同じ (ignored: the path names the organization)' }),
          }),
        ),
      },
      responses: { 201: jsonAnswer(Source, 'Created'), 409: jsonAnswer(ErrorBody, '重複 (conflict)') },
    },
    (ctx) => async (c) => {
      const { orgId: _ignored, ...input } = c.req.valid('json');
      return c.json(
        await addSource(ctx, { ...input, orgId: c.req.valid('param').orgId, config: input.config ?? {} }, requestActor(c)),
        201,
      );
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/sources/{sourceId}',
      action: 'sources.read',
      operationId: 'getSource',
      tags: ['sources'],
      summary: '収集元 (a source)',
      request: { params: sourceParams },
      responses: { 200: jsonAnswer(Source) },
    },
    (ctx) => async (c) => {
      const { orgId, sourceId } = c.req.valid('param');
      return c.json(await getSource(ctx, sourceId, orgId), 200);
    },
  ),

  defineRoute(
    {
      method: 'patch',
      path: '/organizations/{orgId}/sources/{sourceId}',
      action: 'sources.manage',
      operationId: 'updateSource',
      tags: ['sources'],
      summary: '収集元の有効化・設定変更 (enable, disable, reconfigure)',
      description:
        '接続先 (baseUrl など) を変えると、同じ要求で入力し直さない限り保存済みの認証情報は消去されます (moving a source to another host clears its stored credentials unless they are entered again in the same request).',
      request: {
        params: sourceParams,
        body: jsonBody(
          z.strictObject({
            name: cleanText(200).optional(),
            schedule: cleanText(100).optional(),
            enabled: z.boolean().optional(),
            config: config.optional(),
            credentials: credentials.optional(),
          }),
        ),
      },
      responses: { 200: jsonAnswer(Source) },
    },
    (ctx) => async (c) => {
      const { orgId, sourceId } = c.req.valid('param');
      return c.json(await updateSource(ctx, sourceId, orgId, c.req.valid('json'), requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/sources/{sourceId}/connection-test',
      action: 'sources.manage',
      operationId: 'testSourceConnection',
      tags: ['sources'],
      summary: '接続テスト (one real request as the collector makes it; nothing stored but the audit row)',
      request: { params: sourceParams },
      responses: {
        200: jsonAnswer(
          z
            .object({
              ok: z.boolean(),
              request: z.object({ url: z.string(), status: z.number(), contentType: z.string().nullable(), ms: z.number() }).nullable(),
              posts: z.number().nullable(),
              message: z.string(),
            })
            .openapi('ConnectionTest'),
        ),
      },
    },
    (ctx) => async (c) => {
      const { orgId, sourceId } = c.req.valid('param');
      return c.json(await testSourceConnection(ctx, orgId, sourceId, requestActor(c)), 200);
    },
  ),

  defineRoute(
    {
      method: 'post',
      path: '/organizations/{orgId}/sources/{sourceId}/runs',
      action: 'sources.manage',
      operationId: 'runSource',
      tags: ['sources'],
      summary: '今すぐ収集 (collect now)',
      request: { params: sourceParams },
      responses: {
        200: jsonAnswer(z.object({ status: z.string() }).openapi({ description: '実行結果 (run outcome)' })),
        409: jsonAnswer(z.object({ status: z.literal('skipped') }), '実行中のため省略 (skipped: a run is in progress)'),
      },
    },
    (ctx) => async (c) => {
      const { orgId, sourceId } = c.req.valid('param');
      const src = await getSource(ctx, sourceId, orgId);
      const outcome = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
      return outcome.status === 'skipped' ? c.json(outcome, 409) : c.json(outcome, 200);
    },
  ),

  defineRoute(
    {
      method: 'get',
      path: '/organizations/{orgId}/sources/{sourceId}/runs',
      action: 'sources.read',
      operationId: 'listSourceRuns',
      tags: ['sources'],
      summary: '直近の収集実行 (the last 50 runs)',
      request: { params: sourceParams },
      responses: { 200: jsonAnswer(itemsOf(SourceRun)) },
    },
    (ctx) => async (c) => {
      const { orgId, sourceId } = c.req.valid('param');
      return c.json({ items: await listSourceRuns(ctx, orgId, sourceId) }, 200);
    },
  ),
];
