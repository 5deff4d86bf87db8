import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueAlertMails } from '../../src/notify/enqueue-alert-mails.ts';
import type { IncidentMailConfig } from '../../src/notify/enqueue-incident-mails.ts';
import { installationIdOf } from '../../src/notify/installation.ts';
import { Mailer } from '../../src/notify/mailer.ts';
import { createSmtpTransport } from '../../src/notify/transports.ts';
import type { AppContext } from '../../src/context.ts';
import { createApp } from '../../src/server/app.ts';
import { incidentForAlertChange } from '../../src/incidents/auto-open-incident.ts';
import { acknowledgeIncident } from '../../src/oncall/acknowledge-incident.ts';
import { startEscalation } from '../../src/oncall/escalation.ts';
import { escalateDue } from '../../src/oncall/escalation-job.ts';
import { Jobs } from '../../src/jobs/runner.ts';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { authHeaders } from '../support/api-auth.ts';

// Escalation with an injected clock: level 1 is paged in the transaction that opens the incident,
// later levels by the worker when a timeout passes, the policy repeats N times, an
// acknowledgement stops it; ack links from the real mails; overdue tasks mailed once.

let db: TestDatabase;
let smtp: SmtpFake;
let now = new Date('2026-11-24T01:00:00Z'); // Tuesday 10:00 JST
let ctx: AppContext;
let installationId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startSmtpFake();
  ctx = testContext(db, { now: () => now });
  installationId = await installationIdOf(ctx.sql);
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

async function user(orgId: string, role: string, name: string) {
  const [u] = await ctx.sql<{ id: string; email: string }[]>`
    insert into users (org_id, name, email, role) values (${orgId}, ${name}, ${`${unique(name)}@clinic.example.jp`}, ${role}) returning id, email`;
  return u!;
}

/** An org whose schedule has `a` on call, level 2 is `b`, repeated twice. */
async function setup(policy: { timeouts?: [number, number]; repeat?: number } = {}) {
  // The worker serves every org of the database: earlier tests' escalations and tasks are put to rest.
  await ctx.sql`update incident_escalations set status = 'closed', next_at = null where status = 'active'`;
  await ctx.sql`update incident_tasks set overdue_notified_at = now() where overdue_notified_at is null`;
  const { org } = await makeOrg(ctx, 'さくら医療法人');
  const a = await user(org.id, 'oncall_manager', 'a');
  const b = await user(org.id, 'oncall_manager', 'b');
  const director = await user(org.id, 'director', 'director');
  const [s] = await ctx.sql<{ id: string }[]>`
    insert into oncall_schedules (org_id, name, definition)
    values (${org.id}, '当番', ${ctx.sql.json({ rotation: { userIds: [a.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' }, restDayRotation: null })})
    returning id`;
  const [t1, t2] = policy.timeouts ?? [10, 15];
  await ctx.sql`insert into escalation_policies (org_id, levels, repeat) values (${org.id}, ${ctx.sql.json([
    { timeoutMinutes: t1, targets: [{ type: 'schedule', scheduleId: s!.id }] },
    {
      timeoutMinutes: t2,
      targets: [
        { type: 'user', userId: b.id },
        { type: 'address', address: 'jimu@clinic.example.jp' },
      ],
    },
  ])}, ${policy.repeat ?? 2})`;
  return { orgId: org.id, a, b, director, scheduleId: s!.id };
}

function mailCfg(): IncidentMailConfig {
  return {
    from: ctx.config.mail.from,
    publicUrl: ctx.config.mail.publicUrl,
    installationId,
    ackKey: ctx.keys.ackLinks,
    ackLinkTtlMs: ctx.config.oncall.ackLinkTtlMs,
    now,
  };
}

