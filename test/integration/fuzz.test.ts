import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { addSource } from '../../src/collection/sources.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/server/app.ts';
import { openApiDocument } from '../../src/server/api.ts';
import { createStatement } from '../../src/statements/create-statement.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 11 item 4: no input gets a 5xx. GENERATED from the app's own routes and the OpenAPI
// document (its query parameters and request bodies): every route gets, in every path parameter, query parameter and top-level body field,
// values that are wrong for that field's schema (wrong types, dates outside 1970–9999, numbers
// beyond int64, NUL and other control characters, lone surrogates, over-long strings and arrays),
// and every body route gets whole-body attacks (invalid UTF-8, 1,000-deep nesting, duplicate keys,
// wrong content types, non-object JSON, a body over the size cap). Each answer must be a 4xx in
// the error envelope; afterwards the process must still answer /healthz and a normal request.
// Requests go in as an admin who has just logged in (session + CSRF), so every handler runs.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A JSON Schema as the document holds it. */
type Schema = Record<string, unknown>;
type Raw = string; // JSON text, so values JSON.stringify cannot write (2^63, deep nesting) can be sent

const s = (v: unknown): Raw => JSON.stringify(v);
const controlStrings = ['a\u0000b', 'bell\u0007', 'esc\u001b[31m', 'del\u007f', 'c1\u0085'].map(s);
// JSON.stringify escapes lone surrogates (\ud800) as text; write the escape by hand.
const loneSurrogate: Raw = '"x\\ud800y"';
const overLong: Raw = s('x'.repeat(200_001));
const badDates = [
  '10000-01-01T00:00:00Z',
  '0000-12-31T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2026-13-45T99:99:99Z',
  'yesterday',
].map(s);
const badIds = ['9223372036854775808', '99999999999999999999', '0', '-1', '1e3', '１２', '12abc'].map(s);
const badNumbers: Raw[] = ['9223372036854775808', '-9223372036854775809', '1e308', '-1e308', '1.5', '"5"', 'true', '{}', '[]'];

/** Values that no field of this schema accepts. */
function hostile(schema: Schema | undefined): Raw[] {
  const sch = (schema ?? {}) as Record<string, unknown>;
  if (Array.isArray(sch.anyOf)) return hostile((sch.anyOf as Schema[]).find((x) => (x as { type?: string }).type !== 'null'));
  if (Array.isArray(sch.enum)) return [s('not-a-value'), '1', '{}', '[]', ...controlStrings.slice(0, 1), loneSurrogate];
  switch (sch.type) {
    case 'string':
      if (sch.format === 'date-time') return [...badDates, '12345', '{}', ...controlStrings.slice(0, 1)];
      if (typeof sch.pattern === 'string' && (sch.pattern as string).includes('0-9'))
        return [...badIds, '12.5', 'true', ...controlStrings.slice(0, 1)];
      return ['123', 'true', '{}', '[]', ...controlStrings, loneSurrogate, overLong];
    case 'integer':
    case 'number':
      return badNumbers;
    case 'boolean':
      return ['"true"', '1', '{}', '[]'];
    case 'array':
      return ['"x"', '1', '{}', `[${controlStrings[0]}]`, `[${Array.from({ length: 20_000 }, () => '"x"').join(',')}]`, '[{"a":{}}]'];
    case 'object':
      return ['"x"', '1', '[]', '{"k\\u0000":1}', '{"a":"b\\u0000"}', `{"a":${'['.repeat(1000)}${']'.repeat(1000)}}`];
    default:
      return ['{"k\\u0000":1}', s('a\u0000')];
  }
}

