import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/record.ts';
import { ensureBootstrapAdmin } from '../../src/auth/bootstrap-admin.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/server/app.ts';
import { defaultIngestLimits } from '../../src/ingest/normalise.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { logger } from '../../src/logger.ts';
import { makeOrg, makeSource, mentionFixture, testContext, unique, stubAnalyzer } from '../factories/index.ts';
import { authHeaders, testToken } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-11-25T00:00:00Z');
const password = '雨の日は図書館で静かに本を読む';

beforeAll(async () => {
  db = await createTestDatabase();
  // Cheaper scrypt (2^14) keeps the many logins here fast; the parameters travel with each hash.
  const config = loadConfig({ HINOKO_DATA_DIR: '/nonexistent-test-dir', HINOKO_SCRYPT_LOG_N: '14', HINOKO_LOGIN_MAX_FAILURES_PER_IP: '8' });
  ctx = testContext(db, { config, now: () => now });
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

interface Req {
  method?: string;
  body?: unknown;
  cookie?: string;
  csrf?: string;
  ip?: string;
  origin?: string;
  token?: string;
}

/** A request as a browser or client would send it; `ip` becomes the peer address the server sees. */
function req(path: string, r: Req = {}) {
  const headers: Record<string, string> = {};
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  if (r.cookie) headers.cookie = r.cookie;
  if (r.csrf) headers['x-csrf-token'] = r.csrf;
  if (r.origin) headers.origin = r.origin;
  if (r.token) headers.authorization = `Bearer ${r.token}`;
  return app.request(
    path,
    {
      method: r.method ?? (r.body === undefined ? 'GET' : 'POST'),
      headers,
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
    },
    { incoming: { socket: { remoteAddress: r.ip ?? '192.0.2.1', remotePort: 1, remoteFamily: 'IPv4' } } },
  );
}

async function makeUser(orgId: string, role: 'pr_staff' | 'oncall_manager' | 'director' | 'admin' = 'pr_staff') {
  const email = `${unique('u')}@clinic.example.jp`;
  const { user } = await createUser(ctx, orgId, { name: 'テスト 利用者', email, role, password }, systemActor);
  return { ...user, email };
}

async function login(email: string, pw = password, ip = '192.0.2.1') {
  const res = await req('/api/v1/auth/login', { body: { email, password: pw }, ip });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const body = await res.json();
  return { res, cookie, csrf: body.csrfToken as string, body };
}

const auditActions = async (orgId: string | null) =>
  (await ctx.sql<{ action: string }[]>`select action from audit_log where chain = ${orgId ?? 'platform'} order by seq`).map(
    (r) => r.action,
  );

describe('password login', () => {
  it('sets an HttpOnly SameSite session cookie and returns the CSRF token; wrong passwords and unknown e-mails get one answer', async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id);
    const wrong = await req('/api/v1/auth/login', { body: { email: u.email, password: 'not-the-password-at-all' }, ip: '192.0.2.10' });
    const unknown = await req('/api/v1/auth/login', { body: { email: 'nobody@clinic.example.jp', password }, ip: '192.0.2.10' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a.error.message).toBe(b.error.message);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const ok = await login(u.email.toUpperCase().replace('@CLINIC.EXAMPLE.JP', '@clinic.example.jp'), password, '192.0.2.10');
    expect(ok.res.status, JSON.stringify(ok.body)).toBe(200);
    const setCookie = ok.res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^hinoko_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(ok.body.user).toMatchObject({ id: u.id, role: 'pr_staff', hasPassword: true });
    expect(ok.body.user).not.toHaveProperty('password_hash');
    expect(ok.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await (await req('/api/v1/auth/me', { cookie: ok.cookie })).json();
    expect(me).toMatchObject({ user: { id: u.id }, via: 'session', csrfToken: ok.csrf });
    // Only a hash of the session id is stored.
    const stored = await ctx.sql<{ id_hash: Buffer }[]>`select id_hash from sessions where user_id = ${u.id}`;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id_hash.toString('base64url')).not.toBe(ok.cookie.split('=')[1]);

    expect(await auditActions(org.id)).toEqual([
      'organization.create',
      'watch_target.create',
      'user.create',
      'auth.login_failed',
      'auth.login',
    ]);
    const failed = await ctx.sql`select after, source_ip from audit_log where action = 'auth.login_failed' and chain = 'platform'`;
    expect(failed.map((r) => r.after)).toContainEqual({ email: 'nobody@clinic.example.jp', reason: 'unknown_email' });
    // Passwords never reach the audit log.
    expect(JSON.stringify(await ctx.sql`select after from audit_log`)).not.toContain('not-the-password-at-all');
  });

  it('never reuses a session the browser brought along (no fixation), and logout ends the session', async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id);
    const first = await login(u.email);
    const res = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: first.cookie },
      body: JSON.stringify({ email: u.email, password }),
    });
    const second = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(second).not.toBe(first.cookie);
    expect((await req('/api/v1/auth/me', { cookie: first.cookie })).status).toBe(401);
    const csrf = (await res.json()).csrfToken;
    expect((await req('/api/v1/auth/logout', { method: 'POST', cookie: second, csrf })).status).toBe(204);
    expect((await req('/api/v1/auth/me', { cookie: second })).status).toBe(401);
    expect(await auditActions(org.id)).toContain('auth.logout');
  });

  it('a session ends after the idle time and at its absolute end, even when used', async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id);
    const idle = await login(u.email);
    advance(ctx.config.auth.sessionIdleMs - 60_000);
    expect((await req('/api/v1/auth/me', { cookie: idle.cookie })).status).toBe(200);
    advance(ctx.config.auth.sessionIdleMs + 1000);
    expect((await req('/api/v1/auth/me', { cookie: idle.cookie })).status).toBe(401);

    const busy = await login(u.email);
    const started = now.getTime();
    while (now.getTime() - started < ctx.config.auth.sessionMaxMs - 3_600_000) {
      advance(3_600_000);
      expect((await req('/api/v1/auth/me', { cookie: busy.cookie })).status).toBe(200);
    }
    advance(3_600_000 + 1000);
    expect((await req('/api/v1/auth/me', { cookie: busy.cookie })).status).toBe(401);
  });
});

