import { createRoute, z, type OpenAPIHono, type RouteConfig, type RouteConfigToTypedResponse, type RouteHandler } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler, Next, TypedResponse } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { Action, publicAction } from '../access/permissions.ts';
import type { AppContext } from '../context.ts';
import { ValidationError } from '../errors.ts';
import type { AppEnv } from './env.ts';
import { checkNoBody, checkQueryNames } from './operation-guard.ts';
import { readJson } from './params.ts';
import { ErrorBody, type TextMediaType } from './schemas.ts';

// One declaration per route: method, path, the action the permission table checks, request and
// response schemas (zod, with OpenAPI metadata), and the handler. createApp registers the
// definitions; the auth middleware's route → action map and /api/v1/openapi.json are derived from
// the same list (src/server/api.ts), so a route cannot be served unlisted or undocumented.

type RouteAction = Action | typeof publicAction;

/** createRoute's config plus the action; paths are OpenAPI-style (`/organizations/{orgId}`), relative to /api/v1. */
export type RouteSpec = RouteConfig & { action: RouteAction; operationId: string; summary: string; tags: [string, ...string[]] };

export interface RouteDefinition {
  /** 'METHOD /api/v1/path/:param', the key the auth middleware looks the matched route up by. */
  readonly key: string;
  readonly action: RouteAction;
  /** The route as the OpenAPI generator reads it (standard error answers added). */
  readonly route: RouteConfig;
  register(app: OpenAPIHono<AppEnv>, ctx: AppContext): void;
}

/** Hono's `/a/:b` for OpenAPI's `/a/{b}`. */
export const honoPath = (openapiPath: string) => openapiPath.replace(/\{([^}]+)\}/g, ':$1');

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

/** The error answers every route of a kind can give, so the document lists them without each route repeating them. */
function standardErrors(spec: RouteSpec): RouteConfig['responses'] {
  const out: RouteConfig['responses'] = {};
  const hasParams = spec.path.includes('{');
  if (spec.request?.query || spec.request?.body || hasParams) out[400] = errorAnswer('入力が不正 (validation failed)');
  if (spec.action !== 'public') {
    out[401] = errorAnswer('認証が必要 (authentication required)');
    out[403] = errorAnswer('権限がない (the role or token scope does not allow this)');
  }
  if (hasParams) out[404] = errorAnswer('見つからない、または別の組織 (not found, or another organization)');
  if (spec.request?.body) {
    out[413] = errorAnswer('本文が大きすぎる (body too large)');
    out[415] = errorAnswer('Content-Type が application/json ではない');
  }
  return out;
}

const keysOf = (schema: unknown): string[] => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : []);

/**
 * What zod does not check, run before the library's validators: only declared query parameters,
 * each once and valid UTF-8; a JSON body read strictly (src/http/params.ts: content type, UTF-8,
 * duplicate keys, depth, control characters) — the validator then parses the same cached bytes;
 * and for a route without a body (or a request leaving out an optional one), none (or `{}`).
 */
function strictInput(spec: RouteSpec): MiddlewareHandler<AppEnv> {
  const queryNames = new Set(keysOf(spec.request?.query));
  const takesBody = spec.request?.body !== undefined;
  // An optional body (optionalJsonBody) may be left out entirely: no content type, no bytes.
  const bodyOptional = takesBody && spec.request?.body?.required !== true;
  return async (c, next) => {
    checkQueryNames(c, queryNames);
    if (takesBody && !(bodyOptional && c.req.header('content-type') === undefined)) await readJson(c);
    else await checkNoBody(c);
    await next();
  };
}

