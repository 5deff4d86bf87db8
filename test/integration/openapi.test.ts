import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { openApiDocument } from '../../src/server/api.ts';
import { openapiPath } from '../../src/server/openapi.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext, unique } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { schemaErrors } from '../support/json-schema.ts';

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
const doc = openApiDocument('test');
type Op = {
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  operationId: string;
};
/** The /api/v1 operations (a path with servers of its own is outside /api/v1: /healthz, /metrics, /ack, /webhooks). */
const apiPaths = () => Object.entries(doc.paths).filter(([, item]) => !('servers' in item));
const ops = () => apiPaths().flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Op })));

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

describe('the OpenAPI document', () => {
  it('documents every /api/v1 route the app registers, and nothing the app does not serve', () => {
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/'))
        .map((r) => `${r.method.toLowerCase()} ${openapiPath(r.path.slice('/api/v1'.length))}`),
    );
    const documented = new Set(ops().map((o) => `${o.method} ${o.path}`));
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  it('is well formed: unique operation ids, declared path parameters, resolvable references', () => {
    const ids = ops().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of ops()) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      expect(declared, path).toEqual(inPath);
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('2')),
        path,
      ).toBe(true);
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(doc.components.schemas, r).toHaveProperty(r);
  });

  it('documents the routes outside /api/v1 that other systems call, each with the service root as its server', () => {
    const outside = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && /^\/(healthz|metrics|ack|webhooks)\b/.test(r.path))
        .map((r) => `${r.method.toLowerCase()} ${openapiPath(r.path)}`),
    );
    const documented = Object.entries(doc.paths)
      .filter(([, item]) => 'servers' in item)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
          .map((m) => `${m} ${path}`),
      );
    expect(documented.sort()).toEqual([...outside].sort());
    expect(documented.sort()).toEqual([
      'get /ack/{token}',
      'get /healthz',
      'get /metrics',
      'get /webhooks/{sourceId}',
      'post /ack/{token}',
      'post /webhooks/{sourceId}',
    ]);
    const served = openApiDocument('test', 'https://hinoko.example.jp');
    expect((served.paths['/healthz'] as { servers: { url: string }[] }).servers[0]!.url).toBe('https://hinoko.example.jp');
  });

  it('is served at /api/v1/openapi.json without credentials', async () => {
    const res = await app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const served = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(served.openapi).toBe('3.1.0');
    expect(Object.keys(served.paths)).toEqual(Object.keys(doc.paths));
  });
});

describe('real responses match the document', () => {
  it('every GET under an organization answers in the documented shape', async () => {
    const { org, target } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [mentionFixture(1, { text: 'テスト内科 受付の対応がひどい' }), mentionFixture(2)],
    });
    const mention = one(await ctx.sql<{ id: string }[]>`select id from mentions where org_id = ${org.id} limit 1`);
    const alert = one(
      await ctx.sql<{ id: string }[]>`
      insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${org.id}, ${target.id}, ${unique('ep')}, 'crisis', 'open', 4, 0.9, now(), now(), '炎上の疑い', ${ctx.sql.json({ riskCategories: [] })})
      returning id`,
    );
    const promoted = await app.request(`/api/v1/organizations/${org.id}/alerts/${alert.id}/incident`, {
      method: 'POST',
      headers: await authHeaders(ctx, { orgId: org.id, role: 'admin' }),
    });
    expect(promoted.status).toBe(201);
    const incident = (await promoted.json()) as { id: string };
    // Resolved, so it has a post-mortem draft to answer GET …/postmortem with.
    for (const to of ['active', 'resolved']) {
      const moved = await app.request(`/api/v1/organizations/${org.id}/incidents/${incident.id}/transitions`, {
        method: 'POST',
        headers: { ...(await authHeaders(ctx, { orgId: org.id, role: 'admin' })), 'content-type': 'application/json' },
        body: JSON.stringify({ to, ...(to === 'resolved' ? { reason: 'スキーマ確認のため' } : {}) }),
      });
      expect(moved.status).toBe(200);
    }
    const ids: Record<string, string> = {
      orgId: org.id,
      sourceId: src.id,
      mentionId: mention.id,
      alertId: alert.id,
      incidentId: incident.id,
    };
    const headers = await authHeaders(ctx, { orgId: org.id, role: 'admin' });
    let checked = 0;
    for (const { path, method, op } of ops()) {
      if (method !== 'get' || !path.startsWith('/organizations/{orgId}')) continue;
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      if (!names.every((n) => ids[n])) continue;
      const url = `/api/v1${path.replace(/\{([^}]+)\}/g, (_, n: string) => ids[n]!)}`;
      const res = await app.request(url, { headers });
      const ok = Object.entries(op.responses).find(([s]) => s.startsWith('2'))!;
      expect(`${res.status} ${url}`).toBe(`${ok[0]} ${url}`);
      const schema = ok[1].content?.['application/json']?.schema;
      if (!schema) continue;
      expect(schemaErrors(await res.json(), schema, doc), url).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});
