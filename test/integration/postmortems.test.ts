import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditActor } from '../../src/audit/record.ts';
import { verifyAudit } from '../../src/audit/record.ts';
import { createApp } from '../../src/server/app.ts';
import { addNote } from '../../src/incidents/add-note.ts';
import { promoteAlert } from '../../src/incidents/promote-alert.ts';
import { transitionIncident } from '../../src/incidents/transition-incident.ts';
import { updateTask } from '../../src/incidents/update-task.ts';
import { approveStatement } from '../../src/statements/approve-statement.ts';
import { createStatement } from '../../src/statements/create-statement.ts';
import { publishStatement } from '../../src/statements/publish-statement.ts';
import { submitStatement } from '../../src/statements/submit-statement.ts';
import { makeOrg, makeSource, testContext } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-11-20T03:25:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db, { now: () => now });
  app = createApp(ctx);
});
afterAll(async () => {
  await db.drop();
});

const HOUR = 3_600_000;
const MIN = 60_000;
const utc = (s: string) => new Date(s);
const hostile = '<script>alert(1)</script> `rm -rf` [ここをクリック](javascript:alert(1)) | 表 | ** 最悪のクリニック **';

const goodApology = {
  title: '職員による不適切な投稿についてのお詫び',
  body:
    '11月20日、当院職員が院内で撮影した写真を個人のSNSに投稿していたことが判明いたしました。多大なご迷惑とご心配をおかけしましたことを、' +
    '心より深くお詫び申し上げます。原因は、SNS利用に関する職員教育が不十分であったことです。再発防止策として、全職員を対象とした研修を12月中に実施します。',
};

interface Post {
  at: Date;
  negative: boolean;
  author: string;
  text?: string;
  likes?: number;
  views?: number | null;
}

/**
 * The stored world of one flare-up: a quiet week (2 posts an hour, every 4th hour one negative:
 * p0 = 0.125, λ = 0.25/h), nothing for two days, then the episode hour by hour. Mentions are real
 * rows; mention_counts are aggregated from them per 5-minute bucket as ingest keeps them.
 */
async function seedWorld(orgId: string) {
  const source = await makeSource(ctx, orgId);
  const posts: Post[] = [];
  const alertHour = utc('2026-11-20T03:00:00Z').getTime();
  const baseFrom = alertHour - 48 * HOUR - 168 * HOUR;
  for (let h = 0; h < 168; h++) {
    posts.push({ at: new Date(baseFrom + h * HOUR + 10 * MIN), negative: h % 4 === 0, author: `base-${h % 20}` });
    posts.push({ at: new Date(baseFrom + h * HOUR + 40 * MIN), negative: false, author: `base-${(h + 7) % 20}` });
  }
  // [hour (UTC) on 2026-11-20, total, negative]; the alert opens at 03:20 in the 03:00 hour.
  const episode: [number, number, number][] = [
    [1, 3, 3],
    [2, 8, 6],
    [3, 25, 20],
    [4, 15, 10],
    [5, 10, 2],
    [6, 10, 5],
    [7, 10, 1],
    [9, 8, 1],
  ];
  let k = 0;
  for (const [hour, total, negative] of episode) {
    for (let i = 0; i < total; i++) {
      // The first negative post of the episode is at 01:10; within an hour posts are a minute apart.
      const at = new Date(alertHour + (hour - 3) * HOUR + (10 + i) * MIN);
      posts.push({ at, negative: i < negative, author: `ep-${k++ % 30}`, likes: 1 });
    }
  }
  // The most-shared post is hostile text.
  const hostileAt = utc('2026-11-20T03:45:00Z');
  posts.push({ at: hostileAt, negative: true, author: 'ep-attacker', text: hostile, likes: 500, views: 9000 });
  let n = 0;
  for (const p of posts) {
    n++;
    await ctx.sql`
      with k as (
        insert into mention_keys (org_id, source_id, external_id, posted_at) values (${orgId}, ${source.id}, ${`pm-${n}`}, ${p.at}) returning id
      )
      insert into mentions (org_id, id, source_id, external_id, author_id, author_handle, text, posted_at, likes, reposts, views, raw, sentiment_label)
      select ${orgId}, k.id, ${source.id}, ${`pm-${n}`}, ${p.author}, ${p.author}, ${p.text ?? `テスト内科の投稿 ${n}`}, ${p.at}, ${p.likes ?? 0},
        ${p.likes ? 2 : 0}, ${p.views ?? null}, '{}', ${p.negative ? 'negative' : 'neutral'} from k`;
  }
  await ctx.sql`
    insert into mention_counts (org_id, watch_target_id, bucket_start, total, negative)
    select org_id, null, to_timestamp(floor(extract(epoch from posted_at) / 300) * 300), count(*), count(*) filter (where sentiment_label = 'negative')
    from mentions where org_id = ${orgId} group by 1, 3`;
  const [alert] = await ctx.sql<{ id: string }[]>`
    insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
    values (${orgId}, null, 'ep-1', 'crisis', 'open', 4, 6.5, '2026-11-20T03:20:00Z', '2026-11-20T03:20:00Z', '否定的投稿が急増しています', '{}')
    returning id`;
  const episodePosts = posts.filter((p) => p.at >= utc('2026-11-20T01:00:00Z'));
  return { alertId: alert!.id, episodePosts };
}

