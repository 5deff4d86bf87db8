import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueAlertMails } from '../../src/notify/enqueue-alert-mails.ts';
import { incidentMailConfigFor, mailEnqueueConfigFor } from '../../src/notify/mail-config.ts';
import { updateAlertingSettings } from '../../src/notify/recipients.ts';
import { systemActor } from '../../src/audit/record.ts';
import type { AppContext } from '../../src/context.ts';
import { createApp } from '../../src/server/app.ts';
import { incidentForAlertChange } from '../../src/incidents/auto-open-incident.ts';
import { startEscalation } from '../../src/oncall/escalation.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { contractErrors } from '../support/openapi-contract.ts';

// The on-call API (schedules, overrides, who is on call, the policy, task assignee) and the
// grouping rule for mails about an incident.

let db: TestDatabase;
let ctx: AppContext;
const now = new Date('2026-11-23T01:00:00Z'); // 勤労感謝の日, Monday 10:00 JST
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db, { now: () => now });
});
afterAll(async () => {
  await db.drop();
});

async function user(orgId: string, role: string, name: string) {
  const [u] = await ctx.sql<{ id: string; email: string }[]>`
    insert into users (org_id, name, email, role) values (${orgId}, ${name}, ${`${unique(name)}@clinic.example.jp`}, ${role}) returning id, email`;
  return u!;
}

const json = (body: unknown, headers: Record<string, string>) => ({
  body: JSON.stringify(body),
  headers: { ...headers, 'content-type': 'application/json' },
});

