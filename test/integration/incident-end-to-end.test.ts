import { expect, it } from 'vitest';
import { systemActor, verifyAudit } from '../../src/audit/record.ts';
import { createUser } from '../../src/auth/create-user.ts';
import { createApp } from '../../src/server/app.ts';
import { escalateDue } from '../../src/oncall/escalation-job.ts';
import { decodeTextPart } from '../fakes/smtp-fake.ts';
import { authHeaders } from '../support/api-auth.ts';
import { one } from '../support/db.ts';
import { demoMailer, openDemoClinic, runDemoAt, useDatabaseAndSmtp } from '../support/demo-flow.ts';
import { contractErrors } from '../support/openapi-contract.ts';

// The whole story of issue 6, through the public surfaces only: the demo stream flares up,
// detection raises an alert and opens an incident, the on-call manager (a real user who logs in
// with a password) is paged by e-mail through a real SMTP server, acknowledges through the link in
// that mail, the team works the playbook's tasks and publishes an approved statement, resolves the
// incident, and the director approves a post-mortem whose metrics match what happened.

const env = useDatabaseAndSmtp();

const MIN = 60_000;

it('demo flare-up → alert → incident → page received over SMTP → acknowledged via the link → tasks → statement → resolved → post-mortem with the right metrics', async () => {
  const start = new Date('2026-11-20T01:00:00Z'); // 10:00 JST, a Friday
  const { smtp } = env;
  const clinic = await openDemoClinic(env.db, start);
  const { ctx, orgId, clock } = clinic;
  const app = createApp(ctx);

  const call = async (method: string, path: string, auth: Record<string, string>, body?: unknown) => {
    const res = await app.request(`/api/v1/organizations/${orgId}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    const json = text ? JSON.parse(text) : null;
    // Every answer on the way is held to the OpenAPI document.
    expect(contractErrors(method, `/api/v1/organizations/${orgId}${path}`, res.status, json)).toEqual([]);
    return json;
  };

  // People: the admin, just logged in (adding a user with a password takes that), adds an on-call
  // manager; she logs in like on the web page.
  const admin = await authHeaders(ctx, { orgId, role: 'admin' });
  const password = 'さくら当番の長い合言葉は冬の夜空';
  const logIn = async (email: string, pw = password) => {
    const res = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: pw }),
    });
    expect(res.status).toBe(200);
    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': (await res.json()).csrfToken as string };
  };
  await createUser(
    ctx,
    orgId,
    { name: '管理 一郎', email: 'kanri@sakura.example.jp', role: 'admin', password: `${password}と管理` },
    systemActor,
  );
  const adminSession = await logIn('kanri@sakura.example.jp', `${password}と管理`);
  const hanako = await call('POST', '/users', adminSession, {
    name: '当番 花子',
    email: 'hanako@sakura.example.jp',
    role: 'oncall_manager',
    password,
  });
  let session = await logIn('hanako@sakura.example.jp');
  const prStaff = await authHeaders(ctx, { orgId, role: 'pr_staff' });
  const director = await authHeaders(ctx, { orgId, role: 'director' });

  // On call: Hanako's weekly rotation, handed off at 09:00 JST; level 2 is the director's address.
  const schedule = await call('POST', '/oncall/schedules', session, {
    name: '外来当番',
    rotation: { userIds: [hanako.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-01' },
  });
  await call('PUT', '/escalation-policy', admin, {
    levels: [
      { timeoutMinutes: 15, targets: [{ type: 'schedule', scheduleId: schedule.id }] },
      { timeoutMinutes: 30, targets: [{ type: 'address', address: 'director@sakura.example.jp' }] },
    ],
    repeat: 1,
  });

  // The demo stream runs minute by minute; the flare-up starts a few minutes in.
  const mailer = demoMailer(ctx, smtp, 'e2e', 100);
  await mailer.start();
  let incidentId: string | null = null;
  try {
    for (let minute = 0; minute <= 40 && incidentId === null; minute++) {
      await runDemoAt(clinic, new Date(start.getTime() + minute * MIN));
      const [opened] = await ctx.sql<{ id: string }[]>`select id from incidents where org_id = ${orgId}`;
      incidentId = opened?.id ?? null;
    }
    expect(incidentId).not.toBeNull();
    await smtp.waitFor(1, 10_000);
    await mailer.drain();
  } finally {
    await mailer.stop();
  }

  const incident = await call('GET', `/incidents/${incidentId}`, prStaff);
  expect(incident.status).toBe('triage');
  expect(incident.alerts.length).toBeGreaterThanOrEqual(1);
  expect(incident.tasks.length).toBeGreaterThanOrEqual(5);
  const detectedAt = new Date(incident.detectedAt);

  // The page reached the SMTP server, addressed to the on-call user, with the ack link in it.
  const page = smtp.received.find((m) => m.to.includes('hanako@sakura.example.jp'));
  expect(page).toBeDefined();
  expect(smtp.received.filter((m) => m.to.includes('director@sakura.example.jp'))).toEqual([]);
  expect(page!.subject).toMatch(/深刻度[3-5]/);
  const text = decodeTextPart(page!.raw);
  const link = /https?:\/\/[^\s]+\/ack\/(v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})/.exec(text);
  expect(link).not.toBeNull();

  // Twelve minutes after detection she opens the link: a confirm page, nothing acknowledged yet.
  clock.now = new Date(detectedAt.getTime() + 12 * MIN);
  const confirm = await app.request(`/ack/${link![1]}`);
  expect(confirm.status).toBe(200);
  expect(await confirm.text()).toContain('<form');
  expect((await call('GET', `/incidents/${incidentId}`, prStaff)).acknowledgedAt).toBeNull();
  expect((await app.request(`/ack/${link![1]}`, { method: 'POST' })).status).toBe(200);
  expect(new Date((await call('GET', `/incidents/${incidentId}`, prStaff)).acknowledgedAt).getTime()).toBe(clock.now.getTime());
  // Spent: the link works once; and level 2 is never paged, even long after its timeout.
  expect((await app.request(`/ack/${link![1]}`, { method: 'POST' })).status).toBe(409);
  clock.now = new Date(detectedAt.getTime() + 90 * MIN);
  expect((await escalateDue(ctx)).paged).toBe(0);

  // She takes command; PR staff draft the holding statement from the template, she approves it.
  clock.now = new Date(detectedAt.getTime() + 20 * MIN);
  await call('POST', `/incidents/${incidentId}/transitions`, session, { to: 'active' });
  await call('PATCH', `/incidents/${incidentId}/roles`, session, { commanderId: hanako.id });
  const draft = await call('POST', `/incidents/${incidentId}/statements`, prStaff, { kind: 'holding' });
  const filled = String(draft.body).replace(/【記入:[^】]*】/g, '本日、当院の職員によるSNSへの不適切な投稿を確認いたしました');
  const edited = await call('PATCH', `/incidents/${incidentId}/statements/${draft.id}`, prStaff, { version: draft.version, body: filled });
  const submitted = await call('POST', `/incidents/${incidentId}/statements/${draft.id}/submit`, prStaff);
  const blocking = (submitted.findings ?? []).filter((f: { severity: string }) => f.severity === 'block');
  await call('POST', `/incidents/${incidentId}/statements/${draft.id}/approve`, session, {
    version: submitted.version ?? edited.version,
    overrides: blocking.map((f: { id: string }) => ({ findingId: f.id, reason: '院長・法務と確認済み' })),
  });
  clock.now = new Date(detectedAt.getTime() + 95 * MIN);
  await call('POST', `/incidents/${incidentId}/statements/${draft.id}/publish`, session, {});
  const firstStatementAt = clock.now;

  // Every task is worked: done by whoever owns it (PR staff may tick tasks too).
  clock.now = new Date(detectedAt.getTime() + 3 * 60 * MIN);
  for (const task of (await call('GET', `/incidents/${incidentId}`, prStaff)).tasks) {
    if (task.status === 'open')
      await call('PATCH', `/incidents/${incidentId}/tasks/${task.id}`, prStaff, { status: 'done', note: '対応済み' });
  }
  clock.now = new Date(detectedAt.getTime() + 6 * 60 * MIN);
  // Hours later her session has idled out: she logs in again.
  expect((await app.request(`/api/v1/organizations/${orgId}/incidents/${incidentId}`, { headers: session })).status).toBe(401);
  session = await logIn('hanako@sakura.example.jp');
  const resolved = await call('POST', `/incidents/${incidentId}/transitions`, session, { to: 'resolved' });
  expect(resolved.status).toBe('resolved');

  // The post-mortem was drafted on resolve, with the metrics of what happened above.
  const pm = await call('GET', `/incidents/${incidentId}/postmortem`, director);
  expect(pm.status).toBe('draft');
  const metrics = pm.facts.metrics as Record<string, number | null>;
  expect(metrics.timeToAcknowledgeMs).toBe(12 * MIN);
  expect(metrics.timeToFirstStatementMs).toBe(firstStatementAt.getTime() - detectedAt.getTime());
  expect(metrics.timeToResolveMs).toBe(6 * 60 * MIN);
  // Time to detect: from the first negative post of the episode to the end of the 5-minute window
  // that raised the first alert — a real stored negative post, minutes before, not hours.
  const firstAlert = one(
    await ctx.sql<{ opened_at: Date }[]>`
    select min(opened_at) as opened_at from alerts a join incident_alerts ia on ia.org_id = a.org_id and ia.alert_id = a.id
    where ia.org_id = ${orgId} and ia.incident_id = ${incidentId}`,
  );
  const firstNegativeAt = new Date(pm.facts.episode.firstNegativeAt);
  expect(metrics.timeToDetectMs).toBe(firstAlert.opened_at.getTime() + 5 * MIN - firstNegativeAt.getTime());
  expect(metrics.timeToDetectMs).toBeGreaterThan(0);
  expect(metrics.timeToDetectMs).toBeLessThanOrEqual(30 * MIN);
  expect(
    await ctx.sql`select 1 from mentions where org_id = ${orgId} and posted_at = ${firstNegativeAt} and sentiment_label = 'negative'`,
  ).not.toHaveLength(0);
  expect(pm.facts.statements.map((s: { status: string }) => s.status)).toEqual(['published']);

  // The director approves; the exports carry the metrics; nothing on the audit chain was broken.
  await call('POST', `/incidents/${incidentId}/postmortem/approve`, director, { version: pm.version });
  const md = await app.request(`/api/v1/organizations/${orgId}/incidents/${incidentId}/postmortem.md`, { headers: director });
  expect(md.status).toBe(200);
  const markdown = await md.text();
  expect(markdown).toContain('受領までの時間');
  expect(markdown).toContain('12分');
  const timeline = (await call('GET', `/incidents/${incidentId}`, prStaff)).timeline.map((e: { kind: string }) => e.kind);
  for (const kind of [
    'opened',
    'mail_queued',
    'mail_sent',
    'acknowledged',
    'status_changed',
    'statement_approved',
    'statement_published',
    'task_updated',
    'postmortem_drafted',
    'postmortem_approved',
  ]) {
    expect(timeline, kind).toContain(kind);
  }
  expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([]);
}, 180_000);
