import type { AppContext } from '../context.ts';
import { writeCheckpoints } from './checkpoint-store.ts';

/**
 * Checkpoints the audit chains every HINOKO_AUDIT_CHECKPOINT and once more on the way down, so a
 * clean stop leaves no unprotected tail. A failed pass (database away) is logged and retried on the
 * next tick; it never stops the service.
 */
export class AuditCheckpointer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.timer = setInterval(() => void this.pass(), this.ctx.config.audit.checkpointMs);
    this.timer.unref();
    void this.pass();
  }

  /** One pass now; passes never overlap. */
  pass(final = false): Promise<unknown> {
    this.running = this.running.then(() => writeCheckpoints(this.ctx)).catch((err: unknown) => {
      // On the way down the database may already be gone (Ctrl+C reaches an embedded Postgres
      // too); the checkpoint of a minute ago stands, and the next start writes a new one.
      if (final) this.ctx.log.info({ err: (err as Error).message }, '終了時の監査チェックポイントは省略しました (final audit checkpoint skipped: database already stopping)');
      else this.ctx.log.warn({ err }, '監査ログのチェックポイントを書けませんでした (audit checkpoint failed; retrying next tick)');
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass(true);
  }
}