it('schedules: create, who is on call across the holiday layer and an override, refusals and roles', async () => {
  const { org } = await makeOrg(ctx);
  const orgId = org.id;
  const [a, b, c] = [
    await user(orgId, 'oncall_manager', 'a'),
    await user(orgId, 'oncall_manager', 'b'),
    await user(orgId, 'director', 'c'),
  ];
  const app = createApp(ctx);
  const manager = await authHeaders(ctx, { orgId, role: 'oncall_manager' });
  const staff = await authHeaders(ctx, { orgId, role: 'pr_staff' });
  const base = `/api/v1/organizations/${orgId}/oncall/schedules`;
  const body = {
    name: '広報当番',
    rotation: { userIds: [a.id, b.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-16' },
    restDayRotation: { userIds: [c.id], lengthDays: 1, handoffTime: '09:00', startDate: '2026-11-01' },
  };
  expect((await app.request(base, { method: 'POST', ...json(body, staff) })).status).toBe(403);
  expect(
    (await app.request(base, { method: 'POST', ...json({ ...body, rotation: { ...body.rotation, handoffTime: '9時' } }, manager) })).status,
  ).toBe(400);
  expect(
    (await app.request(base, { method: 'POST', ...json({ ...body, rotation: { ...body.rotation, userIds: ['999999'] } }, manager) }))
      .status,
  ).toBe(400);
  const created = await app.request(base, { method: 'POST', ...json(body, manager) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect(((await (await app.request(base, { headers: staff })).json()) as { items: unknown[] }).items).toHaveLength(1);

  const who = async (at?: string) =>
    (
      (await (await app.request(`${base}/${id}/on-call${at ? `?at=${encodeURIComponent(at)}` : ''}`, { headers: staff })).json()) as {
        onCall: { userId: string; source: string; user: { email: string } } | null;
      }
    ).onCall;
  // Now: the holiday (勤労感謝の日), so the rest-day rotation.
  expect(await who()).toMatchObject({ userId: c.id, source: 'rest_day_rotation', user: { email: c.email } });
  expect(await who('2026-11-24T00:30:00Z')).toMatchObject({ userId: b.id, source: 'rotation' }); // Tue 09:30 JST, week 2
  expect(await who('2026-11-23T23:59:00Z')).toMatchObject({ userId: c.id }); // Tue 08:59 JST: still the holiday's day
  expect((await app.request(`${base}/${id}/on-call?at=yesterday`, { headers: staff })).status).toBe(400);
  expect((await app.request(`${base}/999999/on-call`, { headers: staff })).status).toBe(404);

  const override = { userId: a.id, startsAt: '2026-11-24T00:00:00Z', endsAt: '2026-11-24T12:00:00Z' };
  expect((await app.request(`${base}/${id}/overrides`, { method: 'POST', ...json(override, staff) })).status).toBe(403);
  expect(
    (await app.request(`${base}/${id}/overrides`, { method: 'POST', ...json({ ...override, endsAt: override.startsAt }, manager) })).status,
  ).toBe(400);
  expect((await app.request(`${base}/${id}/overrides`, { method: 'POST', ...json(override, manager) })).status).toBe(201);
  expect(await who('2026-11-24T00:30:00Z')).toMatchObject({ userId: a.id, source: 'override' });

  const put = await app.request(`${base}/${id}`, { method: 'PUT', ...json({ ...body, restDayRotation: null }, manager) });
  expect(put.status).toBe(200);
  expect(await who()).toMatchObject({ userId: b.id, source: 'rotation' });
  const audit = await ctx.sql<
    { action: string }[]
  >`select action from audit_log where org_id = ${orgId} and action like 'oncall.%' order by seq`;
  expect(audit.map((r) => r.action)).toEqual(['oncall.schedule_create', 'oncall.override', 'oncall.schedule_update']);
});

it('escalation policy: validated, stored, readable; task assignee set by a manager', async () => {
  const { org } = await makeOrg(ctx);
  const orgId = org.id;
  const a = await user(orgId, 'oncall_manager', 'a');
  const app = createApp(ctx);
  const manager = await authHeaders(ctx, { orgId, role: 'oncall_manager' });
  const staff = await authHeaders(ctx, { orgId, role: 'pr_staff' });
  const path = `/api/v1/organizations/${orgId}/escalation-policy`;
  const none = await (await app.request(path, { headers: staff })).json();
  expect(none).toEqual({ policy: null });
  expect(contractErrors('GET', path, 200, none)).toEqual([]);
  // …while the answer to setting one is never null (a nullable named schema once made both nullable).
  expect(contractErrors('PUT', path, 200, null)).not.toEqual([]);
  const policy = {
    levels: [
      { timeoutMinutes: 10, targets: [{ type: 'user', userId: a.id }] },
      { timeoutMinutes: 30, targets: [{ type: 'address', address: 'Jimu@Clinic.example.JP' }] },
    ],
    repeat: 3,
  };
  expect((await app.request(path, { method: 'PUT', ...json(policy, staff) })).status).toBe(403);
  for (const bad of [
    { levels: [] },
    { ...policy, repeat: 0 },
    { levels: [{ timeoutMinutes: 0, targets: [{ type: 'user', userId: a.id }] }] },
    { levels: [{ timeoutMinutes: 5, targets: [{ type: 'schedule', scheduleId: '999999' }] }] },
    { levels: [{ timeoutMinutes: 5, targets: [{ type: 'address', address: 'a@b.example\r\nBcc: x@y.example' }] }] },
  ]) {
    expect((await app.request(path, { method: 'PUT', ...json(bad, manager) })).status).toBe(400);
  }
  expect((await app.request(path, { method: 'PUT', ...json(policy, manager) })).status).toBe(200);
  expect(await (await app.request(path, { headers: staff })).json()).toMatchObject({
    policy: { repeat: 3, levels: [{ timeoutMinutes: 10 }, { targets: [{ address: 'Jimu@clinic.example.jp' }] }] },
  });

  const incidentId = await openIncident(orgId, false);
  const [task] = await ctx.sql<
    { id: string }[]
  >`select id from incident_tasks where org_id = ${orgId} and incident_id = ${incidentId} order by id limit 1`;
  const tpath = `/api/v1/organizations/${orgId}/incidents/${incidentId}/tasks/${task!.id}/assignee`;
  expect((await app.request(tpath, { method: 'PUT', ...json({ assigneeId: a.id }, staff) })).status).toBe(403);
  expect((await app.request(tpath, { method: 'PUT', ...json({ assigneeId: '999999' }, manager) })).status).toBe(400);
  expect((await app.request(tpath, { method: 'PUT', ...json({ assigneeId: a.id }, manager) })).status).toBe(200);
  expect((await ctx.sql`select assignee_id from incident_tasks where org_id = ${orgId} and id = ${task!.id}`)[0]!.assignee_id).toBe(a.id);
});

async function openIncident(orgId: string, escalate = true): Promise<string> {
  const mail = await incidentMailConfigFor(ctx, now);
  return ctx.sql.begin(async (tx) => {
    const [a] = await tx<{ id: string }[]>`
      insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${orgId}, ${unique('ep')}, 'crisis', 'open', 4, 0.9, ${now}, ${now}, '炎上の疑い', ${tx.json({})}) returning id`;
    const opened = await incidentForAlertChange(tx, { orgId, alertId: a!.id, action: 'open', notify: true, at: now });
    if (escalate) {
      await startEscalation(tx, mail, orgId, opened!.incidentId);
    }
    return opened!.incidentId;
  });
}

async function alertUpdate(orgId: string, incidentId: string, severity: number, bucket: Date) {
  const [ia] = await ctx.sql<
    { alert_id: string }[]
  >`select alert_id from incident_alerts where org_id = ${orgId} and incident_id = ${incidentId} limit 1`;
  const mail = await mailEnqueueConfigFor(ctx, now);
  return ctx.sql.begin(async (tx) => {
    const [e] = await tx<{ id: string }[]>`
      insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
      values (${orgId}, ${ia!.alert_id}, 'escalate', true, ${severity}, 0.95, ${bucket}, 'x') returning id`;
    return enqueueAlertMails(tx, mail, {
      orgId,
      watchTargetId: null,
      alertId: ia!.alert_id,
      alertEventId: e!.id,
      action: 'escalate',
      kind: 'crisis',
      severity,
      summary: '深刻度が上がりました',
      explanation: {},
      at: bucket,
    });
  });
}

it('grouping: an alert update about an incident under a policy goes to the people paged so far, in its thread — not to the static list', async () => {
  const { org } = await makeOrg(ctx);
  const orgId = org.id;
  const a = await user(orgId, 'oncall_manager', 'a');
  await updateAlertingSettings(ctx.sql, orgId, { recipients: ['everyone@clinic.example.jp', 'director@clinic.example.jp'] }, systemActor);
  await ctx.sql`insert into escalation_policies (org_id, levels, repeat) values (${orgId}, ${ctx.sql.json([{ timeoutMinutes: 10, targets: [{ type: 'user', userId: a.id }] }])}, 1)`;
  const incidentId = await openIncident(orgId);
  expect(await alertUpdate(orgId, incidentId, 5, new Date(now.getTime() + 300_000))).toBe(1);
  const rows = await ctx.sql<
    { to_address: string; dedupe_key: string; thread_root: string | null; message_id: string; subject: string; text_body: string }[]
  >`
    select to_address, dedupe_key, thread_root, message_id, subject, text_body from mail_outbox where org_id = ${orgId} order by id`;
  expect(rows.map((r) => r.to_address)).toEqual([a.email, a.email]);
  expect(rows[0]!.thread_root).toBeNull();
  expect(rows[1]!.thread_root).toBe(rows[0]!.message_id);
  expect(rows[1]!.subject).toMatch(/^【火の粉・深刻度5 .*深刻度が上がりました/);
  expect(rows[1]!.text_body).toContain('/ack/v1.');
  // Replaying the same event queues nothing more.
  await ctx.sql`delete from alert_events where org_id = ${orgId} and action = 'escalate'`;
  expect(await alertUpdate(orgId, incidentId, 5, new Date(now.getTime() + 300_000))).toBe(0);
});

it('grouping without a policy: the static recipients are the one level, with ack links, threaded', async () => {
  const { org } = await makeOrg(ctx);
  const orgId = org.id;
  await updateAlertingSettings(ctx.sql, orgId, { recipients: ['oncall@clinic.example.jp', 'director@clinic.example.jp'] }, systemActor);
  const incidentId = await openIncident(orgId); // no policy: startEscalation does nothing
  expect(await ctx.sql`select 1 from incident_escalations where org_id = ${orgId}`).toHaveLength(0);
  expect(await alertUpdate(orgId, incidentId, 4, new Date(now.getTime() + 300_000))).toBe(2);
  expect(await alertUpdate(orgId, incidentId, 5, new Date(now.getTime() + 600_000))).toBe(2);
  const rows = await ctx.sql<
    { to_address: string; thread_root: string | null; message_id: string; text_body: string; incident_id: string }[]
  >`
    select to_address, thread_root, message_id, text_body, incident_id from mail_outbox where org_id = ${orgId} order by id`;
  expect(rows).toHaveLength(4);
  expect(rows.every((r) => r.incident_id === incidentId && /\/ack\/v1\./.test(r.text_body))).toBe(true);
  expect(rows.slice(1).every((r) => r.thread_root === rows[0]!.message_id)).toBe(true);
  const queued =
    await ctx.sql`select 1 from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind = 'mail_queued'`;
  expect(queued).toHaveLength(2);
});
