import type { IncidentMailConfig } from '../alerting/enqueue-incident-mails.ts';
import type { AppContext } from '../context.ts';
import { advanceEscalation, dueEscalations, ESCALATION_CHANNEL } from './escalation.ts';
import { notifyOverdueTask, overdueTasks } from './overdue-tasks.ts';

// The escalation worker: pages the next level of every escalation whose timeout passed, and mails
// the owners of overdue tasks. Shaped like the mailer: woken by NOTIFY, polls on a timer,
// single-flight per process, safe on several instances (per-row transactions with conditional
// updates), processAll() for tests, the clock is ctx.now.

export interface EscalationSummary {
  paged: number;
  overdue: number;
}

export class EscalationWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly ctx: AppContext, private readonly pollMs = ctx.config.oncall.pollMs) {}

  private mailConfig(now: Date): IncidentMailConfig {
    const { config, sql } = this.ctx;
    return { from: config.mail.from, publicUrl: config.mail.publicUrl, sql, secret: config.oncall.secret, ackLinkTtlMs: config.oncall.ackLinkTtlMs, now };
  }

  /** Everything due at ctx.now(), once. */
  async processAll(): Promise<EscalationSummary> {
    const now = this.ctx.now();
    const cfg = this.mailConfig(now);
    const summary: EscalationSummary = { paged: 0, overdue: 0 };
    for (const e of await dueEscalations(this.ctx.sql, now)) {
      if (this.stopped) break;
      if (await this.ctx.sql.begin((tx) => advanceEscalation(tx, cfg, e.org_id, e.incident_id))) summary.paged++;
    }
    for (const t of await overdueTasks(this.ctx.sql, now)) {
      if (this.stopped) break;
      const to = await this.ctx.sql.begin((tx) => notifyOverdueTask(tx, cfg, t.org_id, t.id));
      if (to.length > 0) summary.overdue++;
    }
    return summary;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.processAll()
      .then(() => undefined)
      .catch((err) => this.ctx.log.error({ err }, 'escalation pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async start(): Promise<void> {
    const listening = await this.ctx.sql.listen(ESCALATION_CHANNEL, () => this.kick());
    this.unlisten = () => listening.unlisten();
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => {});
    await this.drain();
  }
}