describe('CSRF', () => {
  it("a cookie write needs the session's x-csrf-token and a same-origin request; bearer tokens need neither", async () => {
    const { org } = await makeOrg(ctx);
    const admin = await makeUser(org.id, 'admin');
    const s = await login(admin.email);
    const url = `/api/v1/organizations/${org.id}/watch-targets`;
    const body = { name: '新しい監視対象' };
    const refused = [
      await req(url, { body, cookie: s.cookie }),
      await req(url, { body, cookie: s.cookie, csrf: 'x'.repeat(43) }),
      await req(url, { body, cookie: s.cookie, csrf: s.csrf, origin: 'https://evil.example' }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(await ctx.sql`select 1 from watch_targets where org_id = ${org.id} and name = '新しい監視対象'`).toHaveLength(0);
    expect((await req(url, { body, cookie: s.cookie, csrf: s.csrf, origin: 'http://localhost' })).status).toBe(201);
    expect((await req(url, { body: { name: '二つ目' }, cookie: s.cookie, csrf: s.csrf })).status).toBe(201);
    // Reads need no token.
    expect((await req(url, { cookie: s.cookie })).status).toBe(200);
    const headers = await authHeaders(ctx, { orgId: org.id });
    expect(
      (
        await app.request(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ name: '三つ目' }),
        })
      ).status,
    ).toBe(201);
  });
});

