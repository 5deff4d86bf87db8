import { leaseNames } from '../db/locks.ts';
import { Wakeup, type Job } from '../jobs/job.ts';
import { analyzeStored } from './analyze-stored.ts';

/** The analysis backlog's job; wake it (`wakeup.wake()`) after storing unanalysed mentions. */
export interface AnalysisBacklogJob extends Job<void> {
  readonly wakeup: Wakeup;
}

/**
 * Analyses what was stored unanalysed (webhook deliveries answer first): woken after a delivery,
 * and a periodic sweep catches anything a crash left behind.
 */
export function analysisBacklogJob(pollMs = 30_000): AnalysisBacklogJob {
  return {
    name: 'analysis-backlog',
    trigger: { pollMs },
    // One instance sweeps at a time: two would analyse the same rows twice. A lease, not a
    // session lock: the sweep outlives one transaction (README, "The database goes away").
    lock: { lease: leaseNames.analysisBacklog, ttlMs: 60_000 },
    wakeup: new Wakeup(),
    async run(ctx, pass) {
      if (!ctx.analyzer) return;
      await analyzeStored({ ...ctx, shutdown: AbortSignal.any([ctx.shutdown, pass.signal]) }, { mode: 'missing' });
    },
  };
}
