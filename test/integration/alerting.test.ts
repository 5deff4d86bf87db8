import { verifyAudit } from '../../src/audit/record.ts';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { muteWatchTarget } from '../../src/organizations/mute-watch-target.ts';
import { enqueueAlertMails } from '../../src/notify/enqueue-alert-mails.ts';
import { installationIdOf } from '../../src/notify/installation.ts';
import { Mailer } from '../../src/notify/mailer.ts';
import { Jobs } from '../../src/jobs/runner.ts';
import { updateAlertingSettings } from '../../src/notify/recipients.ts';
import { systemActor } from '../../src/audit/record.ts';
import { createPreviewTransport, createSmtpTransport, type MailTransport } from '../../src/notify/transports.ts';
import type { AppContext } from '../../src/context.ts';
import { createApp } from '../../src/server/app.ts';
import { createWatchTarget } from '../../src/organizations/organizations.ts';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { testToken } from '../support/api-auth.ts';

let db: TestDatabase;
let ctx: AppContext;
let smtp: SmtpFake;
let token: string;
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db);
  smtp = await startSmtpFake();
  mailConfig.installationId = await installationIdOf(ctx.sql);
});
// An admin of the organization the test works in (signIn).
const auth = () => ({ authorization: `Bearer ${token}` });
const signIn = async (orgId: string) => {
  ({ token } = await testToken(ctx, { orgId }));
};
afterAll(async () => {
  await smtp.close().catch(() => {});
  await db.drop();
});
beforeEach(async () => {
  smtp.mode = 'accept';
  // A test that failed mid-outage must not take the next ones down with it.
  if (!smtp.listening) await smtp.start();
});

const fastRetry = { baseMs: 40, capMs: 200, maxAttempts: 20 };
const mailConfig = { from: '火の粉 <alerts@hinoko.example.jp>', publicUrl: 'https://hinoko.example.jp', installationId: '' };

// Pooled SMTP connections of every mailer a test made, closed after it.
const transports: MailTransport[] = [];
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
});

function mailer(transport: MailTransport, options: Partial<ConstructorParameters<typeof Mailer>[1]> & { instanceId?: string } = {}) {
  transports.push(transport);
  return new Mailer(
    { sql: ctx.sql, log: ctx.log, instanceId: options.instanceId ?? unique('worker') },
    {
      transport,
      from: mailConfig.from,
      retry: fastRetry,
      pollMs: 100,
      ...options,
    },
  );
}

const smtpTransport = () => createSmtpTransport(smtp.url, { connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000 });

const explanation = {
  bucketMs: 300_000,
  volume: { observed: 40, expected: 2, ratio: 20 },
  negativeShare: { observed: 0.8, baseline: 0.1, negative: 32 },
  reach: { observed: 90, expected: 2 },
  fired: ['volume', 'sentiment'],
  detectors: { volume: { strength: 0.99 }, sentiment: { strength: 0.9 } },
  criticalTerms: { new: [], all: [] },
  riskCategories: [{ category: '接遇・態度', count: 20 }],
  emergingTerms: [{ term: '受付', count: 30, baselineMean: 1 }],
  samples: [{ id: '1', text: '<script>alert("受付")</script>\r\nBcc: victim@evil.example', url: 'https://x.example/1', engagement: 12 }],
};

let bucket = Date.UTC(2026, 10, 20, 1, 0, 0);

/** What applyDecision does for a notifying event: alert + event + outbox rows, one transaction. */
async function storeAlertEvent(
  orgId: string,
  opts: { severity?: number; kind?: string; watchTargetId?: string | null; at?: Date; alertId?: string; action?: string } = {},
) {
  const at = opts.at ?? new Date((bucket += 300_000));
  const severity = opts.severity ?? 4;
  const kind = opts.kind ?? 'crisis';
  return ctx.sql.begin(async (tx) => {
    let alertId = opts.alertId;
    if (!alertId) {
      const [a] = await tx<{ id: string }[]>`
        insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
        values (${orgId}, ${opts.watchTargetId ?? null}, ${unique('ep')}, ${kind}, 'open', ${severity}, 0.9, ${at}, ${at}, '【深刻度4 重大・炎上の疑い】通常 5分あたり約2件のところ 40件（20倍）。', ${tx.json(explanation)})
        returning id`;
      alertId = a!.id;
    }
    const action = opts.action ?? 'open';
    const [e] = await tx<{ id: string }[]>`
      insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
      values (${orgId}, ${alertId}, ${action}, true, ${severity}, 0.9, ${at}, 'x')
      on conflict (org_id, alert_id, action, bucket_start) do update set summary_ja = excluded.summary_ja
      returning id`;
    const queued = await enqueueAlertMails(tx, mailConfig, {
      orgId,
      watchTargetId: opts.watchTargetId ?? null,
      alertId,
      alertEventId: e!.id,
      action,
      kind,
      severity,
      summary: '【深刻度4 重大・炎上の疑い】通常 5分あたり約2件のところ 40件（20倍）。',
      explanation,
      at,
    });
    return { alertId, eventId: e!.id, at, queued };
  });
}