describe('behind a TLS-terminating proxy (HINOKO_PUBLIC_URL)', () => {
  it('marks the cookie Secure and accepts the public origin for cookie writes', async () => {
    const config = loadConfig({
      HINOKO_DATA_DIR: '/nonexistent-test-dir',
      HINOKO_SCRYPT_LOG_N: '14',
      HINOKO_PUBLIC_URL: 'https://hinoko.clinic.example.jp',
    });
    const proxied = createApp({ ...ctx, config });
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id, 'admin');
    const res = await proxied.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = await res.json();
    const write = (origin: string) =>
      proxied.request(`/api/v1/organizations/${org.id}/watch-targets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, origin },
        body: JSON.stringify({ name: origin }),
      });
    expect((await write('https://hinoko.clinic.example.jp')).status).toBe(201);
    expect((await write('https://evil.example')).status).toBe(403);
  });
});

describe('lockout and rate limiting', () => {
  it('locks an account after 5 failures in the window (from any address), with the same answer as a wrong password, and audits it once', async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id);
    for (let i = 0; i < 5; i++) {
      expect(
        (await req('/api/v1/auth/login', { body: { email: u.email, password: `wrong-password-number-${i}` }, ip: `198.51.100.${i}` }))
          .status,
      ).toBe(401);
    }
    const locked = await req('/api/v1/auth/login', { body: { email: u.email, password }, ip: '198.51.100.77' });
    expect(locked.status).toBe(401);
    expect((await locked.json()).error.code).toBe('unauthorized');
    const actions = await auditActions(org.id);
    expect(actions.filter((a) => a === 'auth.lockout')).toHaveLength(1);
    expect(actions.filter((a) => a === 'auth.login_failed')).toHaveLength(6);
    // Held in Postgres: a second app (instance) on the same database refuses too.
    expect(
      (
        await createApp(ctx).request('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: u.email, password }),
        })
      ).status,
    ).toBe(401);
    advance(ctx.config.auth.lockMs + 1000);
    expect((await login(u.email, password, '198.51.100.78')).res.status).toBe(200);
  });

  it('answers 429 with Retry-After to an address with too many failures, and only to that address', async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id);
    const ip = '203.0.113.5';
    for (let i = 0; i < 8; i++) {
      expect(
        (await req('/api/v1/auth/login', { body: { email: `guess-${i}@clinic.example.jp`, password: 'a-guessed-password' }, ip })).status,
      ).toBe(401);
    }
    const limited = await req('/api/v1/auth/login', { body: { email: u.email, password }, ip });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');
    expect((await login(u.email, password, '203.0.113.6')).res.status).toBe(200);
    expect(await auditActions(null)).toContain('auth.rate_limited');
  });
});

describe('client address behind a reverse proxy', () => {
  it('counts failures per X-Forwarded-For client only with HINOKO_TRUST_PROXY; otherwise the header is ignored', async () => {
    const attempt = (a: ReturnType<typeof createApp>, forwardedFor: string) =>
      a.request(
        '/api/v1/auth/login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ email: 'nobody@proxy.example.jp', password: 'a-guessed-password' }),
        },
        { incoming: { socket: { remoteAddress: '10.9.9.9', remotePort: 1, remoteFamily: 'IPv4' } } },
      );
    const trusting = createApp({
      ...ctx,
      config: loadConfig({
        HINOKO_DATA_DIR: '/nonexistent-test-dir',
        HINOKO_SCRYPT_LOG_N: '14',
        HINOKO_LOGIN_MAX_FAILURES_PER_IP: '8',
        HINOKO_TRUST_PROXY: 'true',
      }),
    });
    // A client cannot pick its address: only the last entry (the proxy's) counts.
    for (let i = 0; i < 8; i++) expect((await attempt(trusting, `1.2.3.${i}, 198.18.0.1`)).status).toBe(401);
    expect((await attempt(trusting, '198.18.0.1')).status).toBe(429);
    expect((await attempt(trusting, '198.18.0.2')).status).toBe(401);
    const rows =
      await ctx.sql`select key from login_throttle where key like 'ip:%' and key in ('ip:198.18.0.1', 'ip:198.18.0.2', 'ip:10.9.9.9')`;
    expect(rows.map((r) => r.key).sort()).toEqual(['ip:198.18.0.1', 'ip:198.18.0.2']);
    // Without the setting the socket's address counts, whatever the header says.
    expect((await attempt(app, '198.18.0.1')).status).toBe(401);
    expect((await ctx.sql`select 1 from login_throttle where key = 'ip:10.9.9.9'`).length).toBe(1);
  });
});

describe('users and tokens', () => {
  it('admins add users (password rules enforced, generated password shown once), pr_staff may not', async () => {
    const { org } = await makeOrg(ctx);
    // Creating a user takes an interactive login (a token is refused: account-security.test.ts).
    const adminSession = await login((await makeUser(org.id, 'admin')).email);
    const admin = { cookie: adminSession.cookie, 'x-csrf-token': adminSession.csrf, origin: 'http://localhost' };
    const staff = await authHeaders(ctx, { orgId: org.id, role: 'pr_staff' });
    const url = `/api/v1/organizations/${org.id}/users`;
    const post = (headers: Record<string, string>, body: unknown) =>
      app.request(
        url,
        { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) },
        { incoming: { socket: { remoteAddress: '192.0.2.1', remotePort: 1, remoteFamily: 'IPv4' } } },
      );
    const email = `${unique('n')}@clinic.example.jp`;
    const weak = await post(admin, { name: '山田 太郎', email, role: 'pr_staff', password: 'password12345678' });
    expect(weak.status).toBe(400);
    expect((await weak.json()).error.message).toMatch(/^password:/);
    const short = await post(admin, { name: '山田 太郎', email, role: 'pr_staff', password: 'short-pw-12' });
    expect((await short.json()).error.message).toContain('15');
    const created = await post(admin, { name: '山田 太郎', email, role: 'oncall_manager' });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({ email, role: 'oncall_manager', hasPassword: true });
    expect(body.initialPassword).toMatch(/^\S{20}$/);
    expect((await login(email, body.initialPassword)).res.status).toBe(200);
    expect((await post(admin, { name: 'x', email: email.toUpperCase(), role: 'pr_staff' })).status).toBe(409);
    expect((await post(staff, { name: 'x', email: `${unique('n')}@clinic.example.jp`, role: 'admin' })).status).toBe(403);
    const list = await (await app.request(url, { headers: staff })).json();
    expect(list.items.map((u: { email: string }) => u.email)).toContain(email);
    expect(JSON.stringify(list)).not.toMatch(/scrypt|password_hash/);
  });

  it('disabling a user ends their sessions and tokens; the last admin can be neither disabled nor demoted', async () => {
    const { org } = await makeOrg(ctx);
    const first = await makeUser(org.id, 'admin');
    const staff = await makeUser(org.id, 'pr_staff');
    const admin = await login(first.email);
    const s = await login(staff.email);
    const staffToken = await authHeaders(ctx, { orgId: org.id, role: 'pr_staff' });
    const patch = (userId: string, body: unknown) =>
      req(`/api/v1/organizations/${org.id}/users/${userId}`, { method: 'PATCH', body, cookie: admin.cookie, csrf: admin.csrf });
    expect((await patch(first.id, { role: 'director' })).status).toBe(409);
    expect((await patch(first.id, { disabled: true })).status).toBe(409);
    expect((await patch(staff.id, { disabled: true })).status).toBe(200);
    expect((await req('/api/v1/auth/me', { cookie: s.cookie })).status).toBe(401);
    expect((await login(staff.email)).res.status).toBe(401);
    const testStaffId = (await (await app.request('/api/v1/auth/me', { headers: staffToken })).json()).user.id;
    expect((await patch(testStaffId, { disabled: true })).status).toBe(200);
    expect((await app.request('/api/v1/auth/me', { headers: staffToken })).status).toBe(401);
    expect((await patch(staff.id, { disabled: false })).status).toBe(200);
    expect((await login(staff.email)).res.status).toBe(200);
    expect(await auditActions(org.id)).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
  });

  it("passwords: your own with the current one (other sessions end); an admin resets anyone's; others' are off limits", async () => {
    const { org } = await makeOrg(ctx);
    const a = await makeUser(org.id);
    const b = await makeUser(org.id);
    const phone = await login(a.email);
    const laptop = await login(a.email);
    const url = (id: string) => `/api/v1/organizations/${org.id}/users/${id}/password`;
    const next = '窓の外で猫が二匹ひなたぼっこをしている';
    expect(
      (
        await req(url(a.id), {
          body: { currentPassword: 'wrong-current-password', newPassword: next },
          cookie: laptop.cookie,
          csrf: laptop.csrf,
        })
      ).status,
    ).toBe(400);
    expect((await req(url(b.id), { body: { newPassword: next }, cookie: laptop.cookie, csrf: laptop.csrf })).status).toBe(403);
    expect(
      (await req(url(a.id), { body: { currentPassword: password, newPassword: next }, cookie: laptop.cookie, csrf: laptop.csrf })).status,
    ).toBe(200);
    expect((await req('/api/v1/auth/me', { cookie: laptop.cookie })).status).toBe(200);
    expect((await req('/api/v1/auth/me', { cookie: phone.cookie })).status).toBe(401);
    expect((await login(a.email, next)).res.status).toBe(200);
    const admin = await login((await makeUser(org.id, 'admin')).email);
    const reset = await req(url(a.id), { body: {}, cookie: admin.cookie, csrf: admin.csrf });
    const { generatedPassword } = await reset.json();
    expect(generatedPassword).toMatch(/^\S{20}$/);
    expect((await login(a.email, generatedPassword)).res.status).toBe(200);
    expect(await auditActions(org.id)).toEqual(expect.arrayContaining(['user.password_change', 'user.password_reset']));
  });

  it('per-user tokens: shown once, scoped, listed without the secret, own or admin only, revocable, expiring', async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id, 'oncall_manager');
    const other = await makeUser(org.id, 'pr_staff');
    const s = await login(u.email);
    const tokens = (id: string) => `/api/v1/organizations/${org.id}/users/${id}/tokens`;
    const created = await req(tokens(u.id), { body: { label: 'スクリプト', scopes: ['read'] }, cookie: s.cookie, csrf: s.csrf });
    expect(created.status).toBe(201);
    const { token, id } = await created.json();
    expect(token).toMatch(/^hnk_/);
    expect((await req(`/api/v1/organizations/${org.id}/incidents`, { token })).status).toBe(200);
    // A write needs the write scope, whatever the role allows.
    expect((await req(`/api/v1/organizations/${org.id}/incidents/1/notes`, { body: { text: 'x' }, token })).status).toBe(403);
    // A read-only token cannot mint tokens.
    expect((await req(tokens(u.id), { body: { label: 'more', scopes: ['write'] }, token })).status).toBe(403);
    const listed = await (await req(tokens(u.id), { cookie: s.cookie })).json();
    expect(listed.items).toEqual([expect.objectContaining({ id, label: 'スクリプト', scopes: ['read'] })]);
    expect(JSON.stringify(listed)).not.toContain(token.slice(4));
    expect((await req(tokens(other.id), { cookie: s.cookie })).status).toBe(403);
    expect((await req(tokens(u.id), { body: { label: 'bad', scopes: ['everything'] }, cookie: s.cookie, csrf: s.csrf })).status).toBe(400);
    expect((await req(`${tokens(u.id)}/${id}`, { method: 'DELETE', cookie: s.cookie, csrf: s.csrf })).status).toBe(204);
    expect((await req(`/api/v1/organizations/${org.id}/incidents`, { token })).status).toBe(401);

    const expiring = await (
      await req(tokens(u.id), {
        body: { label: '期限付き', scopes: ['read'], expiresAt: new Date(now.getTime() + 3_600_000).toISOString() },
        cookie: s.cookie,
        csrf: s.csrf,
      })
    ).json();
    expect((await req('/api/v1/auth/me', { token: expiring.token })).status).toBe(200);
    advance(3_600_000 + 1000);
    expect((await req('/api/v1/auth/me', { token: expiring.token })).status).toBe(401);
    expect(await auditActions(org.id)).toEqual(expect.arrayContaining(['user_token.create', 'user_token.revoke']));
  });

  it("a user sees only their own organization: its list, and 404 for any other org's path", async () => {
    const { org } = await makeOrg(ctx);
    const { org: other } = await makeOrg(ctx);
    const u = await makeUser(org.id, 'admin');
    const s = await login(u.email);
    const orgs = await (await req('/api/v1/organizations', { cookie: s.cookie })).json();
    expect(orgs.items.map((o: { id: string }) => o.id)).toEqual([org.id]);
    expect((await req(`/api/v1/organizations/${other.id}`, { cookie: s.cookie })).status).toBe(404);
    expect((await req(`/api/v1/organizations/${other.id}/users`, { cookie: s.cookie })).status).toBe(404);
    expect(
      (
        await req(`/api/v1/organizations/${other.id}/users`, {
          body: { name: 'x', email: 'x@evil.example.jp', role: 'admin' },
          cookie: s.cookie,
          csrf: s.csrf,
        })
      ).status,
    ).toBe(404);
  });
});

describe('personal data in mentions', () => {
  it('is masked for everyone; revealPii=true shows it to oncall_manager and up (with the read_pii scope), audited; pr_staff gets 403', async () => {
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const text = '山田花子さんが誤診された 090-1234-5678';
    const analyzer = stubAnalyzer('t', (t: string) => ({
      sentiment: { label: 'negative' as const, score: -0.8 },
      risks: [],
      terms: ['誤診'],
      pii: t.includes('090')
        ? [
            { type: 'person_name' as const, start: 0, end: 4 },
            { type: 'phone' as const, start: t.indexOf('090'), end: t.length },
          ]
        : [],
    }));
    await ingest(
      { sql: ctx.sql, analyzer, detection: null, limits: defaultIngestLimits, now: () => new Date(), log: logger },
      { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(1, { text })] },
    );
    const list = `/api/v1/organizations/${org.id}/mentions`;
    const staff = await authHeaders(ctx, { orgId: org.id, role: 'pr_staff' });
    const manager = await testToken(ctx, { orgId: org.id, role: 'oncall_manager' });
    const masked = await (await app.request(list, { headers: staff })).json();
    expect(masked.items[0]).toMatchObject({
      text: '[氏名]さんが誤診された [電話番号]',
      piiMasked: true,
      piiTypes: ['person_name', 'phone'],
    });
    expect((await app.request(`${list}?revealPii=true`, { headers: staff })).status).toBe(403);
    const id = masked.items[0].id;
    expect((await app.request(`${list}/${id}?revealPii=true`, { headers: staff })).status).toBe(403);
    const shown = await (await req(`${list}?revealPii=true`, { token: manager.token })).json();
    expect(shown.items[0]).toMatchObject({ text, piiMasked: false });
    expect((await (await req(`${list}/${id}?revealPii=true`, { token: manager.token })).json()).text).toBe(text);
    // A manager's token without the read_pii scope cannot reveal.
    const readOnly = await req(`/api/v1/organizations/${org.id}/users/${manager.userId}/tokens`, {
      body: { label: 'r', scopes: ['read', 'manage'] },
      token: manager.token,
    });
    expect((await req(`${list}?revealPii=true`, { token: (await readOnly.json()).token })).status).toBe(403);
    const views = await ctx.sql`select actor_id, after from audit_log where chain = ${org.id} and action = 'mention.view_pii' order by seq`;
    expect(views.map((v) => [v.actor_id, v.after.mentionIds])).toEqual([
      [manager.userId, [id]],
      [manager.userId, [id]],
    ]);
  });
});

describe('first start', () => {
  it('gives the organization one admin with a printed password, once, even when two instances start together', async () => {
    const { org } = await makeOrg(ctx);
    const results = await Promise.all([ensureBootstrapAdmin(ctx, org.id), ensureBootstrapAdmin(ctx, org.id)]);
    const created = results.filter((r) => r !== null);
    expect(created).toHaveLength(1);
    expect(await ctx.sql`select role from users where org_id = ${org.id}`).toEqual([{ role: 'admin' }]);
    expect((await login(created[0]!.email, created[0]!.password, '192.0.2.200')).res.status).toBe(200);
    expect(await ensureBootstrapAdmin(ctx, org.id)).toBeNull();
  });
});

describe('web login form', () => {
  it("logs in with e-mail and password from our own page, and logs out only with the form's CSRF token", async () => {
    const { org } = await makeOrg(ctx);
    const u = await makeUser(org.id);
    const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers },
        body: new URLSearchParams(fields).toString(),
      });
    const bad = await form('/login', { email: u.email, password: 'not-my-password-at-all' });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('メールアドレスまたはパスワードが正しくありません');
    const ok = await form('/login', { email: u.email, password });
    expect(ok.status).toBe(303);
    const cookie = (ok.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await (await app.request('/', { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    expect((await form('/logout', { _csrf: 'forged' }, { cookie })).status).toBe(403);
    expect((await form('/logout', { _csrf: csrf! }, { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await form('/logout', { _csrf: csrf! }, { cookie })).status).toBe(303);
    // The ended session opens nothing: the page sends the browser to the login form, and back after.
    const after = await app.request('/', { headers: { cookie } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/login?next=%2F');
    expect(await (await app.request('/login?next=%2F', { headers: { cookie } })).text()).toContain('name="password"');
  });
});
