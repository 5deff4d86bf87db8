import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSource } from '../../src/collection/run-source.ts';
import { sealEnvCredentials } from '../../src/collection/seal-env-credentials.ts';
import { addSource, getSource } from '../../src/collection/sources.ts';
import { loadConfig } from '../../src/config.ts';
import type { AppContext } from '../../src/context.ts';
import { createApp } from '../../src/server/app.ts';
import { MastodonFake } from '../fakes/mastodon-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';

// Issue 11 item 1 and 2, as the attacker of the report tried them: an organisation's admin naming
// another tenant's environment variable, pointing a source at the inside, and reading back what
// the run said. The service here runs as an operator would by default: no environment names
// allowed, no platform URL overrides, no internal addresses.

let db: TestDatabase;
let listener: { url: string; hits: { path: string; authorization?: string }[]; close(): Promise<void> };
const env = process.env;

beforeAll(async () => {
  db = await createTestDatabase();
  const hits: { path: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', authorization: req.headers.authorization });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  listener = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
});
afterAll(async () => {
  await listener.close();
  await db.drop();
});

function strictContext(extra: Record<string, string> = {}): AppContext {
  return testContext(db, { config: loadConfig({ HINOKO_DATA_DIR: '/nonexistent-test-dir', ...extra }) });
}

async function post(ctx: AppContext, orgId: string, body: unknown): Promise<Response> {
  return createApp(ctx).request(`/api/v1/organizations/${orgId}/sources`, {
    method: 'POST',
    headers: { ...(await authHeaders(ctx, { orgId })), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function patch(ctx: AppContext, orgId: string, sourceId: string, body: unknown): Promise<Response> {
  return createApp(ctx).request(`/api/v1/organizations/${orgId}/sources/${sourceId}`, {
    method: 'PATCH',
    headers: { ...(await authHeaders(ctx, { orgId })), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('credentials per organisation', () => {
  it("refuses the reported theft: another tenant's variable, PATH, or any server variable, named in a config", async () => {
    const ctx = strictContext();
    const { org } = await makeOrg(ctx);
    env.LINE_SECRET_T = 'victim-line-channel-secret';
    try {
      for (const name of ['LINE_SECRET_T', 'PATH', 'DATABASE_URL', 'HINOKO_SECRET']) {
        const res = await post(ctx, org.id, {
          type: 'mastodon',
          name: 'm',
          config: { baseUrl: listener.url, hashtags: ['x'], accessTokenEnv: name },
        });
        expect(res.status, name).toBe(400);
        const body = await res.json();
        expect(body.error.message).toContain('accessTokenEnv');
        expect(body.error.message).toContain('credentials.accessToken');
      }
      expect((await ctx.sql`select count(*)::int as n from sources where org_id = ${org.id}`)[0]!.n).toBe(0);
    } finally {
      delete env.LINE_SECRET_T;
    }
    expect(listener.hits).toHaveLength(0);
  });

  it('stores credentials sealed and write-only: never in an answer, the audit log or the database in clear', async () => {
    const ctx = strictContext();
    const { org } = await makeOrg(ctx);
    const token = `AAAA-bearer-${unique('t')}`;
    const res = await post(ctx, org.id, { type: 'x', name: 'X', config: {}, credentials: { bearerToken: token } });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.credentials).toEqual([{ name: 'bearerToken', label: expect.any(String), required: true, set: true, via: 'stored' }]);
    const read = await (
      await createApp(ctx).request(`/api/v1/organizations/${org.id}/sources/${created.id}`, {
        headers: await authHeaders(ctx, { orgId: org.id }),
      })
    ).text();
    const list = await (
      await createApp(ctx).request(`/api/v1/organizations/${org.id}/sources`, { headers: await authHeaders(ctx, { orgId: org.id }) })
    ).text();
    for (const text of [JSON.stringify(created), read, list]) expect(text).not.toContain(token);
    const audit = await ctx.sql`select before::text as b, after::text as a from audit_log where org_id = ${org.id}`;
    expect(audit.length).toBeGreaterThan(0);
    for (const row of audit) expect(`${row.b}${row.a}`).not.toContain(token);
    const stored = one(await ctx.sql<{ sealed: Buffer }[]>`select sealed from source_credentials where source_id = ${created.id}`);
    expect(Buffer.from(stored.sealed).includes(Buffer.from(token))).toBe(false);
    expect((await ctx.sql`select config::text as c from sources where id = ${created.id}`)[0]!.c).not.toContain(token);

    // Cleared with null; unknown slots, control characters and non-strings are refused whole.
    const cleared = await (await patch(ctx, org.id, created.id, { credentials: { bearerToken: null } })).json();
    expect(cleared.credentials[0]).toMatchObject({ name: 'bearerToken', set: false, via: null });
    for (const bad of [{ apiKey: 'x' }, { bearerToken: 'a\r\nX-Injected: 1' }, { bearerToken: 42 }, { bearerToken: '' }, ['x']]) {
      const r = await patch(ctx, org.id, created.id, { credentials: bad, enabled: false });
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    // Nothing was half-written: the refused PATCHes did not disable the source either.
    expect((await getSource(ctx, created.id)).enabled).toBe(true);
  });

  it("keeps platform API URLs the platform's unless the operator allows overrides", async () => {
    const ctx = strictContext();
    const { org } = await makeOrg(ctx);
    for (const body of [
      { type: 'x', name: 'x', config: { baseUrl: listener.url } },
      { type: 'youtube', name: 'y', config: { baseUrl: listener.url, channelIds: ['UC1234567890123456789012'] } },
      { type: 'google_reviews', name: 'g', config: { locations: ['accounts/1/locations/2'], oauth: { tokenUrl: listener.url } } },
    ]) {
      const res = await post(ctx, org.id, body);
      expect(res.status, body.type).toBe(400);
      expect((await res.json()).error.message).toMatch(/baseUrl|tokenUrl/);
    }
    const open = strictContext({ HINOKO_SOURCE_URL_OVERRIDES: 'x' });
    expect((await post(open, org.id, { type: 'x', name: 'x', config: { baseUrl: listener.url } })).status).toBe(201);
  });

  it('lets a source read only the environment names the operator allowed for its own organisation', async () => {
    const ctx = strictContext({ HINOKO_SOURCE_CREDENTIAL_ENV: 'HINOKO_ORG_{org}_*' });
    const a = await makeOrg(ctx);
    const b = await makeOrg(ctx);
    env[`HINOKO_ORG_${a.org.id}_X`] = 'org-a-token';
    try {
      const own = await post(ctx, a.org.id, { type: 'x', name: 'x', config: { bearerTokenEnv: `HINOKO_ORG_${a.org.id}_X` } });
      expect(own.status).toBe(201);
      expect((await own.json()).credentials[0]).toMatchObject({ set: true, via: 'environment' });
      const theft = await post(ctx, b.org.id, { type: 'x', name: 'x', config: { bearerTokenEnv: `HINOKO_ORG_${a.org.id}_X` } });
      expect(theft.status).toBe(400);
    } finally {
      delete env[`HINOKO_ORG_${a.org.id}_X`];
    }
  });

  it('clears a stored token when the source is pointed elsewhere, unless the same request enters it again', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const one1 = await new MastodonFake().start();
    const two = await new MastodonFake().start();
    try {
      const created = await (
        await post(ctx, org.id, {
          type: 'mastodon',
          name: 'm',
          config: { baseUrl: one1.baseUrl, hashtags: ['x'] },
          credentials: { accessToken: 'tok-one' },
        })
      ).json();
      expect(created.credentials[0].set).toBe(true);
      const moved = await (await patch(ctx, org.id, created.id, { config: { baseUrl: two.baseUrl, hashtags: ['x'] } })).json();
      expect(moved.credentials[0].set).toBe(false);
      const audit = one(
        await ctx.sql`select after from audit_log where org_id = ${org.id} and action = 'source.configure' order by seq desc limit 1`,
      );
      expect(audit.after).toMatchObject({ credentialsCleared: ['accessToken'] });
      const reentered = await (
        await patch(ctx, org.id, created.id, {
          config: { baseUrl: one1.baseUrl, hashtags: ['x'] },
          credentials: { accessToken: 'tok-again' },
        })
      ).json();
      expect(reentered.credentials[0].set).toBe(true);
      // Same destination, other settings: the token stays.
      const same = await (await patch(ctx, org.id, created.id, { config: { baseUrl: one1.baseUrl, hashtags: ['y'] } })).json();
      expect(same.credentials[0].set).toBe(true);
    } finally {
      await one1.close();
      await two.close();
    }
  });

  it('a sealed credential copied to another source does not open there, and nothing is sent', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const other = await makeOrg(ctx);
    const fake = await new MastodonFake().start();
    try {
      fake.requiredToken = 'tok-victim';
      const victim = await addSource(ctx, {
        orgId: org.id,
        type: 'mastodon',
        name: 'v',
        config: { baseUrl: fake.baseUrl, hashtags: ['x'] },
        credentials: { accessToken: 'tok-victim' },
      });
      const thief = await addSource(ctx, {
        orgId: other.org.id,
        type: 'mastodon',
        name: 't',
        config: { baseUrl: fake.baseUrl, hashtags: ['x'] },
      });
      await ctx.sql`
        insert into source_credentials (org_id, source_id, name, sealed, key_id)
        select ${other.org.id}, ${thief.id}, name, sealed, key_id from source_credentials where source_id = ${victim.id}`;
      const outcome = await runSource(ctx, { sourceId: thief.id, trigger: 'manual' });
      expect(outcome).toMatchObject({ status: 'failed' });
      expect((outcome as { error: string }).error).toContain('does not authenticate');
      expect(fake.http.requests).toHaveLength(0);
      expect(await runSource(ctx, { sourceId: victim.id, trigger: 'manual' })).toMatchObject({ status: 'succeeded' });
    } finally {
      await fake.close();
    }
  });
});

describe('outbound requests cannot reach inside', () => {
  it('a Mastodon "instance" or RSS feed on an internal address is refused before any request, with the same words every time', async () => {
    const ctx = strictContext();
    const { org } = await makeOrg(ctx);
    const urls = [
      `${listener.url}/healthz`,
      'http://127.0.0.1:5432/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:8787/',
      'http://localhost:5432/',
    ];
    const errors = new Set<string>();
    for (const url of urls) {
      const src = await addSource(ctx, { orgId: org.id, type: 'rss', name: unique('rss'), config: { feeds: [url] } });
      const outcome = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
      expect(outcome.status, url).toBe('failed');
      errors.add((outcome as { error: string }).error.replaceAll(url, '<url>'));
      const row = one(await ctx.sql`select health_message from sources where id = ${src.id}`);
      expect(row.health_message).not.toMatch(/ECONNREFUSED|EHOSTUNREACH|socket|5432.*refused/i);
    }
    const mastodon = await addSource(ctx, {
      orgId: org.id,
      type: 'mastodon',
      name: 'm',
      config: { baseUrl: listener.url, hashtags: ['x'] },
      credentials: { accessToken: 'stolen?' },
    });
    const outcome = await runSource(ctx, { sourceId: mastodon.id, trigger: 'manual' });
    expect(outcome.status).toBe('failed');
    errors.add((outcome as { error: string }).error);
    expect(listener.hits).toHaveLength(0);
    // Every refusal reads the same (feeds name their URL, which the admin typed anyway).
    expect([...errors].every((e) => e.includes('接続先が許可されていません'))).toBe(true);
  });

  it('an address the operator allows is reachable (self-hosted fakes, tests)', async () => {
    const ctx = strictContext({ HINOKO_OUTBOUND_ALLOW: '127.0.0.1' });
    const { org } = await makeOrg(ctx);
    const src = await addSource(ctx, { orgId: org.id, type: 'rss', name: 'rss', config: { feeds: [`${listener.url}/feed.xml`] } });
    await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
    expect(listener.hits.map((h) => h.path)).toContain('/feed.xml');
    listener.hits.length = 0;
  });
});

describe('credentials named by environment variable before issue 11', () => {
  it("move into each source's sealed store at boot, except a variable several organisations name", async () => {
    const ctx = testContext(db);
    const a = await makeOrg(ctx);
    const b = await makeOrg(ctx);
    const fake = await new MastodonFake().start();
    const own = `HINOKO_TEST_OWN_${unique('e').slice(2).toUpperCase()}`;
    const shared = `HINOKO_TEST_SHARED_${unique('e').slice(2).toUpperCase()}`;
    env[own] = 'tok-own';
    env[shared] = 'tok-shared';
    try {
      fake.requiredToken = 'tok-own';
      // Rows as the old code saved them (addSource now refuses such names).
      const insert = async (orgId: string, tokenEnv: string) =>
        one(
          await ctx.sql<{ id: string }[]>`
        insert into sources (org_id, type, name, config, schedule)
        values (${orgId}, 'mastodon', 'legacy', ${ctx.sql.json({ baseUrl: fake.baseUrl, hashtags: ['x'], accessTokenEnv: tokenEnv })}, '*/5 * * * *')
        returning id`,
        ).id;
      const legacy = await insert(a.org.id, own);
      const sharedA = await insert(a.org.id, shared);
      const sharedB = await insert(b.org.id, shared);
      const report = await sealEnvCredentials(ctx);
      expect(report.sealed).toEqual([{ orgId: a.org.id, sourceId: legacy, slots: ['accessToken'] }]);
      expect(report.ambiguous).toEqual([
        {
          name: shared,
          sources: [
            { orgId: a.org.id, sourceId: sharedA },
            { orgId: b.org.id, sourceId: sharedB },
          ],
        },
      ]);
      const moved = await getSource(ctx, legacy);
      expect(moved.config).not.toHaveProperty('accessTokenEnv');
      expect(moved.credentials[0]).toMatchObject({ set: true, via: 'stored' });
      delete env[own];
      expect(await runSource(ctx, { sourceId: legacy, trigger: 'manual' })).toMatchObject({ status: 'succeeded' });
      expect((await getSource(ctx, sharedB)).config).toHaveProperty('accessTokenEnv', shared);
      expect(
        one(await ctx.sql`select count(*)::int as n from audit_log where action = 'source.credentials_sealed' and target_id = ${legacy}`).n,
      ).toBe(1);
      // A second boot (or a second instance) finds nothing left to move.
      expect((await sealEnvCredentials(ctx)).sealed).toEqual([]);
    } finally {
      delete env[own];
      delete env[shared];
      await fake.close();
    }
  });
});
