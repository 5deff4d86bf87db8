import type { AppContext } from '../context.ts';
import { tryLease } from '../db/leases.ts';
import { analyzeStored } from './analyze-stored.ts';

/**
 * Analyses what was stored unanalysed (webhook deliveries answer first). kick() after a delivery;
 * a periodic sweep catches anything a crash left behind. One instance sweeps at a time.
 */
export class AnalysisBacklog {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: AppContext) {}

  start(intervalMs = 30_000): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (!this.ctx.analyzer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweep().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async sweep(): Promise<void> {
    try {
      const lease = await tryLease(this.ctx.sql, 'analysis-backlog', this.ctx.instanceId, { ttlMs: 60_000, log: this.ctx.log });
      if (!lease) return;
      try {
        await analyzeStored({ ...this.ctx, shutdown: AbortSignal.any([this.ctx.shutdown, lease.lost]) }, { mode: 'missing' });
      } finally {
        await lease.release();
      }
    } catch (err) {
      this.ctx.log.error({ err }, 'analysis backlog sweep failed');
    }
  }

  /** Waits for the sweep in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }
}
