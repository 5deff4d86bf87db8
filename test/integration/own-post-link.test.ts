import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/access/permissions.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { systemActor } from '../../src/audit/record.ts';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { updateAlertingSettings } from '../../src/notify/recipients.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 17 item 5: a published post is linked to the clinic's own post as collected — whichever
// arrives first — its replies and quotes are counted on its page, and a negative surge of replies
// to it names it in the alert and the alert mail.

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-12-04T01:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

const person = (orgId: string, role: Role) => newTestPerson(ctx, orgId, role);

type Post = {
  id: string;
  status: string;
  version: number;
  publishedExternalId: string | null;
  linkedMentionId: string | null;
  reactions: { copy: { mentionId: string } | null; replies: number; quotes: number; negative: number } | null;
  error?: { message: string };
};

/** An organisation with an X source and a post approved by two colleagues, ready to publish. */
async function approvedPost(text: string) {
  const { org, target } = await makeOrg(ctx);
  const source = await makeSource(ctx, org.id, 'x');
  const [author, a, b] = [await person(org.id, 'pr_staff'), await person(org.id, 'pr_staff'), await person(org.id, 'oncall_manager')];
  const call = async (who: typeof author, method: string, path: string, body?: unknown) => {
    const res = await app.request(`/api/v1/organizations/${org.id}${path}`, {
      method,
      headers: who.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Post };
  };
  const created = await call(author, 'POST', '/posts', { channel: 'x', text });
  expect(created.body).toMatchObject({ status: 'draft' });
  const id = created.body.id;
  await call(author, 'POST', `/posts/${id}/submit`, { version: 1 });
  await call(a, 'POST', `/posts/${id}/approve`, { version: 1 });
  expect((await call(b, 'POST', `/posts/${id}/approve`, { version: 1 })).body.status).toBe('approved');
  return { org, target, source, id, call, staff: a };
}

const ownX = (externalId: string, postedAt: Date, url: string | null) =>
  mentionFixture(0, {
    externalId,
    url,
    text: '年末年始の休診日のお知らせです。12月29日から1月3日まで休診します。',
    postedAt,
    authorHandle: 'testclinic',
  });

describe('a published post and its collected copy', () => {
  it('published first with its address: the collector’s copy links it later, and replies are counted on its page', async () => {
    const { org, source, id, call, staff } = await approvedPost('年末年始の休診日のお知らせです。12月29日から1月3日まで休診します。');
    // The address as the person copied it from the app; the collector stores x.com/<user>/status/<id>.
    const published = await call(staff, 'POST', `/posts/${id}/publish`, {
      version: 1,
      url: 'https://twitter.com/TestClinic/status/777001?s=20',
    });
    expect(published.body).toMatchObject({ status: 'published', linkedMentionId: null, publishedExternalId: null });
    expect((await call(staff, 'GET', `/posts/${id}`)).body.reactions).toMatchObject({ copy: null, replies: 0 });

    const deps = ingestDepsFrom(ctx);
    await ingest(deps, { orgId: org.id, sourceId: source.id, mentions: [ownX('777001', now, 'https://x.com/testclinic/status/777001')] });
    await ingest(deps, {
      orgId: org.id,
      sourceId: source.id,
      mentions: [
        mentionFixture(1, { externalId: '777101', text: '休診日の案内ありがとうございます', replyToExternalId: '777001', postedAt: now }),
        mentionFixture(2, {
          externalId: '777102',
          text: '年末に閉めるなんて最悪、対応がひどい',
          replyToExternalId: '777001',
          postedAt: now,
        }),
        mentionFixture(3, { externalId: '777103', text: '了解です', quoteOfExternalId: '777001', postedAt: now }),
        mentionFixture(4, { externalId: '777104', text: '別の話題', replyToExternalId: '999', postedAt: now }),
      ],
    });
    const page = (await call(staff, 'GET', `/posts/${id}`)).body;
    expect(page.publishedExternalId).toBe('777001');
    expect(page.linkedMentionId).not.toBeNull();
    expect(page.reactions).toMatchObject({ replies: 2, quotes: 1, negative: 1, copy: { mentionId: page.linkedMentionId } });
  }, 60_000);

  it('collected first, then published with its id: linked at once; an address given later links a post published without one', async () => {
    const { org, source, id, call, staff } = await approvedPost('インフルエンザ予防接種の予約を受け付けています。');
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: source.id,
      mentions: [ownX('888001', new Date(now.getTime() - 3_600_000), 'https://x.com/testclinic/status/888001')],
    });
    const published = await call(staff, 'POST', `/posts/${id}/publish`, { version: 1, externalId: '888001' });
    expect(published.body.linkedMentionId).not.toBeNull();
    // Linked: the link stands.
    expect((await call(staff, 'POST', `/posts/${id}/link`, { version: 1, url: 'https://x.com/a/status/1' })).status).toBe(409);

    const second = await approvedPost('健康診断の結果説明会を開きます。');
    await second.call(second.staff, 'POST', `/posts/${second.id}/publish`, { version: 1 });
    const bad = await second.call(second.staff, 'POST', `/posts/${second.id}/link`, { version: 1, externalId: 'id with spaces' });
    expect(bad.status).toBe(400);
    expect((await second.call(second.staff, 'POST', `/posts/${second.id}/link`, { version: 1 })).status).toBe(400);
    await ingest(ingestDepsFrom(ctx), {
      orgId: second.org.id,
      sourceId: second.source.id,
      mentions: [ownX('888002', now, 'https://x.com/testclinic/status/888002')],
    });
    const linked = await second.call(second.staff, 'POST', `/posts/${second.id}/link`, {
      version: 1,
      url: 'https://mobile.twitter.com/testclinic/status/888002/',
    });
    expect(linked.body).toMatchObject({ publishedExternalId: '888002' });
    expect(linked.body.linkedMentionId).not.toBeNull();
    const audit = await ctx.sql<{ action: string }[]>`
      select action from audit_log where org_id = ${second.org.id} and target_type = 'post' and target_id = ${second.id} order by seq`;
    expect(audit.map((r) => r.action).slice(-2)).toEqual(['post.publish', 'post.link']);
  }, 60_000);

  it('a negative surge of replies to the post names it in the alert and in the mail', async () => {
    now = new Date('2026-12-04T06:00:00Z');
    const { org, source, id, call, staff } = await approvedPost('当院の新しい予約システムについてのお知らせです。');
    await updateAlertingSettings(ctx.sql, org.id, { recipients: ['oncall@clinic.example.jp'], minSeverity: 1 }, systemActor);
    const publishedAt = new Date(now.getTime() - 2 * 3_600_000);
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: source.id,
      mentions: [ownX('999001', publishedAt, 'https://x.com/testclinic/status/999001')],
    });
    await call(staff, 'POST', `/posts/${id}/publish`, { version: 1, url: 'https://x.com/testclinic/status/999001' });
    const angry = [
      'テスト内科の予約システム最悪、電話もつながらない',
      'テスト内科ひどすぎる、患者を何だと思ってるの',
      'テスト内科の対応最悪、二度と行かない',
    ];
    const replies = Array.from({ length: 36 }, (_, i) =>
      mentionFixture(100 + i, {
        externalId: `999${100 + i}`,
        text: angry[i % angry.length]!,
        replyToExternalId: '999001',
        postedAt: new Date(now.getTime() - 45 * 60_000 + i * 60_000),
      }),
    );
    await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: source.id, mentions: replies });
    await detectOrg(ctx, org.id, now);

    const alerts = await ctx.sql<{ summary: string; own: { postId: string; negative: number } | null }[]>`
      select e.summary_ja as summary, a.explanation -> 'ownPost' as own
      from alert_events e join alerts a on a.org_id = e.org_id and a.id = e.alert_id
      where e.org_id = ${org.id} and e.notify order by e.id`;
    expect(alerts.length).toBeGreaterThan(0);
    const named = alerts.find((a) => a.own);
    expect(named?.own).toMatchObject({ postId: id });
    expect(named!.own!.negative).toBeGreaterThanOrEqual(3);
    expect(named!.summary).toMatch(/当院のX（旧Twitter）の投稿「当院の新しい予約システム/);
    const mails = await ctx.sql<{ text_body: string; html_body: string }[]>`
      select text_body, html_body from mail_outbox where org_id = ${org.id}`;
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.some((m) => m.text_body.includes('発端とみられる当院の投稿') && m.text_body.includes(`/posts/${id}`))).toBe(true);
    expect(mails.some((m) => m.html_body.includes(`/posts/${id}`))).toBe(true);
  }, 60_000);

  it('replies to someone else’s post do not name the clinic’s post', async () => {
    now = new Date('2026-12-05T06:00:00Z');
    const { org, source, id, call, staff } = await approvedPost('駐車場の工事のお知らせです。');
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: source.id,
      mentions: [ownX('555001', new Date(now.getTime() - 3_600_000), 'https://x.com/testclinic/status/555001')],
    });
    await call(staff, 'POST', `/posts/${id}/publish`, { version: 1, externalId: '555001' });
    const replies = Array.from({ length: 36 }, (_, i) =>
      mentionFixture(300 + i, {
        externalId: `555${300 + i}`,
        text: 'テスト内科の対応最悪、二度と行かない',
        replyToExternalId: '424242',
        postedAt: new Date(now.getTime() - 45 * 60_000 + i * 60_000),
      }),
    );
    await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: source.id, mentions: replies });
    await detectOrg(ctx, org.id, now);
    const rows = await ctx.sql<{ own: unknown }[]>`select explanation -> 'ownPost' as own from alerts where org_id = ${org.id}`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.own === null)).toBe(true);
  }, 60_000);
});

describe('hinoko_url_key', () => {
  it('reads copies of one address as one, and different posts as different', async () => {
    const key = async (u: string) => (await ctx.sql<{ k: string | null }[]>`select hinoko_url_key(${u}) as k`)[0]!.k;
    expect(await key('https://twitter.com/A/status/12?s=20')).toBe(await key('https://x.com/i/web/status/12'));
    expect(await key('https://x.com/a/status/12')).not.toBe(await key('https://x.com/a/status/13'));
    expect(await key('https://www.youtube.com/watch?v=Ab&t=3')).toBe('youtube.com/watch?v=Ab');
    expect(await key('https://www.youtube.com/watch?v=Ab')).not.toBe(await key('https://www.youtube.com/watch?v=ab'));
    expect(await key('https://www.instagram.com/p/CxY/?igsh=z')).toBe('instagram.com/p/CxY');
    expect(await key('https://m.facebook.com/permalink.php?story_fbid=9&id=7')).toBe('facebook.com/permalink.php?id=7&story_fbid=9');
    expect(await key('not a url')).toBeNull();
  });
});
