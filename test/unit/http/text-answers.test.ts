import { OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/context.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { answerText, defineRoute } from '../../../src/http/route.ts';
import { jsonAnswer, textAnswer } from '../../../src/http/schemas.ts';
import { buildOpenApiDocument } from '../../../src/server/openapi.ts';

// Routes that answer text (a Markdown export, a print page). @hono/zod-openapi types an answer of
// any media type but JSON and text/plain as a bare Response, so without defineRoute's own answer
// type such a handler would compile returning anything. The @ts-expect-error lines are checked by
// `tsc --noEmit -p .` (test/ is in the project): each must stay an error.

const meta = { action: 'public' as const, tags: ['test'] as [string], summary: 'test' };

const markdown = defineRoute(
  {
    ...meta,
    method: 'get',
    path: '/note.md',
    operationId: 'note',
    responses: { 200: textAnswer('text/markdown') },
  },
  () => (c) => answerText(c, 'text/markdown', '# 見出し\n', { headers: { 'cache-control': 'private, no-store' } }),
);

const both = defineRoute(
  {
    ...meta,
    method: 'get',
    path: '/both',
    operationId: 'both',
    responses: { 200: textAnswer('text/html'), 202: jsonAnswer(z.object({ queued: z.boolean() })) },
  },
  () => (c) => (c.req.header('x-json') ? c.json({ queued: true }, 202) : answerText(c, 'text/html', '<p>ok</p>')),
);

// Only registered by the runtime test below; what matters here is that each handler is refused.
export const refused = [
  defineRoute(
    { ...meta, method: 'get', path: '/a.html', operationId: 'a', responses: { 200: textAnswer('text/html') } },
    // @ts-expect-error JSON from a route declared text/html
    () => (c) => c.json({ any: 'thing' }, 200),
  ),
  defineRoute(
    { ...meta, method: 'get', path: '/b.md', operationId: 'b', responses: { 200: textAnswer('text/markdown') } },
    // @ts-expect-error HTML from a route declared text/markdown
    () => (c) => answerText(c, 'text/html', '<p>x</p>'),
  ),
  defineRoute(
    { ...meta, method: 'get', path: '/c.md', operationId: 'c', responses: { 200: textAnswer('text/markdown') } },
    // @ts-expect-error a declared media type, but an undeclared status
    () => (c) => answerText(c, 'text/markdown', 'x', { status: 201 }),
  ),
  defineRoute(
    { ...meta, method: 'get', path: '/d', operationId: 'd', responses: { 200: jsonAnswer(z.object({ n: z.number() })) } },
    // @ts-expect-error text from a route declared JSON
    () => (c) => answerText(c, 'text/markdown', 'x'),
  ),
  defineRoute(
    { ...meta, method: 'get', path: '/e.html', operationId: 'e', responses: { 200: textAnswer('text/html') } },
    // @ts-expect-error a Response made by hand carries no declared media type
    () => (c) => c.body('<p>x</p>', 200, { 'content-type': 'text/html' }),
  ),
];

function appOf(...routes: (typeof markdown)[]) {
  const app = new OpenAPIHono<AppEnv>();
  // The handlers above never read the context.
  for (const r of routes) r.register(app, {} as AppContext);
  return app;
}

describe('text answers', () => {
  it('are served in their declared media type, UTF-8, with the headers given and those set before', async () => {
    const app = appOf(markdown, both);
    const res = await app.request('/note.md');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(await res.text()).toBe('# 見出し\n');
    const html = await app.request('/both');
    expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([200, 'text/html; charset=utf-8', '<p>ok</p>']);
    const json = await app.request('/both', { headers: { 'x-json': '1' } });
    expect([json.status, await json.json()]).toEqual([202, { queued: true }]);
  });

  it('are documented with their media type and a string body', () => {
    const doc = buildOpenApiDocument({ version: 'test', routes: [markdown, both] });
    const ok = (path: string) =>
      (doc.paths[path] as { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }).get.responses;
    expect(ok('/note.md')['200']!.content).toEqual({ 'text/markdown': { schema: { type: 'string' } } });
    expect(Object.keys(ok('/both')['200']!.content)).toEqual(['text/html']);
    expect(Object.keys(ok('/both')['202']!.content)).toEqual(['application/json']);
  });
});