const where = (target: string, path: readonly PropertyKey[]) =>
  path.length === 0
    ? target
    : path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`), '');

/** A zod failure in the one error shape, naming the field: `recipients[0]: …`, `body: unknown field(s) "admin"; allowed: …`. */
export function validationMessage(target: string, error: z.ZodError, allowed: readonly string[] = []): string {
  const label = target === 'json' ? 'body' : target === 'param' ? 'path' : target;
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ');
        return `${where(label, issue.path)}: unknown field(s) ${keys}${allowed.length > 0 && issue.path.length === 0 ? `; allowed: ${allowed.join(', ')}` : ''}`;
      }
      return `${where(label, issue.path)}: ${issue.message}`;
    })
    .join('; ');
}

// Text answers (a Markdown export, a print page). The library types an answer of any media type
// but JSON and text/plain as a bare Response, so a handler declared `text/html` would compile
// returning anything, even c.json of another shape. Here such an answer must come from
// answerText(), branded with the media type and status it was declared with.

declare const textBrand: unique symbol;
export type TextResponse<M extends TextMediaType, S extends StatusCode> = Response & { readonly [textBrand]: { mediaType: M; status: S } };

/** A text answer in UTF-8, made the way c.json makes one (headers set earlier, e.g. x-request-id, kept). */
export function answerText<M extends TextMediaType, S extends ContentfulStatusCode = 200>(
  c: Context<AppEnv>,
  mediaType: M,
  text: string,
  options: { status?: S; headers?: Record<string, string> } = {},
): TextResponse<M, S> {
  const response: Response = c.body(text, options.status ?? 200, { ...options.headers, 'content-type': `${mediaType}; charset=utf-8` });
  // The brand is a compile-time mark only; this function is the one place that may apply it.
  return response as TextResponse<M, S>;
}

type Statuses<R extends RouteConfig> = keyof R['responses'] & StatusCode;
type TextAnswers<R extends RouteConfig> = {
  [S in Statuses<R>]: R['responses'][S] extends { content: infer C }
    ? [keyof C & TextMediaType] extends [never]
      ? never
      : TextResponse<keyof C & TextMediaType, S>
    : never;
}[Statuses<R>];

// A status declared without content (204): the library types it as TypedResponse<{}>, which
// c.body(null, 204) is not; here it is exactly that, so a body cannot be answered with it.
type EmptyAnswers<R extends RouteConfig> = {
  [S in Statuses<R>]: R['responses'][S] extends { content: unknown } ? never : TypedResponse<null, S, 'body'>;
}[Statuses<R>];

/**
 * What a handler of route R may return: c.json(…) in a declared JSON shape and status, an
 * answerText(…) of a declared text media type and status, or c.body(null, status) for a status
 * declared without content. The library's bare Response (its type for other media types) is left out.
 */
export type RouteAnswer<R extends RouteConfig> =
  Extract<RouteConfigToTypedResponse<R>, TypedResponse<unknown, StatusCode, string>> | TextAnswers<R> | EmptyAnswers<R>;

export type RouteHandlerOf<R extends RouteConfig> = (
  c: Parameters<RouteHandler<R, AppEnv>>[0],
  next: Next,
) => RouteAnswer<R> | Promise<RouteAnswer<R>>;

/**
 * Declares a route. The handler receives the AppContext once, at registration, and returns the
 * Hono handler, typed by the schemas: `c.req.valid('param' | 'query' | 'json')` and an answer that
 * must match the declared responses (RouteAnswer).
 */
export function defineRoute<const R extends RouteSpec>(spec: R, handler: (ctx: AppContext) => RouteHandlerOf<R>): RouteDefinition {
  const { action, ...config } = spec;
  const route = createRoute({
    ...config,
    responses: { ...standardErrors(spec), ...config.responses },
    ...(action === 'public' ? { security: [] } : {}),
  });
  const media = spec.request?.body?.content['application/json'];
  const allowed = keysOf(media && 'schema' in media ? media.schema : undefined);
  const hook = (result: { success: true } | { success: false; error: z.ZodError; target: string }) => {
    if (!result.success) throw new ValidationError(validationMessage(result.target, result.error, result.target === 'json' ? allowed : []));
  };
  return {
    key: `${spec.method.toUpperCase()} /api/v1${honoPath(spec.path)}`,
    action,
    route,
    register(app, ctx) {
      app.openapi({ ...route, middleware: [strictInput(spec)] }, handler(ctx), hook);
    },
  };
}

/** 'METHOD path' → action for a list of definitions, refusing a route declared twice. */
export function actionsOf(definitions: readonly RouteDefinition[]): Record<string, RouteAction> {
  const out: Record<string, RouteAction> = {};
  for (const d of definitions) {
    if (d.key in out) throw new Error(`route declared twice: ${d.key}`);
    out[d.key] = d.action;
  }
  return out;
}
