import type { AppContext } from '../context.ts';

// The one shape of background work (house style, rule 7), after ozone's daemons
// (packages/ozone/src/daemon: a pass, skipped when another instance holds the lock; processAll()
// for tests; destroy() awaiting the pass in flight) and graphile-worker's cron (a tick is claimed
// in the database, so several instances fire it once). A job is a plain definition; JobRunner
// (runner.ts) is the only code that starts, wakes, locks and stops one.

/**
 * What asks for a pass, besides an in-process wake():
 * - `cron`: node-cron ticks (`timezone` default Asia/Tokyo); a tick that finds a pass running is
 *   dropped, not queued (a late run would be for a tick already past); no pass at start;
 * - `notify`: a Postgres NOTIFY on `channel` (a commit queued work) and a poll for what needs no
 *   commit to become due (retries, timeouts, expired leases); a first pass at start;
 * - `pollMs`: a timer only; a first pass at start.
 */
export type JobTrigger = { cron: string; timezone?: string } | { notify: string; pollMs: number } | { pollMs: number };

/** A lease (src/db/leases.ts) taken for each pass; its name comes from leaseNames in src/db/locks.ts. */
export interface JobLock {
  lease: string;
  /** The lease's time to live: a holder that cannot renew it for this long stops its pass. */
  ttlMs: number;
}

/** What the runner tells one pass. */
export interface JobPass {
  /** The trigger asked for it (start, timer, NOTIFY, cron tick), not only a wake(): a poll's sweep is due. */
  triggered: boolean;
  /** The cron tick this pass is for, to the whole second (every instance computes the same); null otherwise. */
  scheduledFor: Date | null;
  /** When start() was called, on the context's clock; null while the runner was never started. */
  startedAt: Date | null;
  /** Aborted by stop() and when the pass's lease is lost: stop at the next step. */
  signal: AbortSignal;
}

/** What a runner needs from its context; AppContext has it. */
export type JobDeps = Pick<AppContext, 'sql' | 'log' | 'instanceId' | 'now'>;

export interface Job<R = unknown, C extends JobDeps = AppContext> {
  /** Unique among the jobs of a process; the log and /healthz name the job by it. */
  name: string;
  trigger: JobTrigger;
  /**
   * Taken before each pass; when another instance holds it the pass is skipped. null only where
   * the work itself is safe on several instances: say why beside it.
   */
  lock: JobLock | null;
  /** In-process requests for a pass (a webhook stored, a batch committed, the server answers again). */
  wakeup?: Wakeup;
  /** One pass. A throw is logged and the next trigger tries again; it never stops the job. */
  run(ctx: C, pass: JobPass): Promise<R>;
  /** Once, after the last pass, on the way down: work the shutdown owes (a final checkpoint) and what the job holds. */
  stop?(ctx: C): Promise<void>;
}

/** Where in-process callers ask a job for a pass without holding its runner. */
export class Wakeup {
  private readonly listeners = new Set<() => void>();

  wake(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
