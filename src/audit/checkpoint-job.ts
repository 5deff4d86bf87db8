import type { Job } from '../jobs/job.ts';
import { writeCheckpoints } from './checkpoint-store.ts';

/**
 * Checkpoints the audit chains every HINOKO_AUDIT_CHECKPOINT and once more on the way down, so a
 * clean stop leaves no unprotected tail. A failed pass (database away) is logged and retried on the
 * next tick; it never stops the service. Returns how many chains got a checkpoint.
 */
export function auditCheckpointJob(everyMs: number): Job<number> {
  return {
    name: 'audit-checkpoint',
    trigger: { pollMs: everyMs },
    // No lock: each instance appends to the checkpoint file of its own data directory and to its
    // own log; a lock would leave the other instances' files without the latest heads.
    lock: null,
    run: async (ctx) => (await writeCheckpoints(ctx)).length,
    async stop(ctx) {
      try {
        await writeCheckpoints(ctx);
      } catch (err) {
        // On the way down the database may already be gone (Ctrl+C reaches an embedded Postgres
        // too); the checkpoint of a minute ago stands, and the next start writes a new one.
        ctx.log.info(
          { err: (err as Error).message },
          '終了時の監査チェックポイントは省略しました (final audit checkpoint skipped: database already stopping)',
        );
      }
    },
  };
}
