import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { incidentMailConfigFor } from '../../src/notify/mail-config.ts';
import { Mailer, type MailerOptions } from '../../src/notify/mailer.ts';
import { createSmtpTransport } from '../../src/notify/transports.ts';
import type { AppContext } from '../../src/context.ts';
import { incidentForAlertChange } from '../../src/incidents/auto-open-incident.ts';
import { startEscalation } from '../../src/oncall/escalation.ts';
import { escalateDue } from '../../src/oncall/escalation-job.ts';
import { Jobs } from '../../src/jobs/runner.ts';
import { startSmtpFake, type SmtpFake } from '../fakes/smtp-fake.ts';
import { makeOrg, testContext, unique } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 12 item 8, after an SMTP outage: a queued page goes out within 30 s of the server coming
// back (the recovery probe, src/notify/mailer.ts), and an escalation level's timeout counts from
// its page's delivery, not from queueing (src/oncall/escalation.ts). A real SMTP server in
// process, stopped and started; the escalation clock is simulated.

let db: TestDatabase;
let smtp: SmtpFake;
let now = new Date('2026-12-07T01:00:00Z');
let ctx: AppContext;
beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startSmtpFake();
  ctx = testContext(db, { now: () => now });
});
afterAll(async () => {
  await smtp.close().catch(() => {});
  await db.drop();
});
beforeEach(async () => {
  smtp.mode = 'accept';
  if (!smtp.listening) await smtp.start();
  // Mailers and the worker serve every org of the database: earlier tests' leftovers are put to rest.
  await ctx.sql`update mail_outbox set status = 'failed' where status in ('pending', 'sending')`;
  await ctx.sql`update incident_escalations set status = 'closed', next_at = null where status = 'active'`;
});

/** Each mailer's jobs: its probe kicks a pass of its outbox job, as in the service. */
const mailers = new Map<Mailer, Jobs>();
function mailer(options: Partial<MailerOptions> = {}, clock?: () => Date): Mailer {
  const m = new Mailer(
    { sql: ctx.sql, log: ctx.log, instanceId: unique('m'), ...(clock ? { now: clock } : {}) },
    {
      transport: createSmtpTransport(smtp.url, { connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000 }),
      from: ctx.config.mail.from,
      pollMs: 60_000,
      ...options,
    },
  );
  mailers.set(m, new Jobs<AppContext>(ctx, m.jobs()));
  return m;
}
const jobsOf = (m: Mailer): Jobs => mailers.get(m)!;
// Stopped after each test: a pooled SMTP connection left open makes the fake's next stop() wait for it.
afterEach(async () => {
  for (const jobs of mailers.values()) await jobs.stop();
  mailers.clear();
});

/** An org whose level 1 is user a (through the schedule), level 2 user b and a plain address. */
async function setup(timeouts: [number, number] = [15, 15], repeat = 2) {
  const { org } = await makeOrg(ctx, 'さくら医療法人');
  const person = async (name: string) =>
    (
      await ctx.sql<{ id: string; email: string }[]>`
    insert into users (org_id, name, email, role) values (${org.id}, ${name}, ${`${unique(name)}@clinic.example.jp`}, 'oncall_manager') returning id, email`
    )[0]!;
  const a = await person('a');
  const b = await person('b');
  const [s] = await ctx.sql<{ id: string }[]>`
    insert into oncall_schedules (org_id, name, definition)
    values (${org.id}, '当番', ${ctx.sql.json({ rotation: { userIds: [a.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' }, restDayRotation: null })})
    returning id`;
  await ctx.sql`insert into escalation_policies (org_id, levels, repeat) values (${org.id}, ${ctx.sql.json([
    { timeoutMinutes: timeouts[0], targets: [{ type: 'schedule', scheduleId: s!.id }] },
    {
      timeoutMinutes: timeouts[1],
      targets: [
        { type: 'user', userId: b.id },
        { type: 'address', address: 'jimu@clinic.example.jp' },
      ],
    },
  ])}, ${repeat})`;
  return { orgId: org.id, a, b };
}

