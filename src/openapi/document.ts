import { OpenAPIHono } from '@hono/zod-openapi';
import type { RouteDefinition } from '../http/route.ts';
import { components } from './components.ts';
import { operations, type Operation } from './operations.ts';
import { ref, type Schema } from './schema.ts';

// The OpenAPI 3.1 document of /api/v1. The library (@hono/zod-openapi, i.e. zod-to-openapi)
// generates it from the route definitions (src/http/api.ts); the operations of features not yet
// converted to defineRoute are still written by hand (operations.ts, components.ts) and merged in.
// A test walks the app's registered routes and this document both ways, so a route cannot ship
// undocumented.

/** Hono's `/organizations/:orgId` → OpenAPI's `/organizations/{orgId}`. */
export function openapiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, '{$1}');
}

function pathParams(path: string) {
  return [...path.matchAll(/:([A-Za-z][A-Za-z0-9_]*)/g)].map((m) => {
    const name = m[1]!;
    const token = name === 'token';
    return {
      name, in: 'path', required: true,
      schema: token ? { type: 'string', maxLength: 512 } : { type: 'string', pattern: '^[0-9]{1,19}$' },
      description: token ? '署名付きトークン (signed token)' : `${name} (decimal id)`,
    };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

function responsesOf(op: Operation) {
  const status = String(op.ok?.status ?? 200);
  const contentType = op.ok?.contentType ?? 'application/json';
  const ok = op.ok?.schema === null
    ? { description: op.ok?.description ?? 'OK' }
    : { description: op.ok?.description ?? 'OK', content: { [contentType]: { schema: op.ok?.schema ?? { type: 'object' } } } };
  const out: Record<string, unknown> = { [status]: ok };
  if (op.query || op.body || op.path.includes(':')) out['400'] = errorResponse('入力が不正 (validation failed)');
  if (op.auth !== 'public') {
    out['401'] = errorResponse('認証が必要 (authentication required)');
    out['403'] = errorResponse('権限がない (the role or token scope does not allow this)');
  }
  if (op.path.includes(':')) out['404'] = errorResponse('見つからない、または別の組織 (not found, or another organization)');
  for (const [code, description] of Object.entries(op.errors ?? {})) out[code] = errorResponse(description);
  if (op.body) {
    out['413'] = errorResponse('本文が大きすぎる (body too large)');
    out['415'] = errorResponse('Content-Type が application/json ではない');
  }
  return out;
}

function operationObject(op: Operation) {
  const parameters = [
    ...pathParams(op.path),
    ...Object.entries(op.query ?? {}).map(([name, schema]) => {
      const { description, ...rest } = schema as Schema & { description?: string };
      return { name, in: 'query', required: false, schema: rest, ...(description ? { description } : {}) };
    }),
  ];
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
    ...(op.auth === 'public' ? { security: [] } : {}),
    responses: responsesOf(op),
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
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, item] of Object.entries(generated.paths ?? {})) paths[p] = { ...item } as Record<string, unknown>;
  for (const op of operations) {
    const p = openapiPath(op.path);
    (paths[p] ??= {})[op.method] = operationObject(op);
  }
  const tags = new Set([
    ...options.routes.flatMap((r) => r.route.tags ?? []),
    ...operations.map((o) => o.tag),
  ]);
  return {
    ...generated,
    // OpenAPI 3.1 fields the generator's 3.0-shaped config type does not know.
    info: {
      ...generated.info,
      summary: '医療機関向け SNS 評判・炎上監視 API (reputation and crisis monitoring for clinics)',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...components, ...generated.components?.schemas } as Record<string, Schema>,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: '利用者ごとの API トークン (per-user API token with scopes)' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'hinoko_session', description: 'ログインセッション。書き込みには x-csrf-token が必要' },
      },
    },
  };
}
