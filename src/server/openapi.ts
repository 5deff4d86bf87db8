import { OpenAPIHono } from '@hono/zod-openapi';
import type { RouteDefinition } from '../http/route.ts';

// The OpenAPI 3.1 document of /api/v1. The library (@hono/zod-openapi, i.e. zod-to-openapi)
// generates it from the route definitions (src/server/api.ts); this adds what its 3.0-shaped config
// cannot say (3.1 info fields), the tags and the security schemes.
// A test walks the app's registered routes and this document both ways, so a route cannot ship
// undocumented.

/** Hono's `/organizations/:orgId` → OpenAPI's `/organizations/{orgId}`. */
export function openapiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, '{$1}');
}

/** What each tag groups, as the docs page shows it above its operations. */
const tagDescriptions: Record<string, string> = {
  meta: 'この文書 (the document itself)',
  auth: 'ログイン・ログアウト・自分の情報 (sessions)',
  users: '利用者・役割・パスワード・API トークン (users and tokens)',
  organizations: '組織と監視対象 (organisations and watch targets)',
  alerting: '通知メールの設定と送信記録 (alert e-mail)',
  sources: '収集元・収集の実行・接続テスト (sources)',
  mentions: '投稿の検索・トリアージ・メモ・件数 (mentions)',
  alerts: '炎上の疑い・お知らせと検知の感度 (alerts and detection)',
  incidents: 'インシデントと対応タスク (incidents)',
  playbooks: '対応手順とその版 (playbooks)',
  oncall: '当番表・代理・エスカレーション・応答 (on-call)',
  postmortems: 'ポストモーテムと月次報告 (post-mortems and reports)',
  statements: '公式見解の作成・確認・承認・公開 (statements)',
  posts: '当院の投稿の公開前チェック・複数人承認・公開 (the clinic’s own posts: check, N reviewers, publish)',
  privacy: '本人の求めによる消去 (erasure on request)',
};

const errorEnvelope = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
    },
  },
} as const;
const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const errorJson = (description: string) => ({ description, content: { 'application/json': { schema: errorEnvelope } } });

/**
 * The routes outside /api/v1 that other systems call: the load balancer's health check, the
 * acknowledgement link in an alert mail, and the platforms' webhooks. Declared by hand (they are
 * plain Hono routes in src/server/app.ts and src/web/routes.tsx), each path with its own server.
 */
type PathsObject = NonNullable<ReturnType<OpenAPIHono['getOpenAPI31Document']>['paths']>;
type Parameter = NonNullable<PathsObject[string]['parameters']>[number];