/** What the detection pass does for a crisis alert that opens an incident (src/detection-pass/run-detection.ts). */
async function openIncident(orgId: string): Promise<string> {
  return ctx.sql.begin(async (tx) => {
    const [a] = await tx<{ id: string }[]>`
      insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${orgId}, ${unique('ep')}, 'crisis', 'open', 4, 0.9, ${now}, ${now}, '【深刻度4 重大・炎上の疑い】<b>誤診</b>', ${tx.json({ bucketMs: 300000 })})
      returning id`;
    const opened = await incidentForAlertChange(tx, { orgId, alertId: a!.id, action: 'open', notify: true, at: now });
    expect(opened?.action).toBe('opened');
    expect(await startEscalation(tx, mailCfg(), orgId, opened!.incidentId)).toBe(true);
    return opened!.incidentId;
  });
}

/**
 * The mailer delivering every queued page now (at the simulated clock): a level's timeout counts
 * from its page's delivery (sent_at), so a test that moves the clock past it delivers first.
 */
const deliverAll = (orgId: string) => ctx.sql`
  update mail_outbox set status = 'sent', sent_at = ${now} where org_id = ${orgId} and status in ('pending', 'sending')`;

const pages = (orgId: string, incidentId: string) => ctx.sql<
  { to_address: string; dedupe_key: string; text_body: string; html_body: string; subject: string }[]
>`
  select to_address, dedupe_key, text_body, html_body, subject from mail_outbox where org_id = ${orgId} and incident_id = ${incidentId} and dedupe_key like 'page:%' order by id`;

it('pages level 1 at open, level 2 after its timeout, repeats the policy N times, then stops', async () => {
  now = new Date('2026-11-24T01:00:00Z');
  const { orgId, a, b } = await setup();
  const incidentId = await openIncident(orgId);
  expect((await pages(orgId, incidentId)).map((p) => p.to_address)).toEqual([a.email]);
  await deliverAll(orgId);

  now = minutes(9);
  expect((await escalateDue(ctx)).paged).toBe(0);
  now = minutes(1); // 10 minutes after opening
  expect((await escalateDue(ctx)).paged).toBe(1);
  expect(
    (await pages(orgId, incidentId))
      .slice(1)
      .map((p) => p.to_address)
      .sort(),
  ).toEqual([b.email, 'jimu@clinic.example.jp'].sort());
  await deliverAll(orgId);
  expect((await escalateDue(ctx)).paged).toBe(0);
  now = minutes(15); // level 2 timed out: round 2, level 1 again
  expect((await escalateDue(ctx)).paged).toBe(1);
  await deliverAll(orgId);
  now = minutes(10);
  expect((await escalateDue(ctx)).paged).toBe(1);
  await deliverAll(orgId);
  now = minutes(15); // round 2 level 2 timed out: exhausted
  expect((await escalateDue(ctx)).paged).toBe(0);
  now = minutes(600);
  expect((await escalateDue(ctx)).paged).toBe(0);

  const all = await pages(orgId, incidentId);
  expect(all.map((p) => p.dedupe_key.replace(/:to:.*/, ''))).toEqual([
    `page:${incidentId}:r1:l1`,
    `page:${incidentId}:r1:l2`,
    `page:${incidentId}:r1:l2`,
    `page:${incidentId}:r2:l1`,
    `page:${incidentId}:r2:l2`,
    `page:${incidentId}:r2:l2`,
  ]);
  const [esc] = await ctx.sql<
    { status: string }[]
  >`select status from incident_escalations where org_id = ${orgId} and incident_id = ${incidentId}`;
  expect(esc!.status).toBe('exhausted');
  const events = await ctx.sql<{ kind: string; data: { round: number; level: number } }[]>`
    select kind, data from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind = 'escalated' order by id`;
  expect(events.map((e) => `${e.data.round}.${e.data.level}`)).toEqual(['1.1', '1.2', '2.1', '2.2']);
  // The subject keeps the severity; the page carries an ack link in both parts; hostile text is escaped.
  expect(all[0]!.subject).toMatch(/^【火の粉・深刻度4 /);
  expect(all[0]!.text_body).toMatch(/\/ack\/v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/);
  expect(all[0]!.html_body).toMatch(/href="http[^"]+\/ack\/v1\./);
  expect(all[0]!.html_body).not.toContain('<b>誤診</b>');
});

