import { expect, it } from 'vitest';
import { updateAlertingSettings } from '../../src/notify/recipients.ts';
import { systemActor } from '../../src/audit/record.ts';
import { createApp } from '../../src/server/app.ts';
import { escalateDue } from '../../src/oncall/escalation-job.ts';
import { demoMailer, openDemoClinic, runDemoAt, useDatabaseAndSmtp } from '../support/demo-flow.ts';

const env = useDatabaseAndSmtp();

it('demo flare-up under a policy → level 1 paged by the detection pass → mail received → acknowledged through the link → no level 2; updates only to the paged', async () => {
  const { smtp } = env;
  const start = new Date('2026-11-20T01:00:00Z');
  const clinic = await openDemoClinic(env.db, start);
  const { ctx, orgId, clock } = clinic;
  // The static list would mail these two; under the policy only the on-call user is paged first.
  await updateAlertingSettings(
    ctx.sql,
    orgId,
    { recipients: ['all@sakura.example.jp', 'director@sakura.example.jp'], minSeverity: 3 },
    systemActor,
  );
  const [u] = await ctx.sql<{ id: string; email: string }[]>`
    insert into users (org_id, name, email, role) values (${orgId}, '当番 花子', 'hanako@sakura.example.jp', 'oncall_manager') returning id, email`;
  const [s] = await ctx.sql<{ id: string }[]>`
    insert into oncall_schedules (org_id, name, definition)
    values (${orgId}, '当番', ${ctx.sql.json({ rotation: { userIds: [u!.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-01' }, restDayRotation: null })}) returning id`;
  await ctx.sql`insert into escalation_policies (org_id, levels, repeat) values (${orgId}, ${ctx.sql.json([
    { timeoutMinutes: 15, targets: [{ type: 'schedule', scheduleId: s!.id }] },
    { timeoutMinutes: 15, targets: [{ type: 'address', address: 'director@sakura.example.jp' }] },
  ])}, 1)`;
  const mailer = demoMailer(ctx, smtp, 'flow', 200);
  await mailer.start();
  try {
    for (let minute = 0; minute <= 25; minute++) await runDemoAt(clinic, new Date(start.getTime() + minute * 60_000));
    await smtp.waitFor(1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await mailer.drain();
  } finally {
    await mailer.stop();
  }
  const [incident] = await ctx.sql<
    { id: string; acknowledged_at: Date | null }[]
  >`select id, acknowledged_at from incidents where org_id = ${orgId}`;
  const rows = await ctx.sql<{ to_address: string; dedupe_key: string; text_body: string; message_id: string; status: string }[]>`
    select to_address, dedupe_key, text_body, message_id, status from mail_outbox where org_id = ${orgId} order by id`;
  expect(rows.length).toBeGreaterThanOrEqual(1);
  // Everything about the incident went to the paged on-call user only; nothing to the static list.
  expect(new Set(rows.map((r) => r.to_address))).toEqual(new Set([u!.email]));
  expect(rows[0]!.dedupe_key).toBe(`page:${incident!.id}:r1:l1:to:${u!.email}`);
  expect(rows.every((r) => r.status === 'sent')).toBe(true);
  expect(smtp.received.map((m) => m.messageId).sort()).toEqual(rows.map((r) => r.message_id).sort());

  // Acknowledge through the link in the page.
  const token = /\/ack\/(v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})/.exec(rows[0]!.text_body)![1]!;
  const app = createApp(ctx);
  expect((await app.request(`/ack/${token}`)).status).toBe(200);
  expect((await ctx.sql`select acknowledged_at from incidents where org_id = ${orgId}`)[0]!.acknowledged_at).toBeNull();
  expect((await app.request(`/ack/${token}`, { method: 'POST' })).status).toBe(200);
  clock.now = new Date(clock.now.getTime() + 60 * 60_000);
  expect((await escalateDue(ctx)).paged).toBe(0);
  expect(await ctx.sql`select 1 from mail_outbox where org_id = ${orgId} and to_address = 'director@sakura.example.jp'`).toHaveLength(0);
  const kinds = (
    await ctx.sql<{ kind: string }[]>`select distinct kind from incident_events where org_id = ${orgId} and incident_id = ${incident!.id}`
  ).map((k) => k.kind);
  expect(kinds).toEqual(expect.arrayContaining(['opened', 'escalated', 'mail_queued', 'mail_sent', 'acknowledged']));
});