async function orgWithRecipients(recipients: string[], extra: { minSeverity?: 1 | 2 | 3 | 4 | 5; notices?: boolean } = {}) {
  const { org, target } = await makeOrg(ctx, 'さくら医療法人');
  await updateAlertingSettings(ctx.sql, org.id, { recipients, ...extra }, systemActor);
  return { orgId: org.id, target };
}

const rowsOf = (orgId: string) => ctx.sql<
  {
    id: string;
    subject: string;
    status: string;
    attempts: number;
    to_address: string;
    message_id: string;
    last_error: string | null;
    delivery_detail: string | null;
    html_body: string;
  }[]
>`
  select * from mail_outbox where org_id = ${orgId} order by id`;

const receivedFor = (orgId: string) => smtp.received.filter((m) => new RegExp(`^X-Hinoko-Outbox-Id: ${orgId}-`, 'mi').test(m.headers));

describe('alert mail outbox', () => {
  it('delivers an alert exactly once per recipient; a re-run of detection enqueues nothing; sub-threshold alerts are not mailed', async () => {
    const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp', 'director@clinic.example.jp'], { minSeverity: 3 });
    const stored = await storeAlertEvent(orgId, { severity: 4 });
    expect(stored.queued).toBe(2);
    // The same bucket stepped again (e.g. after a crash before detector state committed).
    const again = await storeAlertEvent(orgId, { severity: 4, alertId: stored.alertId, at: stored.at });
    expect(again.queued).toBe(0);
    expect((await storeAlertEvent(orgId, { severity: 2 })).queued).toBe(0);
    expect((await storeAlertEvent(orgId, { kind: 'notice', severity: 5 })).queued).toBe(0);

    const m = mailer(smtpTransport());
    expect(await m.processDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(await m.processDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    const got = receivedFor(orgId);
    expect(got.map((g) => g.to).sort()).toEqual([['director@clinic.example.jp'], ['oncall@clinic.example.jp']]);
    const rows = await rowsOf(orgId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(new Set(got.map((g) => g.messageId))).toEqual(new Set(rows.map((r) => r.message_id)));
    expect(rows[0]!.delivery_detail).toMatch(/^250 .*queued/);
    expect(got[0]!.subject).toBe('【火の粉・深刻度4 重大】さくら医療法人で接遇・態度への批判');
    expect(got[0]!.headers).toMatch(/^Auto-Submitted: auto-generated$/m);
  });

  it('keeps trying through an SMTP outage (connection refused, then 451) and delivers once when the server is back', async () => {
    const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp']);
    const m = new Jobs<AppContext>(ctx, mailer(smtpTransport()).jobs());
    await m.start();
    try {
      await smtp.stop();
      await storeAlertEvent(orgId);
      // Woken by NOTIFY on commit; fails against the dead port and reschedules.
      await expect.poll(async () => one(await rowsOf(orgId)).attempts, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
      // Pending, or claimed again by the next poll; never sent.
      expect(['pending', 'sending']).toContain(one(await rowsOf(orgId)).status);
      expect(one(await rowsOf(orgId)).last_error).toMatch(/ECONNREFUSED|ECONNECTION/);
      smtp.mode = 'tempfail';
      await smtp.start();
      await expect.poll(async () => one(await rowsOf(orgId)).last_error ?? '', { timeout: 5_000 }).toMatch(/451/);
      expect(receivedFor(orgId)).toEqual([]);
      smtp.mode = 'accept';
      await expect.poll(async () => one(await rowsOf(orgId)).status, { timeout: 5_000 }).toBe('sent');
    } finally {
      await m.stop();
    }
    expect(receivedFor(orgId)).toHaveLength(1);
    // Nothing more goes out later.
    expect(await mailer(smtpTransport()).processDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(receivedFor(orgId)).toHaveLength(1);
  });

  it('an alert that opened below the threshold reads as news when it escalates past it; a second escalation says it rose', async () => {
    const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp'], { minSeverity: 3 });
    const opened = await storeAlertEvent(orgId, { severity: 2 });
    expect(opened.queued).toBe(0);
    await storeAlertEvent(orgId, { alertId: opened.alertId, action: 'escalate', severity: 3 });
    await storeAlertEvent(orgId, { alertId: opened.alertId, action: 'escalate', severity: 5 });
    expect((await rowsOf(orgId)).map((r) => r.subject)).toEqual([
      '【火の粉・深刻度3 要対応】さくら医療法人で接遇・態度への批判',
      '【火の粉・深刻度5 緊急】さくら医療法人で接遇・態度への批判（深刻度が上がりました）',
    ]);
    expect(await mailer(smtpTransport()).processDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(
      receivedFor(orgId)
        .map((m) => m.subject)
        .sort(),
    ).toEqual((await rowsOf(orgId)).map((r) => r.subject).sort());
  });

  it('marks a mail failed on a permanent 5xx refusal instead of retrying forever', async () => {
    const { orgId } = await orgWithRecipients(['nobody@clinic.example.jp']);
    await storeAlertEvent(orgId);
    smtp.mode = 'reject';
    expect(await mailer(smtpTransport()).processDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(one(await rowsOf(orgId))).toMatchObject({ status: 'failed', attempts: 1 });
    expect(one(await rowsOf(orgId)).last_error).toMatch(/550/);
    const [audit] = await ctx.sql<
      { after: { error: string } }[]
    >`select after from audit_log where org_id = ${orgId} and action = 'mail.failed'`;
    expect(audit?.after.error).toMatch(/550/);
  });

  it('two mailer workers on one database send each mail once', async () => {
    const { orgId } = await orgWithRecipients(['a@clinic.example.jp', 'b@clinic.example.jp']);
    for (let i = 0; i < 30; i++) await storeAlertEvent(orgId);
    const a = mailer(smtpTransport(), { instanceId: 'worker-a', batchSize: 4, concurrency: 3 });
    const b = mailer(smtpTransport(), { instanceId: 'worker-b', batchSize: 4, concurrency: 3 });
    const [ra, rb] = await Promise.all([a.processDue(), b.processDue()]);
    expect(ra.sent + rb.sent).toBe(60);
    // Both did work: the claim really is shared, not serialised onto one worker.
    expect(ra.sent).toBeGreaterThan(0);
    expect(rb.sent).toBeGreaterThan(0);
    const got = receivedFor(orgId);
    expect(got).toHaveLength(60);
    expect(new Set(got.map((g) => g.messageId)).size).toBe(60);
    expect((await rowsOf(orgId)).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    // Each delivery is on the audit log once, though two workers swept at the same time.
    const audited = await ctx.sql<
      { target_id: string }[]
    >`select target_id from audit_log where org_id = ${orgId} and action = 'mail.sent'`;
    expect(audited).toHaveLength(60);
    expect(new Set(audited.map((a) => a.target_id)).size).toBe(60);
    expect((await verifyAudit(ctx.sql, orgId)).breaks).toEqual([]);
  });

  it('retries a row whose worker died after claiming it, once its lease is over', async () => {
    const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp']);
    await storeAlertEvent(orgId);
    const crashed = mailer(smtpTransport(), { instanceId: 'crashed', leaseMs: 400 });
    expect(await crashed.claim()).toHaveLength(1); // …and then the process is gone.
    const survivor = mailer(smtpTransport(), { instanceId: 'survivor', leaseMs: 400 });
    expect(await survivor.processDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    await new Promise((r) => setTimeout(r, 450));
    expect(await survivor.processDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(one(await rowsOf(orgId))).toMatchObject({ status: 'sent', attempts: 2 });
    expect(receivedFor(orgId)).toHaveLength(1);
  });

  it('the honest limit: a crash after the server accepted but before "sent" committed sends again — with the same Message-ID', async () => {
    const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp']);
    await storeAlertEvent(orgId);
    const crashed = mailer(smtpTransport(), { instanceId: 'crashed', leaseMs: 300 });
    const [row] = await crashed.claim();
    // The crashed worker got as far as the SMTP server's 250, then died before its update.
    const direct = smtpTransport();
    transports.push(direct);
    await direct.send({
      outboxId: row!.id,
      orgId,
      from: mailConfig.from,
      to: row!.to_address,
      subject: row!.subject,
      text: row!.text_body,
      html: row!.html_body,
      messageId: row!.message_id,
    });
    await new Promise((r) => setTimeout(r, 350));
    expect(await mailer(smtpTransport()).processDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const got = receivedFor(orgId);
    expect(got).toHaveLength(2);
    expect(got[0]!.messageId).toBe(row!.message_id);
    expect(got[1]!.messageId).toBe(row!.message_id);
  });

  it('a muted watch target: its notices are not mailed, a suspected 炎上 still is and says so; the mute is audited, ends by itself and at most 7 days', async () => {
    const { orgId, target } = await orgWithRecipients(['pr@clinic.example.jp'], { notices: true, minSeverity: 3 });
    const [user] = await ctx.sql<{ id: string }[]>`
      insert into users (org_id, name, email, role) values (${orgId}, '当番 花子', ${`${unique('m')}@example.com`}, 'oncall_manager') returning id`;
    const by = { userId: user!.id };
    const actor = { type: 'user' as const, id: user!.id };
    const soon = (ms: number) => new Date(Date.now() + ms);
    await expect(muteWatchTarget(ctx, orgId, target.id, { until: soon(8 * 86_400_000), reason: '長すぎ' }, by, actor)).rejects.toThrow(
      /7日/,
    );
    await expect(muteWatchTarget(ctx, orgId, target.id, { until: soon(-60_000), reason: '過去' }, by, actor)).rejects.toThrow(/今より後/);
    await expect(muteWatchTarget(ctx, orgId, target.id, { until: soon(3_600_000), reason: '  ' }, by, actor)).rejects.toThrow(/理由/);
    await muteWatchTarget(ctx, orgId, target.id, { until: soon(3_600_000), reason: 'テレビ出演 <b>12/3</b>' }, by, actor);

    expect((await storeAlertEvent(orgId, { kind: 'notice', severity: 2, watchTargetId: target.id })).queued).toBe(0);
    // The organisation-wide series is not the muted target: its notice goes out.
    expect((await storeAlertEvent(orgId, { kind: 'notice', severity: 2 })).queued).toBe(1);
    const crisis = await storeAlertEvent(orgId, { kind: 'crisis', severity: 4, watchTargetId: target.id });
    expect(crisis.queued).toBe(1);
    const [mail] = await ctx.sql<{ text_body: string; html_body: string }[]>`
      select text_body, html_body from mail_outbox where org_id = ${orgId} and alert_id = ${crisis.alertId}`;
    expect(mail!.text_body).toContain('※ この監視対象はお知らせをミュート中です');
    expect(mail!.text_body).toContain('理由: テレビ出演 <b>12/3</b>');
    expect(mail!.html_body).toContain('テレビ出演 &lt;b&gt;12/3&lt;/b&gt;');

    // Over (the time passed): notices are mailed again.
    await ctx.sql`update watch_targets set muted_until = now() - interval '1 second' where org_id = ${orgId} and id = ${target.id}`;
    expect((await storeAlertEvent(orgId, { kind: 'notice', severity: 2, watchTargetId: target.id })).queued).toBe(1);
    await muteWatchTarget(ctx, orgId, target.id, null, by, actor);
    const audit = await ctx.sql<{ action: string; after: { reason?: string } }[]>`
      select action, after from audit_log where org_id = ${orgId} and action like 'watch_target.%mute' order by id`;
    expect(audit.map((a) => a.action)).toEqual(['watch_target.mute', 'watch_target.unmute']);
    expect(audit[0]!.after.reason).toBe('テレビ出演 <b>12/3</b>');
  });

  it('keeps hostile text out of headers and markup', async () => {
    const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp']);
    const target = await createWatchTarget(ctx, orgId, {
      name: 'さくら内科\r\nBcc: victim@evil.example\r\nX-Injected: 1',
      names: ['さくら'],
      keywords: [],
      handles: {},
      exclusions: [],
    });
    await storeAlertEvent(orgId, { watchTargetId: target.id });
    await mailer(smtpTransport()).processDue();
    const got = one(receivedFor(orgId));
    expect(got.to).toEqual(['oncall@clinic.example.jp']);
    expect(got.headers).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(got.subject).toBe('【火の粉・深刻度4 重大】さくら内科 Bcc: victim@evil.example X-Injected: 1で接遇・態度への批判');
    const html = one(await rowsOf(orgId)).html_body;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;受付&quot;)&lt;/script&gt;');
  });
});

describe('without SMTP: previews', () => {
  it('writes each mail as an .eml file in the data directory and lists it in the API', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hinoko-preview-'));
    try {
      const { orgId } = await orgWithRecipients(['oncall@clinic.example.jp', 'pr@clinic.example.jp']);
      await storeAlertEvent(orgId);
      expect(await mailer(createPreviewTransport(dir)).processDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
      const rows = await rowsOf(orgId);
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(rows.map((r) => `${orgId}-${r.id}.eml`).sort());
      const eml = await readFile(path.join(dir, files[0]!), 'utf8');
      expect(eml).toMatch(/^Subject: =\?UTF-8\?/m);
      expect(eml).toContain(`Message-ID: ${rows.find((r) => files[0] === `${orgId}-${r.id}.eml`)!.message_id}`);

      await signIn(orgId);
      const res = await createApp(ctx).request(`/api/v1/organizations/${orgId}/mail-outbox?status=sent`, { headers: auth() });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.items).toHaveLength(2);
      expect(body.items[0]).toMatchObject({
        status: 'sent',
        deliveredVia: 'preview',
        subject: '【火の粉・深刻度4 重大】さくら医療法人で接遇・態度への批判',
      });
      expect(files).toContain(body.items[0].deliveryDetail);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('API', () => {
  it('PATCH /organizations/:id/alerting stores validated settings and the org JSON shows them', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const app = createApp(ctx);
    const res = await app.request(`/api/v1/organizations/${org.id}/alerting`, {
      method: 'PATCH',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ recipients: ['PR@Clinic.Example.JP', 'pr@clinic.example.jp', 'oncall@clinic.example.jp'], minSeverity: 4 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ recipients: ['PR@clinic.example.jp', 'oncall@clinic.example.jp'], minSeverity: 4, notices: false });
    // A second patch of one field keeps the others.
    await app.request(`/api/v1/organizations/${org.id}/alerting`, {
      method: 'PATCH',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ notices: true }),
    });
    const orgJson = await (await app.request(`/api/v1/organizations/${org.id}`, { headers: auth() })).json();
    expect(orgJson.settings.alerting).toEqual({
      recipients: ['PR@clinic.example.jp', 'oncall@clinic.example.jp'],
      minSeverity: 4,
      notices: true,
    });
    // Both changes are on the audit log, with what was there before.
    const audit = await ctx.sql<{ actor_type: string; before: unknown; after: unknown }[]>`
      select actor_type, before, after from audit_log where org_id = ${org.id} and action = 'alerting.configure' order by seq`;
    expect(audit).toEqual([
      {
        actor_type: 'user',
        before: { recipients: [], minSeverity: 3, notices: false },
        after: { recipients: ['PR@clinic.example.jp', 'oncall@clinic.example.jp'], minSeverity: 4, notices: false },
      },
      {
        actor_type: 'user',
        before: { recipients: ['PR@clinic.example.jp', 'oncall@clinic.example.jp'], minSeverity: 4, notices: false },
        after: { recipients: ['PR@clinic.example.jp', 'oncall@clinic.example.jp'], minSeverity: 4, notices: true },
      },
    ]);
  });

  it('refuses bad settings with a 400 naming the field, unknown orgs with 404, and requests without a token', async () => {
    const { org } = await makeOrg(ctx);
    await signIn(org.id);
    const app = createApp(ctx);
    const patch = (body: unknown, orgId = org.id, headers: Record<string, string> = auth()) =>
      app.request(`/api/v1/organizations/${orgId}/alerting`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const [body, field] of [
      [{ recipients: ['a@b.jp\r\nBcc: x@evil.example'] }, 'recipients[0]'],
      [{ recipients: ['Name <a@b.jp>'] }, 'recipients[0]'],
      [{ minSeverity: 6 }, 'minSeverity'],
      [{ minSeverity: 3, extra: true }, 'extra'],
    ] as const) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.message).toContain(field);
    }
    expect((await patch({ minSeverity: 3 }, '999999999')).status).toBe(404);
    expect((await patch({ minSeverity: 3 }, org.id, {})).status).toBe(401);
    expect((await app.request(`/api/v1/organizations/${org.id}/mail-outbox`)).status).toBe(401);
    expect((await app.request(`/api/v1/organizations/${org.id}/mail-outbox?status=lost`, { headers: auth() })).status).toBe(400);
    expect((await app.request('/api/v1/organizations/999999999/mail-outbox', { headers: auth() })).status).toBe(404);
  });
});