it('an acknowledgement stops the escalation: no level is paged after it', async () => {
  now = new Date('2026-11-24T03:00:00Z');
  const { orgId, b } = await setup();
  const incidentId = await openIncident(orgId);
  await deliverAll(orgId);
  now = minutes(10);
  expect((await escalateDue(ctx)).paged).toBe(1);
  now = minutes(2);
  const ack = await acknowledgeIncident(ctx, orgId, incidentId, { type: 'user', id: b.id });
  expect(ack.first).toBe(true);
  now = minutes(60);
  expect((await escalateDue(ctx)).paged).toBe(0);
  expect(await pages(orgId, incidentId)).toHaveLength(3);
  const [row] = await ctx.sql<{ acknowledged_at: Date; status: string }[]>`
    select i.acknowledged_at, e.status from incidents i join incident_escalations e on e.org_id = i.org_id and e.incident_id = i.id
    where i.org_id = ${orgId} and i.id = ${incidentId}`;
  expect(row!.status).toBe('acknowledged');
  expect(row!.acknowledged_at.toISOString()).toBe(ack.acknowledgedAt.toISOString());
  const audit = await ctx.sql`select 1 from audit_log where org_id = ${orgId} and action = 'incident.acknowledge' and actor_id = ${b.id}`;
  expect(audit).toHaveLength(1);
});

it('two workers racing over the same due escalation page the level once', async () => {
  now = new Date('2026-11-24T05:00:00Z');
  const { orgId } = await setup();
  const incidents = [await openIncident(orgId), await openIncident(orgId).catch(() => null)].filter((x): x is string => x !== null);
  await deliverAll(orgId);
  now = minutes(10);
  const w1 = ctx;
  const w2 = testContext(db, { now: () => now });
  const results = await Promise.all([escalateDue(w1), escalateDue(w2), escalateDue(w1), escalateDue(w2)]);
  expect(results.reduce((n, r) => n + r.paged, 0)).toBe(incidents.length);
  for (const id of incidents) {
    const level2 = (await pages(orgId, id)).filter((p) => p.dedupe_key.includes(':r1:l2:'));
    expect(level2).toHaveLength(2); // user b and the plain address, once each
    const escalated = await ctx.sql`select 1 from incident_events where org_id = ${orgId} and incident_id = ${id} and kind = 'escalated'`;
    expect(escalated).toHaveLength(2);
  }
});

function tokenOf(text: string): string {
  return /\/ack\/(v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})/.exec(text)![1]!;
}

