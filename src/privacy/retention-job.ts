import { leaseNames } from '../db/locks.ts';
import type { Job } from '../jobs/job.ts';
import { applyRetentionEverywhere } from './retention.ts';

/**
 * Retention once a day at 03:30 JST (a quiet hour for clinics), every organisation in turn. The
 * tick is claimed by a lease, so several instances run it once; a pass cut short (a restart, the
 * database away) is finished by the next day's, as every batch is whole.
 */
export function retentionJob(schedule = '30 3 * * *'): Job<void> {
  return {
    name: 'retention',
    trigger: { cron: schedule, timezone: 'Asia/Tokyo' },
    lock: { lease: leaseNames.retention, ttlMs: 10 * 60_000 },
    async run(ctx, pass) {
      const reports = await applyRetentionEverywhere({ ...ctx, shutdown: AbortSignal.any([ctx.shutdown, pass.signal]) });
      let removed = 0;
      for (const r of reports.values()) for (const k of Object.values(r.kinds)) removed += k.removed;
      ctx.log.info({ organizations: reports.size, removed }, 'retention pass done');
    },
  };
}
