import { afterAll, beforeAll, expect, it } from 'vitest';
import { Mailer } from '../../src/alerting/mailer.ts';
import { updateAlertingSettings } from '../../src/alerting/settings.ts';
import { createSmtpTransport } from '../../src/alerting/transports.ts';
import { detectOrg } from '../../src/alerts/run-detection.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { systemActor } from '../../src/audit/record.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { createApp } from '../../src/http/app.ts';
import { EscalationWorker } from '../../src/oncall/escalation-worker.ts';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake.ts';
import { testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let smtp: SmtpFake;
beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startSmtpFake();
});
afterAll(async () => {
  await smtp.close();
  await db.drop();
});

it('demo flare-up under a policy → level 1 paged by the detection pass → mail received → acknowledged through the link → no level 2; updates only to the paged', async () => {
  const start = new Date('2026-11-20T01:00:00Z');
  let now = start;
  const ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const demo = await ensureDemo(ctx, start);
  const orgId = demo.orgId!;
  // The static list would mail these two; under the policy only the on-call user is paged first.
  await updateAlertingSettings(ctx.sql, orgId, { recipients: ['all@sakura.example.jp', 'director@sakura.example.jp'], minSeverity: 3 }, systemActor);
  const [u] = await ctx.sql<{ id: string; email: string }[]>`
    insert into users (org_id, name, email, role) values (${orgId}, '当番 花子', 'hanako@sakura.example.jp', 'oncall_manager') returning id, email`;
  const [s] = await ctx.sql<{ id: string }[]>`
    insert into oncall_schedules (org_id, name, definition)
    values (${orgId}, '当番', ${ctx.sql.json({ rotation: { userIds: [u!.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-01' }, restDayRotation: null })}) returning id`;
  await ctx.sql`insert into escalation_policies (org_id, levels, repeat) values (${orgId}, ${ctx.sql.json([
    { timeoutMinutes: 15, targets: [{ type: 'schedule', scheduleId: s!.id }] },
    { timeoutMinutes: 15, targets: [{ type: 'address', address: 'director@sakura.example.jp' }] },
  ])}, 1)`;
  const [src] = await ctx.sql<{ id: string }[]>`select id from sources where org_id = ${orgId} and type = 'demo'`;
  const mailer = new Mailer({ sql: ctx.sql, log: ctx.log, instanceId: 'flow' }, { transport: createSmtpTransport(smtp.url), from: ctx.config.mail.from, pollMs: 200 });
  await mailer.start();
  try {
    await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
    await detectOrg(ctx, orgId, now);
    for (let minute = 1; minute <= 25; minute++) {
      now = new Date(start.getTime() + minute * 60_000);
      await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
      await detectOrg(ctx, orgId, now);
    }
    await smtp.waitFor(1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await mailer.drain();
  } finally {
    await mailer.stop();
  }
  const [incident] = await ctx.sql<{ id: string; acknowledged_at: Date | null }[]>`select id, acknowledged_at from incidents where org_id = ${orgId}`;
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
  now = new Date(now.getTime() + 60 * 60_000);
  expect((await new EscalationWorker(ctx).processAll()).paged).toBe(0);
  expect(await ctx.sql`select 1 from mail_outbox where org_id = ${orgId} and to_address = 'director@sakura.example.jp'`).toHaveLength(0);
  const kinds = (await ctx.sql<{ kind: string }[]>`select distinct kind from incident_events where org_id = ${orgId} and incident_id = ${incident!.id}`).map((k) => k.kind);
  expect(kinds).toEqual(expect.arrayContaining(['opened', 'escalated', 'mail_queued', 'mail_sent', 'acknowledged']));
});
