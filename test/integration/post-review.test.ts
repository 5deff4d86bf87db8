import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/access/permissions.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 17, the review workflow through the API: a draft with a violation is flagged, fixed,
// approved by two people who did not write it, published; an edit after approval resets the
// approvals; a blocking finding is overridden only by a manager with a reason; some never are.

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
let orgId: string;
let now = new Date('2026-12-04T01:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db, { now: () => now });
  app = createApp(ctx);
  orgId = (await makeOrg(ctx)).org.id;
});
afterAll(async () => {
  await db.drop();
});

/** A person of `role` with an API token of their own (each call a different person). */
const person = (role: Role) => newTestPerson(ctx, orgId, role);

type Who = Awaited<ReturnType<typeof person>>;
type Post = {
  id: string;
  status: string;
  version: number;
  findings: { id: string; rule: string; severity: string; overridable: boolean }[];
  approvals: unknown[];
};

async function call(who: Who, method: string, path: string, body?: unknown) {
  const res = await app.request(`/api/v1/organizations/${orgId}${path}`, {
    method,
    headers: who.headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Post & { error?: { message: string } } };
}

describe('the clinic’s own posts', () => {
  it('flags, fixes, two reviewers approve, publish; an edit after approval resets the approvals; every step audited', async () => {
    const [author, a, b] = [await person('pr_staff'), await person('pr_staff'), await person('oncall_manager')];
    const created = await call(author, 'POST', '/posts', {
      channel: 'instagram',
      text: '地域No.1の皮膚科です。インフルエンザ予防接種を始めました。',
    });
    expect(created.status).toBe(201);
    expect(created.body.findings.map((f) => f.rule)).toEqual(['superiority']);
    const id = created.body.id;
    const fixed = await call(author, 'PATCH', `/posts/${id}`, {
      version: 1,
      text: 'インフルエンザ予防接種を始めました。ご予約はお電話で。',
    });
    expect(fixed.body).toMatchObject({ version: 2, status: 'draft', findings: [] });
    // Nothing leaves Hinoko for a channel before it is approved.
    expect((await call(author, 'POST', `/posts/${id}/export`)).status).toBe(409);
    expect((await call(author, 'POST', `/posts/${id}/submit`, { version: 2 })).body.status).toBe('in_review');

    expect((await call(author, 'POST', `/posts/${id}/approve`, { version: 2 })).status).toBe(403);
    const first = await call(a, 'POST', `/posts/${id}/approve`, { version: 2 });
    expect(first.body).toMatchObject({ status: 'in_review', approvals: [expect.objectContaining({ reviewerId: a.id })] });
    expect((await call(a, 'POST', `/posts/${id}/approve`, { version: 2 })).status).toBe(409);
    expect((await call(b, 'POST', `/posts/${id}/approve`, { version: 2 })).body.status).toBe('approved');

    // A third edit after approval: back to 確認中, the approvals no longer count.
    const edited = await call(author, 'PATCH', `/posts/${id}`, {
      version: 2,
      text: 'インフルエンザ予防接種を始めました。ご予約はお電話かウェブで。',
    });
    expect(edited.body).toMatchObject({ status: 'in_review', version: 3, approvals: [] });
    expect((await call(a, 'POST', `/posts/${id}/publish`, { version: 3 })).status).toBe(409);
    await call(a, 'POST', `/posts/${id}/approve`, { version: 3 });
    expect((await call(b, 'POST', `/posts/${id}/approve`, { version: 3 })).body.status).toBe('approved');
    const exported = (await call(a, 'POST', `/posts/${id}/export`)).body as unknown as Record<string, unknown>;
    expect(exported).toEqual({
      postId: id,
      version: 3,
      channel: 'instagram',
      endpoint: 'POST https://graph.facebook.com/{ig-user-id}/media',
      body: { caption: 'インフルエンザ予防接種を始めました。ご予約はお電話かウェブで。' },
      altTexts: [],
    });
    now = new Date(now.getTime() + 60_000);
    expect((await call(a, 'POST', `/posts/${id}/schedule`, { version: 3, plannedAt: '2026-12-04T00:00:00Z' })).status).toBe(400);
    expect((await call(a, 'POST', `/posts/${id}/schedule`, { version: 3, plannedAt: '2026-12-05T00:00:00Z' })).body.status).toBe(
      'scheduled',
    );
    expect((await call(a, 'POST', `/posts/${id}/publish`, { version: 3, url: 'javascript:alert(1)' })).status).toBe(400);
    const published = await call(a, 'POST', `/posts/${id}/publish`, { version: 3, url: 'https://www.instagram.com/p/abc/' });
    expect(published.body).toMatchObject({ status: 'published', publishedUrl: 'https://www.instagram.com/p/abc/' });
    expect((await call(author, 'PATCH', `/posts/${id}`, { version: 3, text: '変更' })).status).toBe(409);

    const audit = await ctx.sql<{ action: string }[]>`
      select action from audit_log where org_id = ${orgId} and target_type = 'post' and target_id = ${id} order by seq`;
    expect(audit.map((r) => r.action)).toEqual([
      'post.create',
      'post.edit',
      'post.submit',
      'post.approve',
      'post.approve',
      'post.edit',
      'post.approve',
      'post.approve',
      'post.export',
      'post.schedule',
      'post.publish',
    ]);
    const full = await call(a, 'GET', `/posts/${id}`);
    expect((full.body as unknown as { versions: unknown[] }).versions).toHaveLength(3);
  }, 60_000);

  it('a blocking finding is overridden only by a manager with a reason; an identifiable patient never', async () => {
    const [author, staff, manager, director] = [
      await person('pr_staff'),
      await person('pr_staff'),
      await person('oncall_manager'),
      await person('director'),
    ];
    const created = await call(author, 'POST', '/posts', { channel: 'blog', text: '当院は日本一の内視鏡件数です。' });
    const id = created.body.id;
    const finding = created.body.findings.find((f) => f.rule === 'superiority')!;
    await call(author, 'POST', `/posts/${id}/submit`, { version: 1 });
    const bare = await call(manager, 'POST', `/posts/${id}/approve`, { version: 1 });
    expect(bare.status).toBe(400);
    expect(bare.body.error!.message).toMatch(/理由を付けて承認/);
    const override = { version: 1, overrides: [{ findingId: finding.id, reason: '2025年の学会発表の件数。出典を併記する' }] };
    expect((await call(staff, 'POST', `/posts/${id}/approve`, override)).status).toBe(403);
    expect((await call(manager, 'POST', `/posts/${id}/approve`, override)).status).toBe(200);
    expect((await call(director, 'POST', `/posts/${id}/approve`, override)).body.status).toBe('approved');

    const patient = await call(author, 'POST', '/posts', {
      channel: 'blog',
      text: '昨日、3階病棟に入院中の82歳の肺炎の方が元気に退院されました。',
    });
    const never = patient.body.findings.find((f) => f.rule === 'identifiable_patient')!;
    expect(never.overridable).toBe(false);
    await call(author, 'POST', `/posts/${patient.body.id}/submit`, { version: 1 });
    const refused = await call(manager, 'POST', `/posts/${patient.body.id}/approve`, {
      version: 1,
      overrides: [{ findingId: never.id, reason: '本人の同意あり' }],
    });
    expect(refused.status).toBe(409);
  }, 60_000);

  it('checks a text without storing it, honouring the institution’s own published details', async () => {
    const staff = await person('pr_staff');
    await ctx.sql`update organizations set published_identifiers = ${ctx.sql.json({ phones: ['03-1234-5678'] })} where id = ${orgId}`;
    const res = await call(staff, 'POST', '/post-checks', { channel: 'x', text: 'ご予約は03-1234-5678へ。必ず治ります。' });
    expect(res.status).toBe(200);
    expect((res.body as unknown as { findings: { rule: string }[] }).findings.map((f) => f.rule)).toEqual(['false_guarantee']);
    const posts = await ctx.sql`select 1 from post_drafts where org_id = ${orgId} and text like '%必ず治ります%'`;
    expect(posts).toHaveLength(0);
  }, 60_000);

  it('the review settings: everyone reads them, only an admin saves them, within limits, audited; the rule applies at once', async () => {
    const [staff, admin] = [await person('pr_staff'), await person('admin')];
    const settings = { reviewersRequired: 1, own: { phones: ['03-9999-0000'], addresses: [], names: ['山田太郎'] } };
    expect((await call(staff, 'PUT', '/post-review-settings', settings)).status).toBe(403);
    expect((await call(admin, 'PUT', '/post-review-settings', { ...settings, reviewersRequired: 9 })).status).toBe(400);
    expect(
      (await call(admin, 'PUT', '/post-review-settings', { ...settings, own: { ...settings.own, names: Array(51).fill('名前') } })).status,
    ).toBe(400);
    expect((await call(admin, 'PUT', '/post-review-settings', settings)).status).toBe(200);
    expect((await call(staff, 'GET', '/post-review-settings')).body).toEqual(settings);
    const [audit] = await ctx.sql<{ action: string }[]>`
      select action from audit_log where org_id = ${orgId} and action = 'organization.post_review_settings'`;
    expect(audit).toBeDefined();
    // One approval is now enough, and the institution's own number is not personal data.
    const author = await person('pr_staff');
    const created = await call(author, 'POST', '/posts', { channel: 'x', text: '本日は通常診療です。お問い合わせは03-9999-0000へ。' });
    expect(created.body.findings).toEqual([]);
    await call(author, 'POST', `/posts/${created.body.id}/submit`, { version: 1 });
    expect((await call(staff, 'POST', `/posts/${created.body.id}/approve`, { version: 1 })).body.status).toBe('approved');
    await call(admin, 'PUT', '/post-review-settings', { ...settings, reviewersRequired: 2 });
  }, 60_000);
});