it('ack link: GET shows a confirm page and changes nothing; POST acknowledges once; reused, forged and expired links are refused', async () => {
  now = new Date('2026-11-24T07:00:00Z');
  const { orgId, a } = await setup();
  const incidentId = await openIncident(orgId);
  const app = createApp(ctx);
  const [page1] = await pages(orgId, incidentId);
  const token = tokenOf(page1!.text_body);
  const acknowledged = async () =>
    (
      await ctx.sql<
        { acknowledged_at: Date | null }[]
      >`select acknowledged_at from incidents where org_id = ${orgId} and id = ${incidentId}`
    )[0]!.acknowledged_at;

  for (let i = 0; i < 3; i++) {
    const get = await app.request(`/ack/${token}`);
    expect(get.status).toBe(200);
    const html = await get.text();
    expect(html).toContain('受領確認');
    expect(html).toContain('<form method="post"');
    expect(html).not.toContain('<b>誤診</b>');
  }
  expect(await acknowledged()).toBeNull();

  now = minutes(3);
  const post = await app.request(`/ack/${token}`, { method: 'POST' });
  expect(post.status).toBe(200);
  expect(await post.text()).toContain('受領確認を記録しました');
  expect((await acknowledged())!.toISOString()).toBe(now.toISOString());
  const [event] = await ctx.sql<{ actor_type: string; actor_id: string; data: { by: string; via: string } }[]>`
    select actor_type, actor_id, data from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind = 'acknowledged'`;
  expect(event).toMatchObject({ actor_type: 'user', actor_id: a.id, data: { by: `user:${a.id}`, via: 'link' } });
  expect(await ctx.sql`select 1 from audit_log where org_id = ${orgId} and action = 'incident.acknowledge'`).toHaveLength(1);

  const reused = await app.request(`/ack/${token}`, { method: 'POST' });
  expect(reused.status).toBe(409);
  expect(await reused.text()).toContain('すでに使用');
  expect((await app.request(`/ack/${token}`)).status).toBe(409);

  // Forged: a flipped payload byte, a flipped signature, a made-up token.
  const [, payload, mac] = token.split('.');
  const flipped = (s: string) => s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
  for (const bad of [`v1.${flipped(payload!)}.${mac}`, `v1.${payload}.${flipped(mac!)}`, 'v1.eyJvIjoiMSJ9.' + 'A'.repeat(43), 'nonsense']) {
    for (const method of ['GET', 'POST']) {
      const res = await app.request(`/ack/${bad}`, { method });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('無効');
    }
  }

  // Expired: a second incident's link, a day and a minute later.
  now = new Date('2026-11-26T07:00:00Z');
  const other = await openIncident(orgId);
  const otherToken = tokenOf((await pages(orgId, other))[0]!.text_body);
  now = new Date(now.getTime() + ctx.config.oncall.ackLinkTtlMs + 60_000);
  for (const method of ['GET', 'POST']) {
    const res = await app.request(`/ack/${otherToken}`, { method });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('有効期限');
  }
  expect((await ctx.sql`select acknowledged_at from incidents where org_id = ${orgId} and id = ${other}`)[0]!.acknowledged_at).toBeNull();
});

it('API: a logged-in on-call manager acknowledges; pr_staff may not', async () => {
  now = new Date('2026-11-27T01:00:00Z');
  const { orgId } = await setup();
  const incidentId = await openIncident(orgId);
  const app = createApp(ctx);
  const path = `/api/v1/organizations/${orgId}/incidents/${incidentId}/acknowledge`;
  expect((await app.request(path, { method: 'POST', headers: await authHeaders(ctx, { orgId, role: 'pr_staff' }) })).status).toBe(403);
  const res = await app.request(path, { method: 'POST', headers: await authHeaders(ctx, { orgId, role: 'oncall_manager' }) });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ first: true });
  const again = await app.request(path, { method: 'POST', headers: await authHeaders(ctx, { orgId, role: 'oncall_manager' }) });
  expect(await again.json()).toMatchObject({ first: false });
  expect(
    (
      await app.request(`/api/v1/organizations/${orgId}/incidents/999999/acknowledge`, {
        method: 'POST',
        headers: await authHeaders(ctx, { orgId, role: 'admin' }),
      })
    ).status,
  ).toBe(404);
});

