import type { AppContext } from '../context.ts';
import { advisoryKey } from '../db/locks.ts';
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
    const conn = await this.ctx.sql.reserve();
    const key = advisoryKey('analysis-backlog');
    try {
      const [lock] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(${key}::bigint) as ok`;
      if (!lock?.ok) return;
      try {
        await analyzeStored(this.ctx, { mode: 'missing' });
      } finally {
        await conn`select pg_advisory_unlock(${key}::bigint)`.catch(() => {});
      }
    } catch (err) {
      this.ctx.log.error({ err }, 'analysis backlog sweep failed');
    } finally {
      conn.release();
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
