// Speed of alert e-mail (issue 6): from the commit that stores an alert event (with its outbox
// rows, as applyDecision writes them) to the SMTP server accepting the mail. Goal: p95 ≤ 5 s.
// The mailer runs as in the service (woken by NOTIFY, default 5 s poll as the fallback) against
// a real SMTP server in this process. Two runs: alerts trickling in, and a burst.
// usage: npm run bench:mail [-- alerts]   (default 60 alerts per run, 2 recipients each)
import { randomBytes } from 'node:crypto';
import { enqueueAlertMails } from '../src/notify/enqueue-alert-mails.ts';
import { incidentForAlertChange } from '../src/incidents/auto-open-incident.ts';
import { startEscalation } from '../src/oncall/escalation.ts';
import { Jobs } from '../src/jobs/runner.ts';
import { Mailer } from '../src/notify/mailer.ts';
import { updateAlertingSettings } from '../src/notify/recipients.ts';
import { systemActor } from '../src/audit/record.ts';
import { createSmtpTransport } from '../src/notify/transports.ts';
import { logger } from '../src/logger.ts';
import { createOrganization } from '../src/organizations/organizations.ts';
import { startSmtpFake } from '../test/fakes/smtp-fake.ts';
import { benchDatabase } from './db.ts';
import { ephemeralServerKeys } from '../src/secrets/server-keys.ts';

const alerts = Math.max(50, Number(process.argv[2] ?? 60) || 60);
const recipients = ['oncall@bench.example.jp', 'director@bench.example.jp'];
const benchAckKey = ephemeralServerKeys().ackLinks;
// The service reads it from the database (src/notify/installation.ts); any random id does here.
const benchInstallationId = randomBytes(16).toString('hex');