it('pages and follow-ups reach the SMTP server once each, through an outage, in one thread, with mail_sent on the timeline', async () => {
  now = new Date('2026-11-28T01:00:00Z');
  const { orgId } = await setup();
  const incidentId = await openIncident(orgId);
  // sent_at on the test's clock: level 1's timeout counts from it.
  const mailer = new Mailer(
    { sql: ctx.sql, log: ctx.log, instanceId: unique('m'), now: () => now },
    {
      transport: createSmtpTransport(smtp.url, { connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000 }),
      from: ctx.config.mail.from,
      retry: { baseMs: 50, capMs: 200, maxAttempts: 50 },
      pollMs: 100,
    },
  );
  const mailJobs = new Jobs<AppContext>(ctx, mailer.jobs());
  const mineNow = () => smtp.received.filter((m) => new RegExp(`^X-Hinoko-Outbox-Id: ${orgId}-`, 'mi').test(m.headers));
  const waitMine = async (n: number) => {
    const until = Date.now() + 15_000;
    while (mineNow().length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} mails, got ${mineNow().length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await mailJobs.start();
  try {
    await waitMine(1);
    await smtp.stop(); // outage: level 2 is queued while the server is down
    now = minutes(10);
    expect((await escalateDue(ctx)).paged).toBe(1);
    // The server comes back only once every level-2 mail has met the outage (a fixed pause here
    // lost the race on a busy machine: the mailer had not tried yet, and the mails went out on
    // their first attempt).
    const until = Date.now() + 15_000;
    for (;;) {
      // Back to pending after a claim: that attempt failed against the stopped server.
      const [pending] = await ctx.sql<{ untried: number; queued: number }[]>`
        select count(*) filter (where not (status = 'pending' and attempts >= 1))::int as untried, count(*)::int as queued
        from mail_outbox where org_id = ${orgId} and status <> 'sent'`;
      if (pending!.queued > 0 && pending!.untried === 0) break;
      if (Date.now() > until) throw new Error('the level-2 mails were never tried during the outage');
      await new Promise((r) => setTimeout(r, 50));
    }
    await smtp.start();
    await waitMine(3);
    await new Promise((r) => setTimeout(r, 300));
    await mailJobs.drain();
  } finally {
    await mailJobs.stop();
  }
  const mine = mineNow();
  expect(mine).toHaveLength(3);
  const rows = await ctx.sql<
    { message_id: string; status: string; attempts: number }[]
  >`select message_id, status, attempts from mail_outbox where org_id = ${orgId} order by id`;
  expect(rows.every((r) => r.status === 'sent')).toBe(true);
  // The level-2 mails met the outage and were retried, yet each arrived once.
  expect(rows.slice(1).every((r) => r.attempts > 1)).toBe(true);
  expect(new Set(mine.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.message_id)));
  // One thread: later mails answer the first.
  const root = rows[0]!.message_id;
  for (const m of mine.filter((x) => x.messageId !== root))
    expect(m.headers).toMatch(new RegExp(`^In-Reply-To: ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'mi'));
  const kinds = await ctx.sql<{ kind: string; n: number }[]>`
    select kind, count(*)::int as n from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind like 'mail_%' group by kind order by kind`;
  expect(kinds).toEqual([
    { kind: 'mail_queued', n: 2 },
    { kind: 'mail_sent', n: 3 },
  ]);
});

it('overdue tasks mail their assignee (the on-call user for on-call tasks) or the owner role, once', async () => {
  now = new Date('2026-11-30T01:00:00Z');
  const { orgId, a } = await setup();
  const incidentId = await openIncident(orgId);
  const tasks = await ctx.sql<{ id: string; owner_role: string; assignee_id: string | null; due_at: Date }[]>`
    select id, owner_role, assignee_id, due_at from incident_tasks where org_id = ${orgId} and incident_id = ${incidentId} order by due_at`;
  expect(tasks.length).toBeGreaterThan(0);
  for (const t of tasks) expect(t.assignee_id).toBe(t.owner_role === 'oncall_manager' ? a.id : null);
  await ctx.sql`update escalation_policies set repeat = 1 where org_id = ${orgId}`;
  await ctx.sql`update incident_escalations set status = 'acknowledged', next_at = null where org_id = ${orgId}`;
  const first = tasks[0]!;
  now = new Date(first.due_at.getTime() + 60_000);
  const due = tasks.filter((t) => t.due_at <= now);
  expect((await escalateDue(ctx)).overdue).toBe(due.length);
  expect((await escalateDue(ctx)).overdue).toBe(0);
  const mails = await ctx.sql<{ to_address: string; dedupe_key: string; subject: string }[]>`
    select to_address, dedupe_key, subject from mail_outbox where org_id = ${orgId} and dedupe_key like 'task-overdue:%'`;
  expect(new Set(mails.map((m) => m.dedupe_key.replace(/:to:.*/, ''))).size).toBe(due.length);
  expect(mails[0]!.subject).toContain('期限超過');
  const events =
    await ctx.sql`select 1 from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind = 'task_overdue'`;
  expect(events).toHaveLength(due.length);
});

it('a level that resolves to nobody (the on-call user disabled) pages the static recipients instead of vanishing', async () => {
  now = new Date('2026-12-01T01:00:00Z');
  const { orgId, a } = await setup();
  await ctx.sql`update users set disabled_at = now() where org_id = ${orgId} and id = ${a.id}`;
  await ctx.sql`update organizations set settings = jsonb_set(settings, '{alerting}', ${ctx.sql.json({ recipients: ['fallback@clinic.example.jp'] })}) where id = ${orgId}`;
  const incidentId = await openIncident(orgId);
  expect((await pages(orgId, incidentId)).map((p) => p.to_address)).toEqual(['fallback@clinic.example.jp']);
});

it('a plain-address recipient acknowledges through their link: recorded as that address', async () => {
  now = new Date('2026-12-02T01:00:00Z');
  const { orgId } = await setup();
  const incidentId = await openIncident(orgId);
  await deliverAll(orgId);
  now = minutes(10);
  await escalateDue(ctx);
  const jimu = (await pages(orgId, incidentId)).find((p) => p.to_address === 'jimu@clinic.example.jp')!;
  now = minutes(1);
  const res = await createApp(ctx).request(`/ack/${tokenOf(jimu.text_body)}`, { method: 'POST' });
  expect(res.status).toBe(200);
  const [event] = await ctx.sql<{ actor_type: string; actor_id: string; data: { by: string } }[]>`
    select actor_type, actor_id, data from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind = 'acknowledged'`;
  expect(event).toMatchObject({
    actor_type: 'system',
    actor_id: 'ack-link:jimu@clinic.example.jp',
    data: { by: 'address:jimu@clinic.example.jp' },
  });
});

it('grouping: another series of the same flare-up joining at the same severity is not another mail; a higher severity goes to the paged only', async () => {
  now = new Date('2026-12-01T01:00:00Z');
  const { orgId, a } = await setup();
  // The paged person is on the static list too; someone else on it must not hear about this incident.
  await ctx.sql`update organizations set settings = jsonb_set(settings, '{alerting}', ${ctx.sql.json({ recipients: ['all@clinic.example.jp', a.email], minSeverity: 3 })}) where id = ${orgId}`;
  const incidentId = await openIncident(orgId);
  expect((await pages(orgId, incidentId)).map((p) => p.to_address)).toEqual([a.email]);
  /** A watch target's alert joining the incident, as detection records it and mails it. */
  const targetAlert = async (severity: number, action: 'open' | 'escalate', alertId?: string) =>
    ctx.sql.begin(async (tx) => {
      const [row] = alertId
        ? await tx<{ id: string }[]>`update alerts set severity = ${severity} where org_id = ${orgId} and id = ${alertId} returning id`
        : await tx<{ id: string }[]>`
        insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
        values (${orgId}, ${unique('ep')}, 'crisis', 'open', ${severity}, 0.9, ${now}, ${now}, '対象の急増', '{}') returning id`;
      await incidentForAlertChange(tx, { orgId, alertId: row!.id, action, notify: true, at: now });
      const [ev] = await tx<{ id: string }[]>`
      insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
      values (${orgId}, ${row!.id}, ${action}, true, ${severity}, 0.9, ${now}, 'x') returning id`;
      const queued = await enqueueAlertMails(
        tx,
        { from: ctx.config.mail.from, publicUrl: ctx.config.mail.publicUrl, installationId, incident: mailCfg() },
        {
          orgId,
          watchTargetId: null,
          alertId: row!.id,
          alertEventId: ev!.id,
          action,
          kind: 'crisis',
          severity,
          summary: '対象の急増',
          explanation: {},
          at: now,
        },
      );
      return { alertId: row!.id, queued };
    });
  const joined = await targetAlert(4, 'open');
  expect(joined.queued).toBe(0);
  now = minutes(5);
  const risen = await targetAlert(5, 'escalate', joined.alertId);
  expect(risen.queued).toBe(1);
  const rows = await ctx.sql<
    { to_address: string; severity: number }[]
  >`select to_address, severity from mail_outbox where org_id = ${orgId} order by id`;
  expect(rows).toEqual([
    { to_address: a.email, severity: 4 },
    { to_address: a.email, severity: 5 },
  ]);
});
