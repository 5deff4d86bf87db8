import { OpenAPIHono, z } from '@hono/zod-openapi';
import packageJson from '../../package.json' with { type: 'json' };
import { authRoutes } from '../auth/routes.ts';
import { sourceRoutes } from '../collection/routes.ts';
import type { AppContext } from '../context.ts';
import { detectionPassRoutes } from '../detection-pass/routes.ts';
import { incidentRoutes } from '../incidents/routes.ts';
import { oncallRoutes } from '../oncall/routes.ts';
import { statementRoutes } from '../statements/routes.ts';
import { postRoutes } from '../post-review/routes.ts';
import { mentionRoutes } from '../mentions/routes.ts';
import { notifyRoutes } from '../notify/routes.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { organizationRoutes } from '../organizations/routes.ts';
import { overviewRoutes } from '../overview/routes.ts';
import { postmortemRoutes } from '../postmortems/routes.ts';
import { privacyRoutes } from '../privacy/routes.ts';
import type { AppEnv } from '../http/env.ts';
import { actionsOf, defineRoute, type RouteDefinition } from '../http/route.ts';
import { ErrorBody, jsonAnswer } from '../http/schemas.ts';

// Every route under /api/v1 declared with defineRoute, by feature. createApp registers them; the
// permission map and the OpenAPI document below are derived from this one list.

const openApiRoute = defineRoute(
  {
    method: 'get',
    path: '/openapi.json',
    action: 'public',
    operationId: 'getOpenApi',
    tags: ['meta'],
    summary: 'この API 文書 (this OpenAPI document)',
    responses: {
      200: jsonAnswer(z.looseObject({}).openapi({ type: 'object', description: 'OpenAPI 3.1' })),
      // The body limit runs before any route, this one included.
      413: jsonAnswer(ErrorBody, '本文が大きすぎる (request body over HINOKO_BODY_LIMIT)'),
    },
  },
  (ctx) => {
    const document = openApiDocument(packageJson.version, ctx.config.mail.publicUrl);
    return (c) => c.json(document, 200);
  },
);

export const apiRoutes: readonly RouteDefinition[] = [
  openApiRoute,
  ...authRoutes,
  ...organizationRoutes,
  ...notifyRoutes,
  ...sourceRoutes,
  ...mentionRoutes,
  ...detectionPassRoutes,
  ...incidentRoutes,
  ...postmortemRoutes,
  ...oncallRoutes,
  ...statementRoutes,
  ...postRoutes,
  ...privacyRoutes,
  ...overviewRoutes,
];

/**
 * 'METHOD /api/v1/path' → action for every /api route, from the definitions. The auth middleware
 * refuses whatever is not in it (fail closed).
 */
export const routeActions = actionsOf(apiRoutes);

/** The OpenAPI 3.1 document of /api/v1, generated from the definitions. */
export function openApiDocument(version: string, serverUrl?: string) {
  return buildOpenApiDocument({ version, serverUrl, routes: apiRoutes });
}

/** The definitions as one Hono app, to mount at /api/v1. */
export function definedRoutes(ctx: AppContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  for (const route of apiRoutes) route.register(app, ctx);
  return app;
}
