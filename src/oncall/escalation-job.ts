import { incidentMailConfigFor } from '../notify/mail-config.ts';
import { WakeLoop } from '../jobs/wake-loop.ts';
import type { AppContext } from '../context.ts';
import { advanceEscalation, dueEscalations, ESCALATION_CHANNEL } from './escalation.ts';
import { notifyOverdueTask, overdueTasks } from './overdue-tasks.ts';

// The escalation worker: pages the next level of every escalation whose timeout passed (counted
// from the delivery of the level's page: escalation.ts, levelTimesOutAt), and mails
// the owners of overdue tasks. Shaped like the mailer: woken by NOTIFY, polls on a timer,
// single-flight per process, safe on several instances (per-row transactions with conditional
// updates), processAll() for tests, the clock is ctx.now.

export interface EscalationSummary {
  paged: number;
  overdue: number;
}

export class EscalationWorker {
  /** When the worker's last pass completed without error. */
  get lastPassAt(): Date | null {
    return this.loop.lastSuccessAt;
  }

  private readonly loop: WakeLoop;

  constructor(private readonly ctx: AppContext, pollMs = ctx.config.oncall.pollMs) {
    this.loop = new WakeLoop({ sql: ctx.sql, log: ctx.log, channel: ESCALATION_CHANNEL, pollMs, what: 'escalation', pass: () => this.processAll() });
  }

  /** Everything due at ctx.now(), once. */
  async processAll(): Promise<EscalationSummary> {
    const now = this.ctx.now();
    // Before any transaction: it may read the installation id through ctx.sql.
    const cfg = await incidentMailConfigFor(this.ctx, now);
    const summary: EscalationSummary = { paged: 0, overdue: 0 };
    for (const e of await dueEscalations(this.ctx.sql, now)) {
      if (this.loop.stopped) break;
      if (await this.ctx.sql.begin((tx) => advanceEscalation(tx, cfg, e.org_id, e.incident_id))) summary.paged++;
    }
    for (const t of await overdueTasks(this.ctx.sql, now)) {
      if (this.loop.stopped) break;
      const to = await this.ctx.sql.begin((tx) => notifyOverdueTask(tx, cfg, t.org_id, t.id));
      if (to.length > 0) summary.overdue++;
    }
    return summary;
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  drain(): Promise<void> {
    return this.loop.drain();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
