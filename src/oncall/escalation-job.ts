import { incidentMailConfigFor } from '../notify/mail-config.ts';
import type { AppContext } from '../context.ts';
import type { Job } from '../jobs/job.ts';
import { advanceEscalation, dueEscalations, ESCALATION_CHANNEL } from './escalation.ts';
import { notifyOverdueTask, overdueTasks } from './overdue-tasks.ts';
import { escalationsPaged } from '../metrics.ts';

// The escalation job: pages the next level of every escalation whose timeout passed (counted
// from the delivery of the level's page: escalation.ts, levelTimesOutAt), and mails the owners of
// overdue tasks. Woken by NOTIFY when an escalation starts, polling for timeouts; the clock is
// ctx.now.

export interface EscalationSummary {
  paged: number;
  overdue: number;
}

/** Everything due at ctx.now(), once (tests call it as ozone's processAll). */
export async function escalateDue(ctx: AppContext, signal?: AbortSignal): Promise<EscalationSummary> {
  const now = ctx.now();
  // Before any transaction: it may read the installation id through ctx.sql.
  const cfg = await incidentMailConfigFor(ctx, now);
  const summary: EscalationSummary = { paged: 0, overdue: 0 };
  for (const e of await dueEscalations(ctx.sql, now)) {
    if (signal?.aborted) break;
    if (await ctx.sql.begin((tx) => advanceEscalation(tx, cfg, e.org_id, e.incident_id))) {
      summary.paged++;
      escalationsPaged.inc();
    }
  }
  for (const t of await overdueTasks(ctx.sql, now)) {
    if (signal?.aborted) break;
    const to = await ctx.sql.begin((tx) => notifyOverdueTask(tx, cfg, t.org_id, t.id));
    if (to.length > 0) summary.overdue++;
  }
  return summary;
}

export function escalationJob(pollMs: number): Job<EscalationSummary> {
  return {
    name: 'escalation',
    trigger: { notify: ESCALATION_CHANNEL, pollMs },
    // No lock: each escalation is advanced in its own transaction over its row taken FOR UPDATE
    // SKIP LOCKED, and an overdue notice is an update conditional on overdue_notified_at, so
    // instances share the work and page a level (or mail a task) once.
    lock: null,
    run: (ctx, pass) => escalateDue(ctx, pass.signal),
  };
}