/** What the detection pass does when a crisis alert opens an incident: level 1 paged in its transaction. */
async function openIncident(orgId: string): Promise<string> {
  const mail = await incidentMailConfigFor(ctx, now);
  return ctx.sql.begin(async (tx) => {
    const [a] = await tx<{ id: string }[]>`
      insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${orgId}, ${unique('ep')}, 'crisis', 'open', 4, 0.9, ${now}, ${now}, '【深刻度4 重大・炎上の疑い】', ${tx.json({})}) returning id`;
    const opened = await incidentForAlertChange(tx, { orgId, alertId: a!.id, action: 'open', notify: true, at: now });
    expect(await startEscalation(tx, mail, orgId, opened!.incidentId)).toBe(true);
    return opened!.incidentId;
  });
}

const received = (orgId: string) => smtp.received.filter((m) => new RegExp(`^X-Hinoko-Outbox-Id: ${orgId}-`, 'mi').test(m.headers));

async function until(what: string, condition: () => boolean | Promise<boolean>, capMs = 25_000): Promise<void> {
  const end = Date.now() + capMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('after a long SMTP outage a queued page goes out as soon as the server answers again, not when its backoff of minutes ends', async () => {
  const { orgId, a } = await setup();
  await smtp.stop();
  await openIncident(orgId);
  // The service's retry policy (5 s doubling to 15 min); the probe every 200 ms instead of 10 s.
  const m = mailer({ probeMs: 200 });
  // Eight failed attempts, as a long outage makes them — each retry made due at once instead of waited for.
  for (let i = 0; i < 8; i++) {
    await ctx.sql`update mail_outbox set next_attempt_at = clock_timestamp() where org_id = ${orgId} and status = 'pending'`;
    expect(await m.processDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
  }
  const [before] = await ctx.sql<{ attempts: number; next_attempt_at: Date; wait_s: number }[]>`
    select attempts, next_attempt_at, extract(epoch from next_attempt_at - clock_timestamp())::float8 as wait_s
    from mail_outbox where org_id = ${orgId}`;
  // Without the probe this is how long the page would still wait after the server returned.
  expect(before!.attempts).toBe(8);
  expect(before!.wait_s).toBeGreaterThan(5 * 60);
  // While the server is down the probe finds it so and changes nothing.
  expect(await m.probe()).toEqual({ waiting: true, reachable: false, woke: 0 });

  await jobsOf(m).start();
  await smtp.start();
  // Sent as recorded: the SMTP server has it a moment before the mailer's "sent" commit.
  await until(
    'the page to be sent',
    async () => (await ctx.sql`select 1 from mail_outbox where org_id = ${orgId} and status = 'sent'`).length === 1,
  );
  const [after] = await ctx.sql<{ status: string; attempts: number; sent_at: Date; to_address: string }[]>`
    select status, attempts, sent_at, to_address from mail_outbox where org_id = ${orgId}`;
  expect(after).toMatchObject({ status: 'sent', attempts: 9, to_address: a.email });
  expect(after!.sent_at.getTime()).toBeLessThan(before!.next_attempt_at.getTime());
  expect(received(orgId)).toHaveLength(1);
});

it('a server that answers "451 try later" is not hammered: the probe wakes only mail that met an unreachable server (and, once, what an earlier process left waiting)', async () => {
  const { orgId } = await setup();
  smtp.mode = 'tempfail';
  await openIncident(orgId);
  const m = mailer({ retry: { baseMs: 600_000, capMs: 900_000, maxAttempts: 20 } });
  expect(await m.processDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
  const dueAt = async () =>
    (
      await ctx.sql<{ next_attempt_at: Date }[]>`select next_attempt_at from mail_outbox where org_id = ${orgId}`
    )[0]!.next_attempt_at.getTime();
  const scheduled = await dueAt();
  expect(await m.probe()).toEqual({ waiting: true, reachable: true, woke: 0 });
  expect(await m.probe()).toEqual({ waiting: true, reachable: true, woke: 0 });
  expect(await dueAt()).toBe(scheduled);
  // A freshly started process does not know why the row waits: its first probe wakes it once.
  const restarted = mailer({ retry: { baseMs: 600_000, capMs: 900_000, maxAttempts: 20 } });
  expect(await restarted.probe()).toEqual({ waiting: true, reachable: true, woke: 1 });
  await jobsOf(restarted).drain(); // the pass the probe kicked: one more attempt, 451 again
  expect(
    (await ctx.sql<{ attempts: number; status: string }[]>`select attempts, status from mail_outbox where org_id = ${orgId}`)[0],
  ).toEqual({ attempts: 2, status: 'pending' });
  expect(await restarted.probe()).toEqual({ waiting: true, reachable: true, woke: 0 });
  expect(received(orgId)).toHaveLength(0);
});

it("a level's timeout counts from its page's delivery: level 1 delivered 22 minutes late → level 2 paged 15 minutes after that; pages refused for good count from queueing", async () => {
  const t0 = new Date('2026-12-08T01:00:00Z'); // Tuesday 10:00 JST
  const at = (min: number) => new Date(t0.getTime() + min * 60_000);
  now = t0;
  const { orgId, a, b } = await setup([15, 15], 2);
  await smtp.stop();
  const incidentId = await openIncident(orgId);
  // sent_at on the simulated clock, as the service's mailer writes it on ctx.now()'s; a backoff
  // long enough that only the probe brings the page back.
  const m = mailer({ retry: { baseMs: 600_000, capMs: 900_000, maxAttempts: 20 } }, () => now);
  expect(await m.processDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
  const escalation = async () =>
    (
      await ctx.sql<{ round: number; level: number; next_at: Date | null }[]>`
    select round, level, next_at from incident_escalations where org_id = ${orgId} and incident_id = ${incidentId}`
    )[0]!;

  now = at(16); // 15 minutes after queueing: level 2 used to be paged here, though nobody had the page
  expect((await escalateDue(ctx)).paged).toBe(0);
  now = at(22); // the server is back; the page goes out
  await smtp.start();
  expect(await m.probe()).toEqual({ waiting: true, reachable: true, woke: 1 });
  await jobsOf(m).drain();
  expect(received(orgId).map((r) => r.to)).toEqual([[a.email]]);
  expect((await ctx.sql<{ sent_at: Date }[]>`select sent_at from mail_outbox where org_id = ${orgId}`)[0]!.sent_at).toEqual(at(22));

  now = at(36);
  expect((await escalateDue(ctx)).paged).toBe(0);
  expect(await escalation()).toEqual({ round: 1, level: 1, next_at: at(37) });
  now = at(37); // 15 minutes after delivery
  expect((await escalateDue(ctx)).paged).toBe(1);
  expect(await escalation()).toMatchObject({ round: 1, level: 2 });

  // Level 2's mails are refused (550): failed for good, its timeout counts from queueing (37 + 15).
  smtp.mode = 'reject';
  expect(await m.processDue()).toEqual({ sent: 0, retried: 0, failed: 2 });
  now = at(51);
  expect((await escalateDue(ctx)).paged).toBe(0);
  now = at(52);
  expect((await escalateDue(ctx)).paged).toBe(1);
  expect(await escalation()).toMatchObject({ round: 2, level: 1 });
  const escalated = await ctx.sql<{ at: Date; data: { round: number; level: number; to: string[] } }[]>`
    select at, data from incident_events where org_id = ${orgId} and incident_id = ${incidentId} and kind = 'escalated' order by id`;
  expect(escalated.map((e) => [e.at.toISOString(), `${e.data.round}.${e.data.level}`])).toEqual([
    [t0.toISOString(), '1.1'],
    [at(37).toISOString(), '1.2'],
    [at(52).toISOString(), '2.1'],
  ]);
  expect(escalated[1]!.data.to.sort()).toEqual([b.email, 'jimu@clinic.example.jp'].sort());
});
