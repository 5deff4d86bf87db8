import { systemActor } from '../audit/record.ts';
import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { appendEvent } from '../incident-record/incident.ts';
import { auditDeliveries } from './audit-deliveries.ts';
import type { Logger } from '../logger.ts';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from './backoff.ts';
import { OUTBOX_CHANNEL } from './outbox-identity.ts';
import { PermanentDeliveryError, serverAnswered, type MailTransport } from './transports.ts';
import { Wakeup, type Job, type JobDeps } from '../jobs/job.ts';

// The outbox worker. Delivery is at-least-once with a lease, made as close to exactly-once as
// SMTP allows:
// - a claim is one UPDATE over rows picked FOR UPDATE SKIP LOCKED, so two instances never hold
//   the same row, and nothing is sent inside a transaction;
// - a row whose claimant died is due again when its lease ends (next_attempt_at = lease end);
// - the honest limit: a crash (or a lost connection) after the SMTP server accepted the mail
//   but before our "sent" commit sends it once more. That copy carries the same Message-ID
//   (derived from the dedupe key), so receivers and their filters can drop it.
//
// Status transitions (each one conditional on the current status, so a late writer changes nothing):
//   pending → sending            claim (attempts + 1, lease)
//   sending → sending            claim by another worker after the lease ended
//   sending → sent               the transport accepted it
//   sending → pending            temporary failure, retried after backoff
//   sending → failed             5xx refusal, or attempts exhausted
//   pending → pending (due now)  the recovery probe found the server back (below)
//
// Recovery (issue 12 item 8): the backoff grows to 15 minutes, so after a long outage a queued
// page waited up to that long once the server was back (an operator measured 2 min 16 s). The
// backoff stays — it is what keeps 20 attempts spanning 3½ hours of outage and spares a dead
// server a retry storm — and a probe finds the server's return instead: while mail waits out a
// backoff, every probeMs (10 s) the transport's verify() (connect, EHLO, QUIT; no mail, no attempt
// used up) is tried, and when the server was unreachable and answers again, every waiting row is
// made due now and sent. So a page goes out within probeMs (+ one connect timeout if the probe
// in flight hung on a half-dead server: well under 30 s) of the server coming back. We chose
// this over capping pages' backoff at 30 s: a cap would spend a page's attempts in minutes
// (20 attempts every ≤ 30 s is ≤ 10 minutes of outage before "failed") or need a second give-up
// rule, and would hit the dead server once per waiting mail instead of once per instance.
// "Unreachable" is a failure without an SMTP reply (refused, timeout, reset); a server that
// answers 4xx is there and only said "later", so the probe does not wake those rows and a busy
// server is not hammered. A process starts out assuming unreachable: rows left waiting by an
// earlier process are woken by its first successful probe (one extra attempt each, at most).

export interface MailerDeps {
  sql: Sql;
  log: Logger;
  /** Names this worker in locked_by. */
  instanceId: string;
  /**
   * The clock sent_at is written with (default: this machine's). The escalation worker counts a
   * level's timeout from its page's sent_at against ctx.now(), so the service passes its context
   * — one clock for both — and a test its simulated one. Leases and due times stay on the
   * database's clock: they coordinate instances.
   */
  now?: () => Date;
}

/** What one probe found (for tests and the log). */
export interface ProbeResult {
  /** Some mail waits out a backoff (nothing to probe for otherwise). */
  waiting: boolean;
  /** verify() succeeded; null when not probed. */
  reachable: boolean | null;
  /** Rows made due now because the server came back. */
  woke: number;
}

export interface MailerOptions {
  transport: MailTransport;
  from: string;
  retry?: RetryPolicy;
  /** How long a claimed row is ours; must exceed the transport's worst-case send time. */
  leaseMs?: number;
  batchSize?: number;
  /** Mails in flight at once per worker. */
  concurrency?: number;
  pollMs?: number;
  /** How often the server is probed while mail waits out a backoff; ≤ 15 s keeps a page's delay after recovery under 30 s. */
  probeMs?: number;
  random?: () => number;
}

export const defaultProbeMs = 10_000;

export type OutboxRow = Pick<
  Row<'mail_outbox'>,
  'org_id' | 'id' | 'to_address' | 'subject' | 'text_body' | 'html_body' | 'message_id' | 'attempts' | 'thread_root'
>;

export interface DrainSummary {
  sent: number;
  retried: number;
  failed: number;
}

export class Mailer {
  private readonly retry: RetryPolicy;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly probeMs: number;
  private readonly random: () => number;
  /** The probe asks the outbox job for a pass through it. */
  private readonly wakeup = new Wakeup();
  /** Last seen unreachable (a send without an SMTP reply, or a failed probe); unknown counts as unreachable. */
  private serverDown = true;
  /** The first pass also audits what an earlier process delivered but did not get to audit. */
  private auditedOnce = false;