function rootPaths(rootUrl: string): PathsObject {
  const servers = [{ url: rootUrl, description: 'サービスのルート (the service root, not /api/v1)' }];
  const token: Parameter = {
    name: 'token',
    in: 'path',
    required: true,
    description: '通知メールのリンクに含まれる署名付きの使い切りトークン',
    schema: { type: 'string', maxLength: 2000 },
  };
  const sourceId: Parameter = {
    name: 'sourceId',
    in: 'path',
    required: true,
    description: '収集元 ID (source id)',
    schema: { type: 'string', pattern: '^[0-9]{1,19}$' },
  };
  const webhookAnswers = {
    400: errorJson('署名はあるが中身が読めない (unreadable payload)'),
    401: errorJson('署名が合わない (signature does not verify)'),
    403: errorJson('検証トークンが違う (verification token mismatch)'),
    404: errorJson('その収集元はない、または Webhook で受け取らない (no such push source)'),
    413: errorJson('本文が大きすぎる (body over HINOKO_WEBHOOK_BODY_LIMIT)'),
  };
  return {
    '/healthz': {
      servers,
      get: {
        operationId: 'getHealth',
        tags: ['meta'],
        summary: '稼働確認 (health: the database answers; when the workers last completed a pass)',
        security: [],
        responses: {
          200: {
            description: '稼働中 (up)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status', 'database', 'time'],
                  properties: {
                    status: { const: 'ok' },
                    database: { const: 'ok' },
                    time: { type: 'string', format: 'date-time' },
                    workers: { type: 'object', additionalProperties: { type: ['string', 'null'], format: 'date-time' } },
                  },
                },
              },
            },
          },
          503: {
            description: 'データベースに 2 秒以内につながらない (database unreachable within 2 s)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    status: { const: 'unavailable' },
                    database: { const: 'unreachable' },
                    time: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/metrics': {
      servers,
      get: {
        operationId: 'getMetrics',
        tags: ['meta'],
        summary:
          'Prometheus の指標 (Prometheus metrics: collection runs and lag, ingest, detection passes, alerts, mail queue, escalations, connections). HINOKO_METRICS_TOKEN を Bearer で、未設定ならこのマシンからのみ',
        security: [],
        responses: {
          200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
          403: errorJson('トークンが違う、またはこのマシン以外から (wrong token, or not from this machine)'),
        },
      },
    },
    '/ack/{token}': {
      servers,
      parameters: [token],
      get: {
        operationId: 'showAcknowledgement',
        tags: ['oncall'],
        summary: '通知メールの「応答する」リンク: 確認画面 (confirm page; a GET never acknowledges, mail scanners fetch links)',
        security: [],
        responses: {
          200: html('応答の確認画面'),
          400: html('偽造・壊れたリンク (forged or broken)'),
          409: html('使用済みのリンク (already used)'),
          410: html('期限切れのリンク (expired)'),
        },
      },
      post: {
        operationId: 'acknowledgeByLink',
        tags: ['oncall'],
        summary: 'インシデントに応答する (acknowledge the incident the link was mailed about; once)',
        security: [],
        responses: {
          200: html('応答しました (acknowledged, or already acknowledged by someone)'),
          400: html('偽造・壊れたリンク (forged or broken)'),
          409: html('使用済みのリンク (already used)'),
          410: html('期限切れのリンク (expired)'),
          413: errorJson('本文が大きすぎる (body over 16 KiB)'),
        },
      },
    },
    '/webhooks/{sourceId}': {
      servers,
      parameters: [sourceId],
      get: {
        operationId: 'verifyWebhook',
        tags: ['sources'],
        summary: 'Webhook の購読確認 (Facebook/Instagram hub.challenge: answered with the challenge)',
        security: [],
        parameters: [
          { name: 'hub.mode', in: 'query', schema: { type: 'string' } },
          { name: 'hub.verify_token', in: 'query', schema: { type: 'string' } },
          { name: 'hub.challenge', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'hub.challenge をそのまま返す', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...webhookAnswers,
        },
      },
      post: {
        operationId: 'receiveWebhook',
        tags: ['sources'],
        summary:
          'プラットフォームからの配信 (LINE, Facebook, Instagram: the signature is checked over the exact bytes, then stored before answering)',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          200: {
            description: '保存した (stored; a redelivery is stored once)',
            content: { 'application/json': { schema: { type: 'object', properties: { received: { type: 'integer' } } } } },
          },
          ...webhookAnswers,
        },
      },
    },
  };
}

export function buildOpenApiDocument(options: { version: string; serverUrl?: string; routes: readonly RouteDefinition[] }) {
  const registry = new OpenAPIHono();
  for (const route of options.routes) registry.openAPIRegistry.registerPath(route.route);
  const generated = registry.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Hinoko (火の粉) API',
      version: options.version,
      description: [
        'すべての時刻は UTC (ISO 8601) で返します。画面表示は Asia/Tokyo です。',
        'エラーは常に `{"error":{"code","message","requestId"}}` の形です。',
        '認証: ログインで得たセッション Cookie (書き込みは `x-csrf-token` ヘッダーが必要) か、利用者ごとの API トークン (`Authorization: Bearer …`, スコープ付き)。',
      ].join('\n\n'),
    },
    servers: [{ url: `${options.serverUrl ?? ''}/api/v1` }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
  });
  const tags = new Set(options.routes.flatMap((r) => r.route.tags ?? []));
  return {
    ...generated,
    // OpenAPI 3.1 fields the generator's 3.0-shaped config type does not know.
    info: {
      ...generated.info,
      summary: '医療機関向け SNS 評判・炎上監視 API (reputation and crisis monitoring for clinics)',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [...tags].map((name) => ({ name, description: tagDescriptions[name] ?? name })),
    paths: { ...(generated.paths ?? {}), ...rootPaths(options.serverUrl || '/') },
    components: {
      schemas: generated.components?.schemas ?? {},
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: '利用者ごとの API トークン (per-user API token with scopes)' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'hinoko_session',
          description: 'ログインセッション。書き込みには x-csrf-token が必要',
        },
      },
    },
  };
}