const explanation = {
  bucketMs: 300_000,
  volume: { observed: 40, expected: 2, ratio: 20 },
  negativeShare: { observed: 0.8, baseline: 0.1, negative: 32 },
  reach: { observed: 90, expected: 2 },
  fired: ['volume', 'sentiment'],
  detectors: { volume: { strength: 0.99 }, sentiment: { strength: 0.9 } },
  criticalTerms: { new: ['医療ミス'], all: ['医療ミス'] },
  riskCategories: [{ category: '医療過誤・誤診', count: 20 }],
  emergingTerms: [{ term: '誤診', count: 30, baselineMean: 1 }],
  samples: Array.from({ length: 5 }, (_, i) => ({
    id: String(i),
    text: `さくら内科で誤診された <b>${i}</b> ひどい`.repeat(8),
    url: `https://x.example/${i}`,
    engagement: 10,
  })),
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const db = await benchDatabase();
const smtp = await startSmtpFake();
logger.level = 'warn';
try {
  const org = await createOrganization(db, { name: 'ベンチ医療法人', slug: `bench-${randomBytes(3).toString('hex')}` });
  await updateAlertingSettings(db.sql, org.id, { recipients }, systemActor);
  const mailer = new Mailer(
    { sql: db.sql, log: logger, instanceId: 'bench' },
    {
      transport: createSmtpTransport(smtp.url),
      from: '火の粉 <alerts@hinoko.example.jp>',
    },
  );
  const deps = { sql: db.sql, log: logger, instanceId: 'bench', now: () => new Date() };
  const jobs = new Jobs(deps, mailer.jobs());
  await jobs.start();
  let bucket = Date.UTC(2026, 10, 20, 0, 0);

  async function storeAlert(): Promise<{ storedAt: number; messageIds: string[] }> {
    const at = new Date((bucket += 300_000));
    const ids = await db.sql.begin(async (tx) => {
      const [a] = await tx<{ id: string }[]>`
        insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
        values (${org.id}, ${randomBytes(6).toString('hex')}, 'crisis', 'open', 4, 0.9, ${at}, ${at}, '【深刻度4 重大・炎上の疑い】', ${tx.json(explanation)})
        returning id`;
      const [e] = await tx<{ id: string }[]>`
        insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
        values (${org.id}, ${a!.id}, 'open', true, 4, 0.9, ${at}, 'x') returning id`;
      await enqueueAlertMails(
        tx,
        { from: '火の粉 <alerts@hinoko.example.jp>', publicUrl: 'http://127.0.0.1:8787', installationId: benchInstallationId },
        {
          orgId: org.id,
          watchTargetId: null,
          alertId: a!.id,
          alertEventId: e!.id,
          action: 'open',
          kind: 'crisis',
          severity: 4,
          summary: '【深刻度4 重大・炎上の疑い】通常 5分あたり約2件のところ 40件（20倍）。',
          explanation,
          at,
        },
      );
      return tx<{ message_id: string }[]>`select message_id from mail_outbox where org_id = ${org.id} and alert_event_id = ${e!.id}`;
    });
    return { storedAt: Date.now(), messageIds: ids.map((r) => r.message_id) };
  }

  // An organisation under an escalation policy: each alert opens an incident, whose level 1 (two
  // users) is paged in the same transaction (as src/detection-pass/run-detection.ts does).
  const policyOrg = await createOrganization(db, { name: 'ベンチ病院（当番制）', slug: `bench-${randomBytes(3).toString('hex')}` });
  const users = await db.sql<{ id: string }[]>`
    insert into users (org_id, name, email, role)
    values (${policyOrg.id}, '当番 1', ${`oncall1-${randomBytes(3).toString('hex')}@bench.example.jp`}, 'oncall_manager'),
           (${policyOrg.id}, '当番 2', ${`oncall2-${randomBytes(3).toString('hex')}@bench.example.jp`}, 'oncall_manager')
    returning id`;
  await db.sql`insert into escalation_policies (org_id, levels, repeat)
    values (${policyOrg.id}, ${db.sql.json([{ timeoutMinutes: 15, targets: users.map((u) => ({ type: 'user', userId: u.id })) }])}, 1)`;

  async function storeIncidentAlert(): Promise<{ storedAt: number; messageIds: string[] }> {
    const at = new Date((bucket += 300_000));
    const ids = await db.sql.begin(async (tx) => {
      // A fresh incident each time: the previous one is over.
      await tx`update incidents set status = 'cancelled' where org_id = ${policyOrg.id} and status = 'triage'`;
      const [a] = await tx<{ id: string }[]>`
        insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
        values (${policyOrg.id}, ${randomBytes(6).toString('hex')}, 'crisis', 'open', 4, 0.9, ${at}, ${at}, '【深刻度4 重大・炎上の疑い】', ${tx.json(explanation)})
        returning id`;
      const opened = await incidentForAlertChange(tx, { orgId: policyOrg.id, alertId: a!.id, action: 'open', notify: true, at });
      await startEscalation(
        tx,
        {
          from: '火の粉 <alerts@hinoko.example.jp>',
          publicUrl: 'http://127.0.0.1:8787',
          installationId: benchInstallationId,
          ackKey: benchAckKey,
          ackLinkTtlMs: 86_400_000,
          now: at,
        },
        policyOrg.id,
        opened!.incidentId,
      );
      return tx<
        { message_id: string }[]
      >`select message_id from mail_outbox where org_id = ${policyOrg.id} and incident_id = ${opened!.incidentId}`;
    });
    return { storedAt: Date.now(), messageIds: ids.map((r) => r.message_id) };
  }

  async function run(label: string, gapMs: () => number, store = storeAlert) {
    const before = smtp.received.length;
    const stored: { storedAt: number; messageIds: string[] }[] = [];
    for (let i = 0; i < alerts; i++) {
      stored.push(await store());
      const gap = gapMs();
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    }
    await smtp.waitFor(before + alerts * recipients.length, 120_000);
    const acceptedAt = new Map(smtp.received.map((m) => [m.messageId, m.receivedAt]));
    // Per alert: until the last of its recipients' mails was accepted.
    const latencies = stored.map((s) => Math.max(...s.messageIds.map((id) => acceptedAt.get(id)! - s.storedAt))).sort((a, b) => a - b);
    console.log(
      `${label}: ${alerts} alerts × ${recipients.length} recipients — stored → accepted p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${latencies.at(-1)} ms`,
    );
    return percentile(latencies, 95);
  }

  console.log(`alert mail bench on ${db.where}, SMTP server in-process`);
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const trickle = await run('trickle (0–400 ms apart)', () => Math.floor(random() * 400));
  const burst = await run('burst (back to back)', () => 0);
  const paged = await run(
    'incident opened under a policy, level 1 paged (0–400 ms apart)',
    () => Math.floor(random() * 400),
    storeIncidentAlert,
  );
  const duplicates = smtp.received.length - new Set(smtp.received.map((m) => m.messageId)).size;
  console.log(`duplicates: ${duplicates}; goal p95 ≤ 5000 ms: ${Math.max(trickle, burst, paged) <= 5000 ? 'met' : 'NOT met'}`);
  await jobs.stop();
} finally {
  await smtp.close();
  await db.dispose();
}
