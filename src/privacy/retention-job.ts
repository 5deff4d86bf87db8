import { leaseNames } from '../db/locks.ts';
import type { Job } from '../jobs/job.ts';
import { addMonths, ensureMonthPartitions, monthOf } from '../db/partitions.ts';
import { expireMonths } from './expire-months.ts';
import { applyRetentionEverywhere } from './retention.ts';

/**
 * Retention once a day at 03:30 JST (a quiet hour for clinics), every organisation in turn, then
 * the installation's months (expire-months.ts). The
 * tick is claimed by a lease, so several instances run it once; a pass cut short (a restart, the
 * database away) is finished by the next day's, as every batch is whole.
 */
export function retentionJob(schedule = '30 3 * * *'): Job<void> {
  return {
    name: 'retention',
    trigger: { cron: schedule, timezone: 'Asia/Tokyo' },
    lock: { lease: leaseNames.retention, ttlMs: 10 * 60_000 },
    async run(ctx, pass) {
      const passCtx = { ...ctx, shutdown: AbortSignal.any([ctx.shutdown, pass.signal]) };
      const reports = await applyRetentionEverywhere(passCtx);
      let removed = 0;
      for (const r of reports.values()) for (const k of Object.values(r.kinds)) removed += k.removed;
      // Months ahead are made before old ones go: a post never waits in the default partition for want of its month.
      const keep = ctx.config.retention.keepMonths;
      await ensureMonthPartitions(ctx.sql, ctx.now(), keep === 0 ? {} : { oldest: addMonths(monthOf(ctx.now()), -keep) });
      const months = await expireMonths(passCtx);
      ctx.log.info(
        {
          organizations: reports.size,
          removed,
          monthsDropped: months.dropped.map((d) => d.month),
          monthsKeptAsEvidence: months.kept.map((k) => k.month),
          outsideMonths: months.outsideMonths,
        },
        'retention pass done',
      );
    },
  };
}
