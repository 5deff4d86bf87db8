import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';

/** The longest a target stays muted: a week is a campaign; longer is forgetting to look. */
export const maxMuteMs = 7 * 86_400_000;

/**
 * Mutes a watch target's notices until a time, with a reason (null: unmute now). A suspected
 * 炎上 is mailed anyway (src/notify/enqueue-alert-mails.ts); this only quiets the notices.
 */
export async function muteWatchTarget(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  targetId: string,
  mute: { until: Date; reason: string } | null,
  by: { userId: string },
  actor: AuditActor,
): Promise<void> {
  const now = ctx.now();
  if (mute) {
    const ms = mute.until.getTime() - now.getTime();
    if (!(ms > 0)) throw new ValidationError('ミュートの終了は今より後にしてください (the mute must end in the future)');
    if (ms > maxMuteMs) throw new ValidationError('ミュートできるのは最長7日間です (at most 7 days)');
    if (mute.reason.trim() === '') throw new ValidationError('ミュートの理由を入力してください (a reason is required)');
  }
  await ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const [before] = await tx<Pick<Row<'watch_targets'>, 'muted_until' | 'mute_reason'>[]>`
      select muted_until, mute_reason from watch_targets where org_id = ${orgId} and id = ${targetId} and archived_at is null for update`;
    if (!before) throw new NotFoundError('監視対象が見つかりません (watch target not found)');
    await tx`
      update watch_targets set muted_until = ${mute?.until ?? null}, mute_reason = ${mute?.reason.trim() ?? null},
        muted_by = ${mute ? by.userId : null}
      where org_id = ${orgId} and id = ${targetId}`;
    const wasMuted = before.muted_until !== null && before.muted_until > now;
    await recordAudit(tx, actor, {
      orgId,
      action: mute ? 'watch_target.mute' : 'watch_target.unmute',
      targetType: 'watch_target',
      targetId,
      before: wasMuted ? { mutedUntil: before.muted_until, reason: before.mute_reason } : { mutedUntil: null },
      after: mute ? { mutedUntil: mute.until, reason: mute.reason.trim() } : { mutedUntil: null },
    });
  });
}
