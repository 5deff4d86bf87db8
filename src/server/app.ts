import { randomUUID } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { secureHeaders } from 'hono/secure-headers';
import { authorizeApi } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { resolveSourceIp, setRequestSourceIp } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { errorBody, handleError } from '../http/errors.ts';
import { definedRoutes, routeActions } from './api.ts';
import { pathId } from '../http/params.ts';
import { receiveWebhook } from '../collection/receive-webhook.ts';
import { escapeJsonForHtml } from '../display.ts';
import { printCssHash } from '../postmortems/render.ts';
import { webRoutes } from '../web/routes.tsx';
import { metricsHandler } from './metrics.ts';

const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const id = incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  c.set('requestId', id);
  c.header('x-request-id', id);
  await next();
};

/**
 * Answers carry posts and personal data: no cache (a shared proxy, the browser's back button on a
 * shared ward PC) keeps them unless a route says otherwise. JSON escapes <, > and & so no answer
 * can be sniffed or pasted into a page as markup; in JSON text those characters stand only inside
 * strings, where \u003c means the same. c.json escapes as it serialises (reading a written answer
 * back to escape it cost a busy feed a fifth of its time); a JSON answer made another way is
 * escaped afterwards.
 */
const privateAnswers: MiddlewareHandler<AppEnv> = async (c, next) => {
  const escaped = new WeakSet<Response>();
  // c.json's contract (hono/context: a status or a ResponseInit, then headers), its text escaped;
  // the cast is for hono's typed-response brand, which the route definitions read.
  const json = (object: unknown, arg?: ContentfulStatusCode | ResponseInit, headers?: Record<string, string>) => {
    const [status, given] = typeof arg === 'object' ? [arg.status, Object.fromEntries(new Headers(arg.headers))] : [arg, headers];
    const res = c.body(escapeJsonForHtml(JSON.stringify(object)), (status ?? 200) as ContentfulStatusCode, {
      'content-type': 'application/json',
      ...given,
    });
    escaped.add(res);
    return res;
  };
  c.json = json as unknown as typeof c.json;
  await next();
  if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  if (escaped.has(c.res)) return;
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(c.res.headers.get('content-type') ?? '')) {
    const text = await c.res.text();
    if (/[<>&\u2028\u2029]/.test(text)) {
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(escapeJsonForHtml(text), { status: c.res.status, statusText: c.res.statusText, headers });
    } else {
      c.res = new Response(text, c.res);
    }
  }
};

/** How long /healthz waits for the database before answering 503. */
const HEALTH_TIMEOUT_MS = 2_000;

export interface AppOptions {
  onWebhookStored?: () => void;
  /** When each background worker last completed a pass, for /healthz (main.ts supplies it). */
  workers?: () => Record<string, Date | null>;
}

export function createApp(ctx: AppContext, options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  app.onError(handleError(ctx.log));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));
  app.use('*', requestId);
  const sourceIp: MiddlewareHandler<AppEnv> = async (c, next) => {
    setRequestSourceIp(c, resolveSourceIp(c, ctx.config.http.trustProxy));
    await next();
  };
  app.use('*', sourceIp);
  app.use(
    '*',
    secureHeaders({
      referrerPolicy: 'same-origin',
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        // No inline styles either: pages use /assets/app.css (uPlot styles through the CSSOM, which CSP
        // allows); the one exception is the post-mortem print page's stylesheet, allowed by its hash.
        styleSrc: ["'self'", printCssHash],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        // No page of ours is framed (clickjacking), posts nowhere else, or re-bases its links.
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
      },
    }),
  );
  app.use('*', privateAnswers);
  const limit = (maxSize: number): MiddlewareHandler<AppEnv> => {
    const check = bodyLimit({
      maxSize,
      onError: (c: Context<AppEnv>) =>
        c.json(errorBody('payload_too_large', `request body is over ${maxSize} bytes`, c.get('requestId')), 413),
    });
    // A GET without Content-Length or Transfer-Encoding has no body (HTTP/1.1), and @hono/node-server
    // gives a GET none anyway: the check would only build the full Request to find none (a fortieth
    // of a busy feed's time).
    return (c, next) =>
      (c.req.method === 'GET' || c.req.method === 'HEAD') && !c.req.header('content-length') && !c.req.header('transfer-encoding')
        ? next()
        : check(c, next);
  };
  app.use('/api/*', limit(ctx.config.http.bodyLimitBytes));
  app.use('/login', limit(16 * 1024));
  app.use('/logout', limit(16 * 1024));
  app.use('/webhooks/*', limit(ctx.config.http.webhookBodyLimitBytes));

  app.on(['GET', 'POST'], '/webhooks/:sourceId', async (c) => {
    const reply = await receiveWebhook(ctx, pathId(c, 'sourceId'), {
      method: c.req.method,
      headers: Object.fromEntries([...c.req.raw.headers].map(([k, v]) => [k.toLowerCase(), v])),
      query: c.req.query(),
      rawBody: Buffer.from(await c.req.arrayBuffer()),
    });
    if (reply.status === 200) options.onWebhookStored?.();
    if (reply.contentType === 'text/plain') return c.text(reply.body, 200);
    // Refusals carry the request id like every other error, so the platform's retry log and ours meet.
    const body = 'error' in reply.body ? { error: { ...reply.body.error, requestId: c.get('requestId') } } : reply.body;
    return c.json(body, reply.status);
  });

  app.get('/metrics', metricsHandler(ctx));

  app.get('/healthz', async (c) => {
    try {
      // While the database is away a query waits for a connection (up to the connect timeout);
      // a load balancer needs its answer now.
      await Promise.race([
        ctx.sql`select 1`,
        new Promise((_, reject) => setTimeout(() => reject(new Error('health check timed out')), HEALTH_TIMEOUT_MS).unref()),
      ]);
      // Whether the workers are alive too: an operator (or a test) sees detection and mail resume.
      const workers = Object.fromEntries(Object.entries(options.workers?.() ?? {}).map(([k, v]) => [k, v?.toISOString() ?? null]));
      return c.json({ status: 'ok', database: 'ok', time: ctx.now().toISOString(), workers });
    } catch {
      return c.json({ status: 'unavailable', database: 'unreachable', time: ctx.now().toISOString() }, 503);
    }
  });

  // Every /api route is authorised by the one role × action table (src/access/permissions.ts),
  // through the route → action map derived from the route definitions (src/server/api.ts).
  app.use('/api/*', authorizeApi(ctx, routeActions));
  app.route('/api/v1', definedRoutes(ctx));
  app.use('/ack/*', limit(16 * 1024));
  app.route('/', webRoutes(ctx));
  return app;
}