async function makeUser(orgId: string, role: string, name: string, disabled = false) {
  const [u] = await ctx.sql<{ id: string }[]>`
    insert into users (org_id, name, email, role, disabled_at) values (${orgId}, ${name}, ${`${name}-${orgId}-${Math.random().toString(36).slice(2)}@example.jp`}, ${role}, ${disabled ? now : null})
    returning id`;
  return u!.id;
}

const user = (id: string): AuditActor => ({ type: 'user', id });

/** Hostile on purpose: it lands in the Markdown and HTML exports. */
const resolveReason = '院長判断 <b>削除しない</b>。メディアからの問い合わせなし';

describe('a resolved flare-up drafts its post-mortem with the right metrics', () => {
  let orgId: string;
  let incidentId: string;
  let episodePosts: Post[];
  let base: string;
  let send: (method: string, path: string, role: 'pr_staff' | 'oncall_manager' | 'director' | 'admin', body?: unknown) => Promise<Response>;

  beforeAll(async () => {
    const { org } = await makeOrg(ctx, 'さくら<内科>クリニック');
    orgId = org.id;
    const world = await seedWorld(orgId);
    episodePosts = world.episodePosts;
    const manager = await makeUser(orgId, 'oncall_manager', '当番 花子');
    const author = await makeUser(orgId, 'pr_staff', '広報 一郎');
    const approver = await makeUser(orgId, 'director', '院長 次郎');

    now = utc('2026-11-20T03:25:00Z');
    incidentId = (await promoteAlert(ctx, orgId, world.alertId, user(manager))).id;
    base = `/api/v1/organizations/${orgId}/incidents/${incidentId}`;
    now = utc('2026-11-20T03:40:00Z');
    await transitionIncident(ctx, orgId, incidentId, { to: 'active', at: utc('2026-11-20T03:35:00Z') }, user(manager));
    const tasks = await ctx.sql<
      { id: string; step_key: string }[]
    >`select id, step_key from incident_tasks where incident_id = ${incidentId}`;
    const task = (key: string) => tasks.find((t) => t.step_key === key)!.id;
    now = utc('2026-11-20T04:00:00Z');
    await updateTask(ctx, orgId, incidentId, task('fact-check'), { status: 'done' }, user(manager));
    now = utc('2026-11-20T05:00:00Z');
    await updateTask(ctx, orgId, incidentId, task('internal-escalation'), { status: 'done' }, user(manager));
    now = utc('2026-11-20T06:00:00Z');
    await addNote(ctx, orgId, incidentId, { text: '<img src=x onerror=alert(1)> [メモ](javascript:void(0))' }, user(manager));
    now = utc('2026-11-20T07:10:00Z');
    const s = await createStatement(
      ctx,
      orgId,
      incidentId,
      { kind: 'apology', ...goodApology, title: hostile.slice(0, 100) },
      user(author),
    );
    await submitStatement(ctx, orgId, incidentId, s.id, user(author));
    await approveStatement(ctx, orgId, incidentId, s.id, { version: 1, overrides: [] }, user(approver));
    now = utc('2026-11-20T07:20:00Z');
    await publishStatement(ctx, orgId, incidentId, s.id, {}, user(author));

    send = async (method, path, role, body) =>
      app.request(path, {
        method,
        headers: { ...(await authHeaders(ctx, { orgId, role })), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    now = utc('2026-11-20T12:00:00Z');
    expect((await send('GET', `${base}/postmortem`, 'director')).status).toBe(404);
    // Required steps are still open (投稿削除の判断, メディア対応, …): resolving needs a reason, and
    // the refusal names them; 再発防止 is a follow-up and never blocks.
    const refused = await send('POST', `${base}/transitions`, 'oncall_manager', { to: 'resolved' });
    expect(refused.status).toBe(409);
    const message = (await refused.json()).error.message as string;
    expect(message).toContain('「投稿削除の判断」');
    expect(message).toContain('「メディア対応」');
    expect(message).not.toContain('事実確認');
    expect(message).not.toContain('再発防止');
    expect((await send('POST', `${base}/transitions`, 'oncall_manager', { to: 'resolved', reason: '   ' })).status).toBe(409);
    const resolved = await send('POST', `${base}/transitions`, 'oncall_manager', { to: 'resolved', reason: resolveReason });
    expect(resolved.status).toBe(200);
  });

  it('the reason for resolving over open required tasks is on the timeline, in the facts, the prose and both exports', async () => {
    const detail = await (await send('GET', base, 'pr_staff')).json();
    const resolvedEvent = detail.timeline.find(
      (e: { kind: string; data: { to?: string } }) => e.kind === 'status_changed' && e.data.to === 'resolved',
    );
    expect(resolvedEvent.data.reason).toBe(resolveReason);
    expect(resolvedEvent.data.openRequiredTasks.map((t: { title: string }) => t.title)).toEqual(
      expect.arrayContaining(['投稿削除の判断', 'メディア対応']),
    );
    const pm = await (await send('GET', `${base}/postmortem`, 'pr_staff')).json();
    expect(pm.facts.resolvedOverOpenTasks).toHaveLength(1);
    expect(pm.facts.resolvedOverOpenTasks[0]).toMatchObject({
      reason: resolveReason,
      tasks: expect.arrayContaining(['投稿削除の判断', 'メディア対応']),
    });
    expect(pm.wentBadly).toContain('「投稿削除の判断」');
    expect(pm.wentBadly).toContain(resolveReason);
    const md = await (await send('GET', `${base}/postmortem.md`, 'pr_staff')).text();
    expect(md).toContain('## 未完了の必須タスクを残した解決 (resolved with required tasks open)');
    expect(md).toContain('院長判断 &lt;b&gt;削除しない&lt;/b&gt;');
    const page = await (await send('GET', `${base}/postmortem.html`, 'pr_staff')).text();
    expect(page).toContain('未完了の必須タスクを残した解決');
    expect(page).toContain('院長判断 &lt;b&gt;削除しない&lt;/b&gt;');
    expect(page).not.toContain('<b>削除しない</b>');
  });

  it("metrics: detect 2h15m (01:10 → 03:25, the end of the alert's 5-minute window), acknowledge 15 min, first statement 4 h, resolve 8h40m, recovery 4 h (03:00 → 07:00)", async () => {
    const res = await send('GET', `${base}/postmortem`, 'pr_staff');
    expect(res.status).toBe(200);
    const pm = await res.json();
    expect(pm.status).toBe('draft');
    expect(pm.version).toBe(1);
    expect(pm.facts.episode.start).toBe('2026-11-20T01:00:00.000Z');
    expect(pm.facts.episode.firstNegativeAt).toBe('2026-11-20T01:10:00.000Z');
    expect(pm.facts.metrics).toEqual({
      timeToDetectMs: 2 * HOUR + 15 * MIN,
      timeToAcknowledgeMs: 15 * MIN,
      timeToFirstStatementMs: 4 * HOUR,
      timeToResolveMs: 8 * HOUR + 40 * MIN,
      sentimentRecoveryMs: 4 * HOUR,
    });
    expect(pm.facts.baseline.share).toBeCloseTo(0.125);
    expect(pm.facts.recovery).toEqual({ peakAt: '2026-11-20T03:00:00.000Z', peakNegative: 21, recoveredAt: '2026-11-20T07:00:00.000Z' });
  });

  it('impact: peak per hour, unique authors, reach, negative share, duration', async () => {
    const pm = await (await send('GET', `${base}/postmortem`, 'pr_staff')).json();
    const negatives = episodePosts.filter((p) => p.negative);
    expect(pm.facts.impact).toEqual({
      mentions: episodePosts.length,
      negative: negatives.length,
      negativeShare: negatives.length / episodePosts.length,
      uniqueAuthors: new Set(episodePosts.map((p) => p.author)).size,
      negativeAuthors: new Set(negatives.map((p) => p.author)).size,
      peakVolume: { count: 26, bucketStart: '2026-11-20T03:00:00.000Z' },
      reach: { engagement: episodePosts.reduce((s, p) => s + (p.likes ?? 0) + (p.likes ? 2 : 0), 0), views: 9000 },
      durationMs: 11 * HOUR,
    });
  });

  it('deadlines seed what went well and badly; the statement and the timeline are in the facts', async () => {
    const pm = await (await send('GET', `${base}/postmortem`, 'pr_staff')).json();
    const outcome = (key: string) => pm.facts.deadlines.find((d: { stepKey: string }) => d.stepKey === key)?.outcome;
    expect(outcome('fact-check')).toBe('met');
    expect(outcome('internal-escalation')).toBe('late');
    expect(pm.wentWell).toContain('事実確認');
    expect(pm.wentBadly).toMatch(/院内エスカレーション.*超過 40分/);
    expect(pm.facts.statements).toHaveLength(1);
    expect(pm.facts.statements[0].publishedAt).toBe('2026-11-20T07:20:00.000Z');
    expect(pm.facts.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['opened', 'status_changed', 'statement_published']),
    );
    const kinds = await ctx.sql<
      { kind: string }[]
    >`select kind from incident_events where incident_id = ${incidentId} and kind like 'postmortem_%'`;
    expect(kinds.map((r) => r.kind)).toEqual(['postmortem_drafted']);
  });

  it('Markdown and HTML exports escape hostile post and statement text, in JST, with print CSS and no external assets', async () => {
    const md = await send('GET', `${base}/postmortem.md`, 'pr_staff');
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    const text = await md.text();
    expect(text).toContain('2026/11/20 12:20 (JST)');
    expect(text).not.toContain('<script>');
    expect(text).not.toMatch(/(^|[^\\])\]\(javascript:/);
    expect(text).not.toMatch(/(^|[^\\])`rm/);
    expect(text).toContain('\\[ここをクリック\\](javascript:alert(1))');

    const html = await send('GET', `${base}/postmortem.html`, 'pr_staff');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(html.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const page = await html.text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('さくら&lt;内科&gt;クリニック');
    // No external assets and no live links: no tag carries href or src.
    expect(page).not.toMatch(/<[^>]*\s(href|src)=/i);
    expect(page).not.toMatch(/@import|url\(/);
    expect(page).toContain('@media print');
    expect(page).toContain('2026/11/20 10:10 (JST)');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(text).not.toContain('<img');
    expect(text).toContain('\\[メモ\\](javascript:void(0))');
  });

  it('edits need the version read: a stale version is a 409; action items become tasks with owners', async () => {
    const director = await makeUser(orgId, 'director', '院長 三郎');
    const stale = await send('PATCH', `${base}/postmortem`, 'director', { version: 99, summary: 'x' });
    expect(stale.status).toBe(409);
    const edited = await send('PATCH', `${base}/postmortem`, 'oncall_manager', {
      version: 1,
      wentWell: '初動は早かった。',
      actionItems: [
        { title: 'SNS研修の実施', ownerRole: 'pr_staff', assigneeId: director },
        { title: 'マニュアル改訂', ownerRole: 'director', dueAt: '2026-12-10T09:00:00+09:00' },
      ],
    });
    expect(edited.status).toBe(200);
    const pm = await edited.json();
    expect(pm.version).toBe(2);
    expect(pm.editedFields).toEqual(['wentWell']);
    expect(
      pm.actionItems.map((a: { key: string; title: string; assigneeName: string | null }) => [a.key, a.title, a.assigneeName]),
    ).toEqual([
      ['action:1', 'SNS研修の実施', '院長 三郎'],
      ['action:2', 'マニュアル改訂', null],
    ]);
    const tasks =
      await ctx.sql`select step_key, owner_role, due_at from incident_tasks where incident_id = ${incidentId} and step_key like 'action:%' order by step_key`;
    expect(tasks.map((t) => t.owner_role)).toEqual(['pr_staff', 'director']);
    expect(tasks[1]!.due_at).toEqual(utc('2026-12-10T00:00:00Z'));
    // The same version again is stale now.
    expect((await send('PATCH', `${base}/postmortem`, 'oncall_manager', { version: 1, summary: 'y' })).status).toBe(409);
    // pr_staff may read but not edit (the route table).
    expect((await send('PATCH', `${base}/postmortem`, 'pr_staff', { version: 2, summary: 'y' })).status).toBe(403);
    // An assignee from another org is refused.
    const { org: other } = await makeOrg(ctx, '別の病院');
    const stranger = await makeUser(other.id, 'director', '他院 四郎');
    const refused = await send('PATCH', `${base}/postmortem`, 'oncall_manager', {
      version: 2,
      actionItems: [{ title: 't', ownerRole: 'pr_staff', assigneeId: stranger }],
    });
    expect(refused.status).toBe(400);
  });

  it('regenerate refreshes facts and keeps edited prose; approval is a director’s, names the version, and is final', async () => {
    const before = await (await send('GET', `${base}/postmortem`, 'pr_staff')).json();
    now = utc('2026-11-20T13:00:00Z');
    const regen = await send('POST', `${base}/postmortem/regenerate`, 'oncall_manager');
    expect(regen.status).toBe(200);
    const pm = await regen.json();
    expect(pm.version).toBe(before.version + 1);
    expect(pm.wentWell).toBe('初動は早かった。');
    expect(pm.wentBadly).toBe(before.wentBadly);
    expect(pm.facts.generatedAt).toBe('2026-11-20T13:00:00.000Z');

    expect((await send('POST', `${base}/postmortem/approve`, 'oncall_manager', { version: pm.version })).status).toBe(403);
    expect((await send('POST', `${base}/postmortem/approve`, 'director', { version: pm.version - 1 })).status).toBe(409);
    const approved = await send('POST', `${base}/postmortem/approve`, 'director', { version: pm.version });
    expect(approved.status).toBe(200);
    const a = await approved.json();
    expect(a.status).toBe('approved');
    expect(a.approvedBy).toMatch(/^user:\d+$/);
    expect((await send('PATCH', `${base}/postmortem`, 'director', { version: a.version, summary: 'z' })).status).toBe(409);
    expect((await send('POST', `${base}/postmortem/regenerate`, 'director')).status).toBe(409);

    // Reopen and resolve again: the approved post-mortem stays as signed.
    now = utc('2026-11-20T14:00:00Z');
    expect((await send('POST', `${base}/transitions`, 'oncall_manager', { to: 'active', reason: '再燃' })).status).toBe(200);
    now = utc('2026-11-20T15:00:00Z');
    expect((await send('POST', `${base}/transitions`, 'oncall_manager', { to: 'resolved', reason: '再燃は収束' })).status).toBe(200);
    const after = await (await send('GET', `${base}/postmortem`, 'pr_staff')).json();
    expect(after.version).toBe(a.version);
    expect(after.facts.metrics.timeToResolveMs).toBe(8 * HOUR + 40 * MIN);
    const actions = await ctx.sql<
      { action: string }[]
    >`select action from audit_log where org_id = ${orgId} and action like 'postmortem.%' order by seq`;
    expect(actions.map((r) => r.action)).toEqual(['postmortem.draft', 'postmortem.edit', 'postmortem.regenerate', 'postmortem.approve']);
    expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([]);
  });
});

describe('reopen before approval refreshes the draft', () => {
  it('resolving again after a reopen regenerates the facts (new resolve time) and keeps edits', async () => {
    const { org } = await makeOrg(ctx);
    const mgr = await makeUser(org.id, 'oncall_manager', '当番');
    now = utc('2026-11-21T00:00:00Z');
    const [incident] = await ctx.sql<{ id: string }[]>`
      insert into incidents (org_id, title, status, severity, playbook_version, detected_at, acknowledged_at)
      values (${org.id}, '口コミの炎上', 'active', 3, 0, '2026-11-20T22:00:00Z', '2026-11-20T22:30:00Z') returning id`;
    const id = incident!.id;
    await transitionIncident(ctx, org.id, id, { to: 'resolved' }, user(mgr));
    const { editPostmortem } = await import('../../src/postmortems/edit-postmortem.ts');
    const { getPostmortem } = await import('../../src/postmortems/queries.ts');
    const first = await getPostmortem(ctx.sql, org.id, id);
    // No statement: null, not 0; no mentions: no recovery, no first negative post.
    expect(first.facts.metrics).toEqual({
      timeToDetectMs: null,
      timeToAcknowledgeMs: 30 * MIN,
      timeToFirstStatementMs: null,
      timeToResolveMs: 2 * HOUR,
      sentimentRecoveryMs: null,
    });
    expect(first.wentBadly).toContain('公式発表は出されていません');
    await editPostmortem(ctx, org.id, id, { version: first.version, summary: '人が書いた概要' }, user(mgr));
    now = utc('2026-11-21T01:00:00Z');
    await transitionIncident(ctx, org.id, id, { to: 'active', reason: '再燃' }, user(mgr));
    now = utc('2026-11-21T02:00:00Z');
    await transitionIncident(ctx, org.id, id, { to: 'resolved' }, user(mgr));
    const { approvePostmortem } = await import('../../src/postmortems/approve-postmortem.ts');
    await expect(approvePostmortem(ctx, org.id, id, { version: 2 }, { type: 'system', id: 'hinoko' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const second = await getPostmortem(ctx.sql, org.id, id);
    expect(second.version).toBe(3);
    expect(second.summary).toBe('人が書いた概要');
    expect(second.facts.metrics.timeToResolveMs).toBe(4 * HOUR);

    // Two editors who read the same version at once: one wins, the other gets a conflict.
    const results = await Promise.allSettled(
      ['A', 'B'].map((who) => editPostmortem(ctx, org.id, id, { version: 3, wentBadly: who }, user(mgr))),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('conflict');
    expect((await getPostmortem(ctx.sql, org.id, id)).version).toBe(4);
  });
});

describe('incident roles as people', () => {
  it('PATCH roles takes user ids of active users of the same org, with the timeline event and audit', async () => {
    const { org } = await makeOrg(ctx);
    const lead = await makeUser(org.id, 'pr_staff', '広報 五郎');
    const gone = await makeUser(org.id, 'pr_staff', '退職 六郎', true);
    const { org: other } = await makeOrg(ctx, '別院');
    const stranger = await makeUser(other.id, 'director', '他院 七郎');
    const [incident] = await ctx.sql<{ id: string }[]>`
      insert into incidents (org_id, title, status, severity, playbook_version, detected_at) values (${org.id}, 't', 'active', 3, 0, ${now}) returning id`;
    const path = `/api/v1/organizations/${org.id}/incidents/${incident!.id}/roles`;
    const patch = async (body: unknown) =>
      app.request(path, {
        method: 'PATCH',
        headers: { ...(await authHeaders(ctx, { orgId: org.id, role: 'oncall_manager' })), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await patch({ communicationsLeadId: lead, commander: 'oncall_manager' });
    expect(ok.status).toBe(200);
    const view = await ok.json();
    expect(view.people).toEqual({ commander: null, communicationsLead: lead, scribe: null });
    expect(view.roles.commander).toBe('oncall_manager');
    expect((await patch({ scribeId: gone })).status).toBe(400);
    expect((await patch({ scribeId: stranger })).status).toBe(400);
    expect((await patch({ scribeId: 'abc' })).status).toBe(400);
    const cleared = await (await patch({ communicationsLeadId: null })).json();
    expect(cleared.people.communicationsLead).toBeNull();
    const events = await ctx.sql<{ data: { after: { people: Record<string, string | null> } } }[]>`
      select data from incident_events where incident_id = ${incident!.id} and kind = 'roles_changed' order by id`;
    expect(events.map((e) => e.data.after.people.communicationsLead)).toEqual([lead, null]);
    const audits = await ctx.sql`select 1 from audit_log where org_id = ${org.id} and action = 'incident.roles'`;
    expect(audits).toHaveLength(2);
  });
});

describe('org report', () => {
  it('incidents per JST month with medians of the metrics, JSON and a printable page', async () => {
    const { org } = await makeOrg(ctx, '報告<テスト>病院');
    const ins = async (detected: string, ackMin: number | null, status = 'resolved') => {
      const d = utc(detected);
      await ctx.sql`
        insert into incidents (org_id, title, status, severity, playbook_version, detected_at, acknowledged_at, resolved_at)
        values (${org.id}, ${'<b>件名</b>'}, ${status}, 3, 0, ${d}, ${ackMin === null ? null : new Date(d.getTime() + ackMin * MIN)},
          ${status === 'resolved' ? new Date(d.getTime() + 5 * HOUR) : null})`;
    };
    await ins('2026-10-31T14:00:00Z', 10); // 23:00 JST Oct 31: October
    await ins('2026-10-31T16:00:00Z', 20); // 01:00 JST Nov 1: November
    await ins('2026-11-10T00:00:00Z', 40);
    await ins('2026-11-12T00:00:00Z', null);
    await ins('2026-11-13T00:00:00Z', 5, 'cancelled');
    now = utc('2026-11-25T00:00:00Z');
    const q = `from=${encodeURIComponent('2026-10-01T00:00:00+09:00')}&to=${encodeURIComponent('2026-12-01T00:00:00+09:00')}`;
    const headers = await authHeaders(ctx, { orgId: org.id, role: 'director' });
    const res = await app.request(`/api/v1/organizations/${org.id}/reports/incidents?${q}`, { headers });
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(
      report.months.map(
        (m: { month: string; incidents: number; medians: { timeToAcknowledgeMs: number | null; timeToResolveMs: number | null } }) => [
          m.month,
          m.incidents,
          m.medians.timeToAcknowledgeMs,
          m.medians.timeToResolveMs,
        ],
      ),
    ).toEqual([
      ['2026-10', 1, 10 * MIN, 5 * HOUR],
      ['2026-11', 3, 30 * MIN, 5 * HOUR],
    ]);
    const page = await app.request(`/api/v1/organizations/${org.id}/reports/incidents.html?${q}`, { headers });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('報告&lt;テスト&gt;病院');
    expect(html).not.toContain('<b>件名</b>');
    expect(html).toContain('@media print');
    expect(html).toContain('30分');
    expect(
      (
        await app.request(`/api/v1/organizations/${org.id}/reports/incidents?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`, {
          headers,
        })
      ).status,
    ).toBe(400);
  });
});
