import type { AppContext, DetectionStage } from '../context.ts';
import { Wakeup, type Job, type JobPass } from '../jobs/job.ts';
import { detectOrg, markLateRecentBuckets, resetSeriesAfterLateData, SETTLE_MS } from './run-detection.ts';
import { alertChanges, detectionPassSeconds } from '../metrics.ts';
import { MENTION_BUCKET_MS } from '../mention.ts';

/**
 * Passes running at once: each holds one pool connection while it works, and the mailer, the
 * collectors and the API need theirs too. Half the pool (at least one, at most four: detection is
 * CPU-bound beyond that on a small machine) keeps every org's pass moving with any number of orgs.
 */
export function detectionConcurrency(poolSize: number): number {
  return Math.max(1, Math.min(4, Math.floor(poolSize / 2)));
}

export interface DetectionSummary {
  orgs: number;
}

/** The detection job, and the stage ingest hands stored batches to (AppContext.detection). */
export interface DetectionJob extends Job<DetectionSummary>, DetectionStage {
  /** Asks for a pass over one org (a single org's pass never runs twice at once). */
  kick(orgId: string): void;
}

/**
 * Runs detection after each stored batch and, every `pollMs`, over every org, so quiet buckets
 * are stepped too — silence after a spike is what closes an episode. Orgs wait in a queue for one
 * of a bounded number of slots; an org kicked during its own pass gets one more after it.
 */
export function detectionJob(pollMs = 60_000): DetectionJob {
  /** Orgs waiting for a slot, in the order they asked; a Set so an org waits once. */
  const queued = new Set<string>();
  const wakeup = new Wakeup();
  const kick = (orgId: string) => {
    queued.add(orgId);
    wakeup.wake();
  };
  /** Per org, the latest settled bucket end a finished run asked a pass for: one pass per bucket, not per run. */
  const kickedFor = new Map<string, number>();
  return {
    name: 'detection',
    trigger: { pollMs },
    // No lock: a series is stepped under its detector_states row lock, one transaction per
    // bucket, so instances take turns on a series instead of forking it; a job-wide lock would
    // make every org wait for one instance.
    lock: null,
    wakeup,
    kick,
    async afterStore(deps, orgId, mentions) {
      const reset = await resetSeriesAfterLateData(deps, orgId, mentions);
      if (reset.length > 0) deps.log.info({ orgId, series: reset }, 'late data: detection series will be rebuilt from history');
      const rejudged = await markLateRecentBuckets(deps, orgId, mentions);
      if (rejudged > 0) deps.log.debug({ orgId, series: rejudged }, 'late posts in recent buckets: they will be judged again');
      kick(orgId);
    },
    afterRun(orgId, coversUntil, finishedAt) {
      // A bucket may be judged once it has settled (SETTLE_MS after its end) and a run that
      // began after its end has committed (watermark.ts). The first run of an org to finish
      // after that moment gets the org its pass: the bucket is judged within a collection
      // interval of settling, the orgs' passes spread over that interval, one pass per org and
      // bucket — instead of waiting for a stored post or the minute's poll (a quiet clinic has
      // neither for minutes).
      const settled = Math.floor((finishedAt.getTime() - SETTLE_MS) / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
      if (coversUntil.getTime() < settled || (kickedFor.get(orgId) ?? -Infinity) >= settled) return;
      kickedFor.set(orgId, settled);
      kick(orgId);
    },
    async run(ctx, pass) {
      if (pass.triggered) {
        for (const o of await ctx.sql<{ id: string }[]>`select id from organizations order by id`) queued.add(o.id);
      }
      return passOverQueue(ctx, pass, queued, wakeup);
    },
  };
}

/**
 * Runs the queued orgs, up to detectionConcurrency at once, taking orgs queued meanwhile too,
 * until the queue is empty (or the job stops). Fails when an org's pass failed, after the others.
 */
function passOverQueue(ctx: AppContext, pass: JobPass, queued: Set<string>, wakeup: Wakeup): Promise<DetectionSummary> {
  const limit = detectionConcurrency(ctx.config.database.poolSize);
  // After downtime, collectors get the wait from the start to catch up (watermark.ts).
  const options = { waitFromMs: pass.startedAt?.getTime() ?? -Infinity, waitMs: ctx.config.detection.waitMs };
  const running = new Set<string>();
  let done = 0;
  let failed = 0;
  return new Promise((resolve, reject) => {
    const next = () => {
      for (const orgId of queued) {
        if (running.size >= limit || pass.signal.aborted || ctx.shutdown.aborted) break;
        if (running.has(orgId)) continue;
        queued.delete(orgId);
        running.add(orgId);
        const timer = detectionPassSeconds.startTimer();
        void detectOrg(ctx, orgId, ctx.now(), options)
          .then(
            (changes) => {
              done++;
              timer();
              for (const c of changes) {
                alertChanges.inc({ kind: c.kind ?? 'unknown', action: c.action });
                // Only what notifies someone is news in the log; silent updates (every bucket of an
                // episode, a replay of history) would bury it.
                ctx.log[c.notify ? 'info' : 'debug'](
                  { orgId, alertId: c.alertId, action: c.action, severity: c.severity, kind: c.kind },
                  c.summary,
                );
              }
            },
            (err: unknown) => {
              failed++;
              ctx.log.error({ err, orgId }, 'detection pass failed');
            },
          )
          .finally(() => {
            running.delete(orgId);
            next();
          });
      }
      if (running.size > 0) return;
      unsubscribe();
      if (failed > 0) reject(new Error(`detection failed for ${failed} of ${done + failed} organisations`));
      else resolve({ orgs: done });
    };
    // A batch stored during the pass starts in a free slot at once, not after the pass.
    const unsubscribe = wakeup.subscribe(next);
    next();
  });
}