const pathHostile = ['9223372036854775808', '0', '-5', 'abc', '1%00', '%EF%BC%91', '1.5', 'x'.repeat(300)];
/** Already percent-encoded: %ED%A0%80 and %FF are bytes that are not UTF-8 at all. */
const queryHostile = (schema: Schema | undefined): string[] => {
  const sch = (schema ?? {}) as Record<string, unknown>;
  const enc = (vs: string[]) => vs.map(encodeURIComponent);
  if (sch.format === 'date-time')
    return enc(['10000-01-01T00:00:00Z', '0000-01-01', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', 'soon', '2026-02-30']);
  if (typeof sch.pattern === 'string') return enc(['9223372036854775808', '0', '-1', 'abc', '1e3']);
  if (sch.type === 'integer') return enc(['-1', '1e3', '99999999999999999999', '1.5', 'x']);
  if (Array.isArray(sch.enum)) return [...enc(['not-a-value', '\u0000']), '%FF'];
  return [...enc(['a\u0000b', 'c\u0007', 'x'.repeat(10_000)]), '%ED%A0%80', '%FF'];
};

/** What the document declares for one operation: its query parameters and its JSON body. */
interface Declared {
  query: Record<string, Schema>;
  body?: Schema;
}

/** 'METHOD /api/v1/path/:param' → what the OpenAPI document declares for it. */
function declaredOperations(): Map<string, Declared> {
  type Op = { parameters?: { name: string; in: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } };
  const doc = openApiDocument('fuzz');
  const out = new Map<string, Declared>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    // Paths with servers of their own are outside /api/v1 (/healthz, /ack, /webhooks).
    if ('servers' in methods) continue;
    for (const [method, op] of Object.entries(methods as Record<string, Op>)) {
      const query = Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
      out.set(`${method.toUpperCase()} /api/v1${path.replace(/\{([^}]+)\}/g, ':$1')}`, {
        query,
        body: op.requestBody?.content['application/json']?.schema,
      });
    }
  }
  return out;
}

interface Outcome {
  route: string;
  where: string;
  value: string;
  status: number;
  envelope: boolean;
}

it('every route answers hostile input with a 4xx in the error envelope, never a 5xx, and the process stays healthy', async () => {
  const config = loadConfig({
    HINOKO_DATA_DIR: '/nonexistent-test-dir',
    HINOKO_SCRYPT_LOG_N: '14',
    HINOKO_LOGIN_MAX_FAILURES_PER_IP: '100000',
    HINOKO_LOGIN_MAX_FAILURES: '1000',
  });
  const ctx = testContext(db, { config });
  const app = createApp(ctx);
  const { org, target } = await makeOrg(ctx);
  const email = `${unique('fuzz')}@clinic.example.jp`;
  const password = '雨の日は図書館で静かに本を読む';
  const { user } = await createUser(ctx, org.id, { name: '検査 太郎', email, role: 'admin', password }, systemActor);
  const source = await addSource(ctx, { orgId: org.id, type: 'demo', name: 'demo', config: {} });
  const peer = { incoming: { socket: { remoteAddress: '192.0.2.44', remotePort: 1, remoteFamily: 'IPv4' } } };
  const loginRes = await app.request(
    '/api/v1/auth/login',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) },
    peer,
  );
  const { csrfToken } = await loginRes.json();
  const auth = { cookie: (loginRes.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': csrfToken as string };

  // Real objects behind the path ids, so handlers get past their lookups to the bodies.
  const [incident] = await ctx.sql<{ id: string }[]>`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at)
    values (${org.id}, '検査用の事案', 'active', 3, 0, now() - interval '1 hour') returning id`;
  const statement = await createStatement(ctx, org.id, incident!.id, { kind: 'holding' }, { type: 'user', id: user.id });
  const real: Record<string, string> = {
    orgId: org.id,
    userId: user.id,
    sourceId: source.id,
    watchTargetId: target.id,
    incidentId: incident!.id,
    statementId: statement.id,
  };
  const byKey = declaredOperations();
  const routes = [
    ...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)),
  ].sort();
  // Logging out would end the session the fuzzer stands on; its body is empty anyway.
  const fuzzed = routes.filter((k) => k !== 'POST /api/v1/auth/logout');

  const outcomes: Outcome[] = [];
  let fields = 0;
  async function send(
    route: string,
    where: string,
    value: string,
    url: string,
    init: { method: string; body?: RequestInit['body']; type?: string },
  ) {
    const headers: Record<string, string> = { ...auth };
    if (init.type !== undefined) headers['content-type'] = init.type;
    const res = await app.request(url, { method: init.method, headers, body: init.body }, peer);
    let envelope: boolean;
    try {
      const body = await res.json();
      envelope = typeof body?.error?.code === 'string' && typeof body?.error?.message === 'string';
    } catch {
      envelope = false;
    }
    outcomes.push({ route, where, value: value.slice(0, 60), status: res.status, envelope });
  }
  const urlOf = (path: string, params: Record<string, string> = {}) =>
    path.replace(/:([A-Za-z]\w*)/g, (_, name: string) => params[name] ?? real[name] ?? '999999999');

  for (const route of fuzzed) {
    const [method, path] = route.split(' ') as [string, string];
    const op = byKey.get(route);
    // Path parameters.
    for (const name of [...path.matchAll(/:([A-Za-z]\w*)/g)].map((m) => m[1]!)) {
      fields++;
      for (const v of pathHostile)
        await send(route, `path ${name}`, v, urlOf(path, { [name]: v }), {
          method,
          body: method === 'GET' ? undefined : '{}',
          type: method === 'GET' ? undefined : 'application/json',
        });
    }
    // Query parameters: hostile values, a repeated parameter, an unknown one.
    for (const [name, schema] of Object.entries(op?.query ?? {})) {
      fields++;
      for (const v of queryHostile(schema)) await send(route, `query ${name}`, v, `${urlOf(path)}?${name}=${v}`, { method });
      await send(route, `query ${name}`, 'repeated', `${urlOf(path)}?${name}=1&${name}=2`, { method });
    }
    if (op?.query?.cursor) {
      for (const cursor of ['2026-11-25T00:00:00Z|9223372036854775808', '10000-01-01T00:00:00Z|5', 'x|1', '|']) {
        await send(route, 'query cursor', cursor, `${urlOf(path)}?cursor=${Buffer.from(cursor).toString('base64url')}`, { method });
      }
    }
    if (method === 'GET') {
      await send(route, 'query', 'unknown parameter', `${urlOf(path)}?zzz\u0000=1`, { method });
      continue;
    }
    // Body fields, one at a time, each with values its schema refuses.
    const props = (op?.body as { properties?: Record<string, Schema> } | undefined)?.properties ?? {};
    for (const [name, schema] of Object.entries(props)) {
      fields++;
      for (const raw of hostile(schema))
        await send(route, `body ${name}`, raw, urlOf(path), { method, body: `{${s(name)}:${raw}}`, type: 'application/json' });
    }
    // The body as a whole.
    const whole: [string, RequestInit['body'], string][] = [
      ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json'],
      ['1000-deep nesting', `{"a":${'['.repeat(1000)}${']'.repeat(1000)}}`, 'application/json'],
      ['duplicate keys', '{"name":"a","name":"b","note":"x","note":"y"}', 'application/json'],
      ['NUL in a key', '{"\\u0000":1}', 'application/json'],
      ['text/plain', '{}', 'text/plain'],
      ['form', 'a=1', 'application/x-www-form-urlencoded'],
      ['null', 'null', 'application/json'],
      ['array', '[]', 'application/json'],
      ['string', '"x"', 'application/json'],
      ['broken JSON', '{"a":', 'application/json'],
      ['over the size cap', `{"a":"${'x'.repeat(1_100_000)}"}`, 'application/json'],
    ];
    for (const [what, body, type] of whole) await send(route, 'body', what, urlOf(path), { method, body, type });
  }

  const server = outcomes.filter((o) => o.status >= 500);
  const accepted = outcomes.filter((o) => o.status < 400);
  const noEnvelope = outcomes.filter((o) => o.status >= 400 && !o.envelope);
  console.log(
    `[fuzz] ${fuzzed.length} routes × ${fields} fields (path, query, body) → ${outcomes.length} hostile requests: ` +
      `${server.length} × 5xx, ${outcomes.length - server.length - accepted.length} × 4xx, ${accepted.length} accepted, ${noEnvelope.length} without the envelope`,
  );
  if (server.length + accepted.length > 0) console.log(JSON.stringify([...server, ...accepted], null, 0));
  expect(server).toEqual([]);
  expect(accepted).toEqual([]);
  expect(noEnvelope).toEqual([]);

  // Still healthy, and still serving the session it was fuzzed with.
  expect((await app.request('/healthz')).status).toBe(200);
  expect((await app.request('/api/v1/auth/me', { headers: auth }, peer)).status).toBe(200);
  expect((await app.request(`/api/v1/organizations/${org.id}/sources`, { headers: auth }, peer)).status).toBe(200);
}, 300_000);