  constructor(
    private readonly deps: MailerDeps,
    private readonly options: MailerOptions,
  ) {
    this.retry = options.retry ?? defaultRetryPolicy;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.batchSize = options.batchSize ?? 20;
    this.concurrency = options.concurrency ?? 4;
    this.pollMs = options.pollMs ?? 5_000;
    this.probeMs = options.probeMs ?? defaultProbeMs;
    this.random = options.random ?? Math.random;
  }

  get transportKind() {
    return this.options.transport.kind;
  }

  /** Claims up to one batch of due rows for this worker. */
  async claim(): Promise<OutboxRow[]> {
    // Cross-tenant on purpose: the worker serves every org; each row keeps its org_id.
    return this.deps.sql<OutboxRow[]>`
      update mail_outbox o set
        status = 'sending',
        locked_by = ${this.deps.instanceId},
        locked_until = clock_timestamp() + ${this.leaseMs} * interval '1 millisecond',
        next_attempt_at = clock_timestamp() + ${this.leaseMs} * interval '1 millisecond',
        attempts = o.attempts + 1
      where o.id in (
        select id from mail_outbox
        where status in ('pending', 'sending') and next_attempt_at <= clock_timestamp()
        order by next_attempt_at, id
        limit ${this.batchSize}
        for update skip locked)
      returning o.org_id, o.id, o.to_address, o.subject, o.text_body, o.html_body, o.message_id, o.attempts, o.thread_root`;
  }

