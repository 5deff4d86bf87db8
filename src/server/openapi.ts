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
    tags: [...tags].map((name) => ({ name })),
    paths: generated.paths ?? {},
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
