import { afterAll, beforeAll, expect, it } from 'vitest';
import { Mailer } from '../../src/alerting/mailer.ts';
import { updateAlertingSettings } from '../../src/alerting/settings.ts';
import { systemActor } from '../../src/audit/record.ts';
import { createSmtpTransport } from '../../src/alerting/transports.ts';
import { listAlerts } from '../../src/alerts/queries.ts';
import { detectOrg } from '../../src/alerts/run-detection.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { decodeTextPart, startSmtpFake, type SmtpFake } from '../fakes/smtp-fake.ts';
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

it('demo flare-up → crisis alert → one mail per recipient received by the SMTP server, with the explanation', async () => {
  const start = new Date('2026-11-20T01:00:00Z'); // 10:00 JST
  let now = start;
  const ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const demo = await ensureDemo(ctx, start);
  const orgId = demo.orgId!;
  const recipients = ['oncall@sakura.example.jp', 'director@sakura.example.jp'];
  await updateAlertingSettings(ctx.sql, orgId, { recipients, minSeverity: 3 }, systemActor);
  const [src] = await ctx.sql<{ id: string }[]>`select id from sources where org_id = ${orgId} and type = 'demo'`;

  // The mailer runs as in the service: woken by the outbox NOTIFY when detection commits.
  const mailer = new Mailer({ sql: ctx.sql, log: ctx.log, instanceId: 'flow' }, {
    transport: createSmtpTransport(smtp.url), from: '火の粉 <alerts@hinoko.example.jp>', pollMs: 200,
  });
  await mailer.start();
  try {
    await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
    await detectOrg(ctx, orgId, now);
    await mailer.drain();
    // A quiet week: nothing at 要対応 or above, so nobody is mailed.
    expect(smtp.received).toEqual([]);

    for (let minute = 1; minute <= 40; minute++) {
      now = new Date(start.getTime() + minute * 60_000);
      await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
      await detectOrg(ctx, orgId, now);
    }
    const crisis = (await listAlerts(ctx.sql, { orgId, kind: 'crisis' })).filter((a) => a.severity >= 3);
    expect(crisis.length).toBeGreaterThanOrEqual(1);
    // Each notifying crisis event is news, except about an incident whose mails already stated
    // that severity (the org-wide series and a watch target rising together make one mail).
    const notifying = await ctx.sql<{ severity: number; incident_id: string | null }[]>`
      select e.severity, ia.incident_id from alert_events e join alerts a on a.org_id = e.org_id and a.id = e.alert_id
      left join incident_alerts ia on ia.org_id = e.org_id and ia.alert_id = e.alert_id
      where e.org_id = ${orgId} and e.notify and a.kind = 'crisis' and e.severity >= 3 order by e.id`;
    const told = new Map<string, number>();
    const news = notifying.filter((e) => {
      if (e.incident_id === null) return true;
      if ((told.get(e.incident_id) ?? 0) >= e.severity) return false;
      told.set(e.incident_id, e.severity);
      return true;
    });
    expect(news.length).toBeLessThan(notifying.length);
    const expected = news.length * recipients.length;
    expect(expected).toBeGreaterThanOrEqual(2);
    await smtp.waitFor(expected, 10_000);
    // Re-running detection at the same time adds no events and so no mail.
    await detectOrg(ctx, orgId, now);
    await new Promise((r) => setTimeout(r, 300));
    await mailer.drain();
  } finally {
    await mailer.stop();
  }

  const rows = await ctx.sql<{ status: string; message_id: string; to_address: string }[]>`select status, message_id, to_address from mail_outbox where org_id = ${orgId}`;
  expect(rows.every((r) => r.status === 'sent')).toBe(true);
  expect(smtp.received).toHaveLength(rows.length);
  expect(new Set(smtp.received.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.message_id)));
  for (const to of recipients) expect(smtp.received.filter((m) => m.to[0] === to)).toHaveLength(rows.length / 2);

  const first = smtp.received[0]!;
  expect(first.subject).toMatch(/^【火の粉・深刻度[3-5] (要対応|重大|緊急)】.+で炎上の疑い/);
  // The body carries the explanation (text part, quoted-printable or base64 decoded by hand).
  const body = decodeTextPart(first.raw);
  expect(body).toMatch(/投稿量: \d+件/);
  expect(body).toContain('反応した検知器');
  expect(body).toContain('(JST)');
  expect(body).toContain(`?org=${orgId}`);
}, 120_000);