  private async deliver(row: OutboxRow): Promise<'sent' | 'retried' | 'failed'> {
    const { sql, instanceId, log } = this.deps;
    if (row.attempts > this.retry.maxAttempts) {
      // Claimed again and again without an outcome: every claimant died mid-send.
      const error = `gave up: ${this.retry.maxAttempts} attempts without an outcome (worker lost its lease)`;
      await sql.begin(async (tx) => {
        const [failed] = await tx<{ incident_id: string | null; at: Date }[]>`
          update mail_outbox set status = 'failed', locked_by = null, locked_until = null, last_error = ${error}
          where org_id = ${row.org_id} and id = ${row.id} and status = 'sending' and locked_by = ${instanceId}
          returning incident_id, clock_timestamp() as at`;
        if (failed?.incident_id) {
          await appendEvent(tx, {
            orgId: row.org_id,
            incidentId: failed.incident_id,
            at: failed.at,
            kind: 'mail_failed',
            actor: systemActor,
            data: { outboxId: row.id, to: row.to_address, error },
          });
        }
      });
      log.error({ orgId: row.org_id, outboxId: row.id }, 'アラートメールの送信を断念しました (alert mail given up)');
      return 'failed';
    }
    try {
      const receipt = await this.options.transport.send({
        outboxId: row.id,
        orgId: row.org_id,
        from: this.options.from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId: row.message_id,
        threadRoot: row.thread_root,
      });
      this.serverDown = false;
      // Not fenced on locked_by: the mail did go out, whoever holds the lease now. The incident's
      // timeline learns it in the same transaction, so 'mail_sent' appears once, with the row.
      await sql.begin(async (tx) => {
        const [sent] = await tx<{ incident_id: string | null; sent_at: Date }[]>`
          update mail_outbox set status = 'sent', sent_at = ${(this.deps.now ?? (() => new Date()))()}, delivered_via = ${this.options.transport.kind},
            delivery_detail = ${receipt.detail}, last_error = null, locked_by = null, locked_until = null
          where org_id = ${row.org_id} and id = ${row.id} and status = 'sending'
          returning incident_id, sent_at`;
        if (sent?.incident_id) {
          await appendEvent(tx, {
            orgId: row.org_id,
            incidentId: sent.incident_id,
            at: sent.sent_at,
            kind: 'mail_sent',
            actor: systemActor,
            data: { outboxId: row.id, to: row.to_address, via: this.options.transport.kind },
          });
        }
      });
      log.info({ orgId: row.org_id, outboxId: row.id, via: this.options.transport.kind }, 'アラートメールを送信しました (alert mail sent)');
      return 'sent';
    } catch (err) {
      this.serverDown = !serverAnswered(err);
      const permanent = err instanceof PermanentDeliveryError;
      const giveUp = permanent || row.attempts >= this.retry.maxAttempts;
      const delay = retryDelayMs(row.attempts, this.retry, this.random());
      const error = (err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err)).slice(0, 1000);
      await sql.begin(async (tx) => {
        const [moved] = await tx<{ incident_id: string | null; at: Date }[]>`
          update mail_outbox set
            status = ${giveUp ? 'failed' : 'pending'},
            next_attempt_at = clock_timestamp() + ${delay} * interval '1 millisecond',
            last_error = ${error}, locked_by = null, locked_until = null
          where org_id = ${row.org_id} and id = ${row.id} and status = 'sending' and locked_by = ${instanceId}
          returning incident_id, clock_timestamp() as at`;
        if (giveUp && moved?.incident_id) {
          await appendEvent(tx, {
            orgId: row.org_id,
            incidentId: moved.incident_id,
            at: moved.at,
            kind: 'mail_failed',
            actor: systemActor,
            data: { outboxId: row.id, to: row.to_address, error },
          });
        }
      });
      (giveUp ? log.error : log.warn).call(
        log,
        { orgId: row.org_id, outboxId: row.id, attempts: row.attempts, err: error, retryInMs: giveUp ? null : delay },
        giveUp
          ? 'アラートメールを送信できませんでした (alert mail failed)'
          : 'アラートメール送信を再試行します (alert mail will be retried)',
      );
      return giveUp ? 'failed' : 'retried';
    }
  }

  /**
   * Sends everything due now, batch after batch, and returns what happened. Rows that fail are
   * rescheduled for later and not retried within this call. Safe to run on several instances.
   * An aborted `signal` (shutdown) stops it between batches.
   */
  async processDue(signal?: AbortSignal): Promise<DrainSummary> {
    const summary: DrainSummary = { sent: 0, retried: 0, failed: 0 };
    while (!signal?.aborted) {
      const rows = await this.claim();
      if (rows.length === 0) break;
      let next = 0;
      const lanes = Array.from({ length: Math.min(this.concurrency, rows.length) }, async () => {
        while (next < rows.length) {
          const row = rows[next++]!;
          summary[await this.deliver(row)]++;
        }
      });
      await Promise.all(lanes);
    }
    if (summary.sent + summary.failed > 0 || !this.auditedOnce) {
      // After the mails are out, never before: the audit chain may be busy with detection.
      await auditDeliveries(this.deps.sql);
      this.auditedOnce = true;
    }
    return summary;
  }

  /**
   * The recovery probe (header): when mail waits out a backoff, checks the server; if it was
   * unreachable and answers now, makes every waiting row due and kicks a pass. Safe on several
   * instances: waking a row only moves its due time, the claim still takes it once.
   */
  async probe(): Promise<ProbeResult> {
    const { sql, log } = this.deps;
    const transport = this.options.transport;
    if (!transport.verify) return { waiting: false, reachable: null, woke: 0 };
    // Cross-tenant, like the claim: pending and not yet due means a failed attempt waiting for
    // its retry (new rows are due at once). Served by mail_outbox_due_idx.
    const [w] = await sql<{ waiting: boolean }[]>`
      select exists (select 1 from mail_outbox where status = 'pending' and next_attempt_at > clock_timestamp()) as waiting`;
    if (!w!.waiting) return { waiting: false, reachable: null, woke: 0 };
    try {
      await transport.verify();
    } catch (err) {
      if (!this.serverDown)
        log.warn(
          { err: (err as Error).message },
          'SMTP サーバーに接続できません。復旧を確認し次第送信します (SMTP server unreachable: mail goes out once it answers again)',
        );
      this.serverDown = true;
      return { waiting: true, reachable: false, woke: 0 };
    }
    if (!this.serverDown) return { waiting: true, reachable: true, woke: 0 };
    this.serverDown = false;
    const [woken] = await sql<{ n: number }[]>`
      with woken as (
        update mail_outbox set next_attempt_at = clock_timestamp()
        where status = 'pending' and next_attempt_at > clock_timestamp()
        returning 1)
      select count(*)::int as n from woken`;
    log.info(
      { woke: woken!.n },
      'SMTP サーバーが応答しました。待機中のメールを今すぐ送信します (SMTP server answers again: sending waiting mail now)',
    );
    this.kick();
    return { waiting: true, reachable: true, woke: woken!.n };
  }

  /** Runs processDue now, or once more after the current run (through the outbox job). */
  kick(): void {
    this.wakeup.wake();
  }

  /**
   * The mailer's jobs. The probe comes first so that it stops first: the outbox job closes the
   * transport the probe verifies with.
   */
  jobs(): Job<unknown, JobDeps>[] {
    const probe: Job<ProbeResult, JobDeps> = {
      name: 'mail-probe',
      trigger: { pollMs: this.probeMs },
      // No lock: a probe only reads, and waking a row only moves its due time (above).
      lock: null,
      run: () => this.probe(),
    };
    const outbox: Job<DrainSummary, JobDeps> = {
      name: 'mail',
      // NOTIFY on every commit that enqueued mail; the poll finds retries and expired leases.
      trigger: { notify: OUTBOX_CHANNEL, pollMs: this.pollMs },
      // No lock: the claim (FOR UPDATE SKIP LOCKED under a lease, above) already gives each row
      // to one instance; a job-wide lock would leave the other instances idle with mail waiting.
      lock: null,
      wakeup: this.wakeup,
      run: (_ctx, pass) => this.processDue(pass.signal),
      stop: async () => this.options.transport.close(),
    };
    return this.options.transport.verify ? [probe, outbox] : [outbox];
  }
}
