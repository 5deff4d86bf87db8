import { expect, it } from 'vitest';
import { updateAlertingSettings } from '../../src/notify/recipients.ts';
import { systemActor } from '../../src/audit/record.ts';
import { listAlerts } from '../../src/detection-pass/queries.ts';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { decodeTextPart } from '../fakes/smtp-fake.ts';
import { demoMailer, openDemoClinic, runDemoAt, useDatabaseAndSmtp } from '../support/demo-flow.ts';

const env = useDatabaseAndSmtp();

it('demo flare-up → crisis alert → one mail per recipient received by the SMTP server, with the explanation', async () => {
  const { smtp } = env;
  const start = new Date('2026-11-20T01:00:00Z'); // 10:00 JST
  const clinic = await openDemoClinic(env.db, start);
  const { ctx, orgId, clock } = clinic;
  const recipients = ['oncall@sakura.example.jp', 'director@sakura.example.jp'];
  await updateAlertingSettings(ctx.sql, orgId, { recipients, minSeverity: 3 }, systemActor);

  // The mailer runs as in the service: woken by the outbox NOTIFY when detection commits.
  const mailer = demoMailer(ctx, smtp, 'flow', 200);
  await mailer.start();
  try {
    await runDemoAt(clinic, start);
    await mailer.drain();
    // A quiet week: nothing at 要対応 or above, so nobody is mailed.
    expect(smtp.received).toEqual([]);

    for (let minute = 1; minute <= 40; minute++) await runDemoAt(clinic, new Date(start.getTime() + minute * 60_000));
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
    await detectOrg(ctx, orgId, clock.now);
    await new Promise((r) => setTimeout(r, 300));
    await mailer.drain();
  } finally {
    await mailer.stop();
  }

  const rows = await ctx.sql<
    { status: string; message_id: string; to_address: string }[]
  >`select status, message_id, to_address from mail_outbox where org_id = ${orgId}`;
  expect(rows.every((r) => r.status === 'sent')).toBe(true);
  expect(smtp.received).toHaveLength(rows.length);
  expect(new Set(smtp.received.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.message_id)));
  for (const to of recipients) expect(smtp.received.filter((m) => m.to[0] === to)).toHaveLength(rows.length / 2);

  const first = smtp.received[0]!;
  // The subject names the severity and what it is about (the short title's topic: the demo's staff post).
  expect(first.subject).toMatch(
    /^【火の粉・深刻度[3-5] (要対応|重大|緊急)】.+で(職員の不適切投稿の疑い|炎上の兆候|否定的な投稿の急増|炎上の疑い)/,
  );
  // The body carries the explanation (text part, quoted-printable or base64 decoded by hand).
  const body = decodeTextPart(first.raw);
  expect(body).toMatch(/投稿量: \d+件/);
  expect(body).toContain('反応した検知器');
  expect(body).toContain('(JST)');
  // Links go to pages (login, then back), never to the JSON API.
  expect(body).toMatch(/概要（投稿の推移）を開く: https?:\/\/\S+\/\r?$/m);
  expect(body).not.toContain('/api/v1/');
}, 120_000);
