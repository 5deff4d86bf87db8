import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { authHeaders, testToken } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 11 item 6: a manage-scoped token could reset a password (and so get a session), tokens
// outlived password changes and disabling, reports were open to every role, and creating a user
// told an admin whether an e-mail existed in another organisation.

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-11-25T00:00:00Z');
const password = '雨の日は図書館で静かに本を読む';

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ HINOKO_DATA_DIR: '/nonexistent-test-dir', HINOKO_SCRYPT_LOG_N: '14', HINOKO_RECENT_LOGIN: '15m' });
  ctx = testContext(db, { config, now: () => now });
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

const peer = { incoming: { socket: { remoteAddress: '192.0.2.9', remotePort: 1, remoteFamily: 'IPv4' } } };

function call(path: string, opts: { body?: unknown; method?: string; headers?: Record<string, string> } = {}) {
  return app.request(
    path,
    {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    },
    peer,
  );
}

async function user(
  orgId: string,
  role: 'pr_staff' | 'director' | 'admin' = 'pr_staff',
  email = `${unique('u')}@clinic.example.jp`,
  pw = password,
) {
  const { user: u } = await createUser(ctx, orgId, { name: 'テスト 利用者', email, role, password: pw }, systemActor);
  return { ...u, email };
}

async function session(email: string, pw = password, organization?: string) {
  const res = await call('/api/v1/auth/login', { body: { email, password: pw, ...(organization ? { organization } : {}) } });
  const body = await res.json();
  return {
    status: res.status,
    body,
    headers: { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': body.csrfToken as string },
  };
}

describe('credentials are handed out only to someone who just logged in', () => {
  it("a token, even an admin's with every scope, may neither create a user nor set a password", async () => {
    const { org } = await makeOrg(ctx);
    const victim = await user(org.id);
    const token = await authHeaders(ctx, { orgId: org.id, role: 'admin' });
    const create = await call(`/api/v1/organizations/${org.id}/users`, {
      body: { name: '侵入 者', email: `${unique('x')}@evil.example`, role: 'admin', password: 'a-long-enough-password-2026' },
      headers: token,
    });
    expect(create.status).toBe(403);
    expect((await create.json()).error).toMatchObject({ code: 'reauth_required', message: expect.stringContaining('interactive login') });
    const reset = await call(`/api/v1/organizations/${org.id}/users/${victim.id}/password`, {
      body: { newPassword: 'attacker-chosen-password-99' },
      headers: token,
    });
    expect(reset.status).toBe(403);
    expect((await session(victim.email)).status).toBe(200);
  });

  it('a session whose login is older than HINOKO_RECENT_LOGIN must log in again first', async () => {
    const { org } = await makeOrg(ctx);
    const admin = await user(org.id, 'admin');
    const target = await user(org.id);
    const s = await session(admin.email);
    now = new Date(now.getTime() + 16 * 60_000);
    // Still a live session (idle limit 2 h) for everything else…
    expect((await call('/api/v1/auth/me', { headers: s.headers })).status).toBe(200);
    // …but not for handing out a password.
    const stale = await call(`/api/v1/organizations/${org.id}/users/${target.id}/password`, { body: {}, headers: s.headers });
    expect(stale.status).toBe(403);
    const fresh = await session(admin.email);
    const ok = await call(`/api/v1/organizations/${org.id}/users/${target.id}/password`, { body: {}, headers: fresh.headers });
    expect(ok.status).toBe(200);
  });
});

describe('tokens end with the password and with the account', () => {
  async function tokenWorks(orgId: string, token: string) {
    return (await call(`/api/v1/organizations/${orgId}/incidents`, { headers: { authorization: `Bearer ${token}` } })).status === 200;
  }

  it("an admin reset, the user's own change and disabling revoke every token; re-enabling brings none back", async () => {
    const { org } = await makeOrg(ctx);
    const admin = await user(org.id, 'admin');
    const u = await user(org.id, 'director');
    const a = await session(admin.email);

    const t1 = (await testToken(ctx, { orgId: org.id, role: 'director' })).token;
    // testToken reuses one test user per role; mint one for `u` through the API instead.
    const mine = await session(u.email);
    const mint = async () =>
      (
        await (
          await call(`/api/v1/organizations/${org.id}/users/${u.id}/tokens`, {
            body: { label: 'script', scopes: ['read'] },
            headers: mine.headers,
          })
        ).json()
      ).token as string;
    const before = await mint();
    expect(await tokenWorks(org.id, before)).toBe(true);
    expect(await tokenWorks(org.id, t1)).toBe(true);

    expect((await call(`/api/v1/organizations/${org.id}/users/${u.id}/password`, { body: {}, headers: a.headers })).status).toBe(200);
    expect(await tokenWorks(org.id, before)).toBe(false);

    const newPassword = '窓の外で猫が二匹ひなたぼっこをしている';
    await call(`/api/v1/organizations/${org.id}/users/${u.id}/password`, { body: { newPassword: 'x'.repeat(2) }, headers: a.headers });
    const relog = await call(`/api/v1/organizations/${org.id}/users/${u.id}/password`, { body: { newPassword }, headers: a.headers });
    expect(relog.status).toBe(200);
    const s2 = await session(u.email, newPassword);
    const mine2 = { ...s2 };
    const second = (
      await (
        await call(`/api/v1/organizations/${org.id}/users/${u.id}/tokens`, {
          body: { label: 'script', scopes: ['read'] },
          headers: mine2.headers,
        })
      ).json()
    ).token as string;
    const own = await call(`/api/v1/organizations/${org.id}/users/${u.id}/password`, {
      body: { currentPassword: newPassword, newPassword: `${newPassword}と犬` },
      headers: mine2.headers,
    });
    expect(own.status).toBe(200);
    expect(await tokenWorks(org.id, second)).toBe(false);
    // The session that changed the password stays.
    expect((await call('/api/v1/auth/me', { headers: mine2.headers })).status).toBe(200);

    const third = (
      await (
        await call(`/api/v1/organizations/${org.id}/users/${u.id}/tokens`, {
          body: { label: 'script', scopes: ['read'] },
          headers: mine2.headers,
        })
      ).json()
    ).token as string;
    expect(await tokenWorks(org.id, third)).toBe(true);
    await call(`/api/v1/organizations/${org.id}/users/${u.id}`, { method: 'PATCH', body: { disabled: true }, headers: a.headers });
    await call(`/api/v1/organizations/${org.id}/users/${u.id}`, { method: 'PATCH', body: { disabled: false }, headers: a.headers });
    expect(await tokenWorks(org.id, third)).toBe(false);
    const audit = await ctx.sql<{ action: string; after: { revokedTokens?: number } }[]>`
      select action, after from audit_log where org_id = ${org.id} and target_id = ${u.id} and action in ('user.password_reset', 'user.password_change', 'user.disable') order by seq`;
    expect(audit.map((r) => [r.action, r.after.revokedTokens ?? 0])).toEqual([
      ['user.password_reset', 1],
      ['user.password_reset', 0],
      ['user.password_change', 1],
      ['user.disable', 1],
    ]);
  });
});

describe('authorisation gaps', () => {
  it('incident reports are behind reports.read: directors and admins, not PR staff or on-call managers', async () => {
    const { org } = await makeOrg(ctx);
    for (const [role, status] of [
      ['pr_staff', 403],
      ['oncall_manager', 403],
      ['director', 200],
      ['admin', 200],
    ] as const) {
      for (const path of ['reports/incidents', 'reports/incidents.html']) {
        const res = await call(`/api/v1/organizations/${org.id}/${path}`, { headers: await authHeaders(ctx, { orgId: org.id, role }) });
        expect(res.status, `${role} ${path}`).toBe(status);
      }
    }
  });

  it('creating a user answers the same whether or not the e-mail exists in another organisation', async () => {
    const a = await makeOrg(ctx);
    const b = await makeOrg(ctx);
    const shared = `${unique('same')}@clinic.example.jp`;
    await user(a.org.id, 'pr_staff', shared, password);
    const adminB = await session((await user(b.org.id, 'admin')).email);
    const body = (email: string) => ({ name: '同名 さん', email, role: 'pr_staff', password: 'another-long-password-for-b' });
    const existsElsewhere = await call(`/api/v1/organizations/${b.org.id}/users`, { body: body(shared), headers: adminB.headers });
    const nowhere = await call(`/api/v1/organizations/${b.org.id}/users`, {
      body: body(`${unique('new')}@clinic.example.jp`),
      headers: adminB.headers,
    });
    expect(existsElsewhere.status).toBe(201);
    expect(nowhere.status).toBe(201);
    expect(Object.keys(await existsElsewhere.json()).sort()).toEqual(Object.keys(await nowhere.json()).sort());
    // Within one organisation a duplicate is still a conflict, as the admin would expect.
    expect(
      (await call(`/api/v1/organizations/${b.org.id}/users`, { body: body(shared.toUpperCase()), headers: adminB.headers })).status,
    ).toBe(409);
    // Each person logs into their own organisation with their own password.
    expect((await session(shared, password)).body.user.orgId).toBe(a.org.id);
    expect((await session(shared, 'another-long-password-for-b')).body.user.orgId).toBe(b.org.id);
  });

  it('one person with the same password in two organisations is asked which', async () => {
    const a = await makeOrg(ctx);
    const b = await makeOrg(ctx);
    const email = `${unique('two')}@clinic.example.jp`;
    await user(a.org.id, 'pr_staff', email);
    await user(b.org.id, 'pr_staff', email);
    const ambiguous = await session(email);
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.message).toContain('organization');
    const slug = (await ctx.sql<{ slug: string }[]>`select slug from organizations where id = ${b.org.id}`)[0]!.slug;
    const chosen = await session(email, password, slug);
    expect(chosen.status).toBe(200);
    expect(chosen.body.user.orgId).toBe(b.org.id);
  });
});
