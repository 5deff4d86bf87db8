import type { AppContext } from '../context.ts';
import type { DetectionStage } from '../context.ts';
import type { StoredMention } from '../mention.ts';
import { detectOrg, markLateRecentBuckets, resetSeriesAfterLateData, type AlertChange } from './run-detection.ts';

/**
 * Passes running at once: each holds one pool connection while it works, and the mailer, the
 * collectors and the API need theirs too. Half the pool (at least one, at most four: detection is
 * CPU-bound beyond that on a small machine) keeps every org's pass moving with any number of orgs.
 */
export function detectionConcurrency(poolSize: number): number {
  return Math.max(1, Math.min(4, Math.floor(poolSize / 2)));
}

/**
 * Runs detection after each stored batch (per org, single-flight: a batch arriving mid-pass
 * schedules one more pass) and on a timer, so quiet buckets are stepped too — silence after a
 * spike is what closes an episode. Orgs wait in a queue for one of a bounded number of slots.
 */
export class DetectionService implements DetectionStage {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Orgs waiting for a slot, in the order they asked; a Set so an org waits once. */
  private readonly queued = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ctx: AppContext | undefined;
  /** When a pass last completed without error (/healthz shows it). */
  lastPassAt: Date | null = null;
  /** When this detector started: after downtime, collectors get the wait from here to catch up. */
  private startedAt = -Infinity;

  constructor(private readonly onChange: (change: AlertChange) => void = () => {}) {}

  private get limit(): number {
    return detectionConcurrency(this.ctx?.config.database.poolSize ?? 2);
  }

  /** The service needs the context it is part of; main.ts binds it once the context exists. */
  bind(ctx: AppContext): this {
    this.ctx = ctx;
    return this;
  }

  async afterStore(orgId: string, mentions: StoredMention[]): Promise<void> {
    if (this.ctx) {
      const reset = await resetSeriesAfterLateData(this.ctx, orgId, mentions);
      if (reset.length > 0) this.ctx.log.info({ orgId, series: reset }, 'late data: detection series will be rebuilt from history');
      const rejudged = await markLateRecentBuckets(this.ctx, orgId, mentions);
      if (rejudged > 0) this.ctx.log.debug({ orgId, series: rejudged }, 'late posts in recent buckets: they will be judged again');
    }
    this.kick(orgId);
  }

  start(intervalMs = 60_000): void {
    if (this.ctx) this.startedAt = this.ctx.now().getTime();
    const tick = async () => {
      if (!this.ctx) return;
      const orgs = await this.ctx.sql<{ id: string }[]>`select id from organizations order by id`.catch(() => []);
      for (const o of orgs) this.kick(o.id);
    };
    this.timer = setInterval(() => void tick(), intervalMs);
    this.timer.unref();
    void tick();
  }

  kick(orgId: string): void {
    const ctx = this.ctx;
    if (!ctx || ctx.shutdown.aborted) return;
    if (this.running.has(orgId)) {
      this.again.add(orgId);
      return;
    }
    if (this.running.size >= this.limit) {
      this.queued.add(orgId);
      return;
    }
    const run = detectOrg(ctx, orgId, ctx.now(), { waitFromMs: this.startedAt, waitMs: ctx.config.detection.waitMs })
      .then((changes) => {
        this.lastPassAt = new Date();
        for (const c of changes) {
          // Only what notifies someone is news in the log; silent updates (every bucket of an
          // episode, a replay of history) would bury it.
          ctx.log[c.notify ? 'info' : 'debug']({ orgId, alertId: c.alertId, action: c.action, severity: c.severity, kind: c.kind }, c.summary);
          this.onChange(c);
        }
      })
      .catch((err) => ctx.log.error({ err, orgId }, 'detection pass failed'))
      .finally(() => {
        this.running.delete(orgId);
        if (this.again.delete(orgId)) this.queued.add(orgId);
        this.next();
      });
    this.running.set(orgId, run);
  }

  /** Starts waiting orgs while slots are free. */
  private next(): void {
    for (const orgId of this.queued) {
      if (this.running.size >= this.limit || this.ctx?.shutdown.aborted) return;
      this.queued.delete(orgId);
      this.kick(orgId);
    }
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }
}
