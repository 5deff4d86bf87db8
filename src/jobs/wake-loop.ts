import type { Sql } from '../db/connect.ts';
import type { Logger } from '../logger.ts';

/**
 * The run loop shared by the mailer and the escalation worker: a pass runs when a NOTIFY on
 * `channel` arrives (a commit queued work) and every `pollMs` (retries, timeouts, leases), one at a
 * time per process — a kick during a pass runs one more pass after it, never two at once.
 */
export class WakeLoop {
  stopped = false;
  /** When a pass last completed without error (/healthz shows it). */
  lastSuccessAt: Date | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly o: { sql: Sql; log: Logger; channel: string; pollMs: number; what: string; pass: () => Promise<unknown> }) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.o.pass()
      .then(() => { this.lastSuccessAt = new Date(); })
      .catch((err) => this.o.log.error({ err }, `${this.o.what} pass failed`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async start(): Promise<void> {
    const listening = await this.o.sql.listen(this.o.channel, () => this.kick());
    this.unlisten = () => listening.unlisten();
    this.timer = setInterval(() => this.kick(), this.o.pollMs);
    this.timer.unref();
    this.kick();
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => {});
    await this.drain();
  }
}
