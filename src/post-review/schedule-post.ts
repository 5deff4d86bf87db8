import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { applyMove } from './apply-move.ts';
import type { PostRow, PostView } from './queries.ts';

/** 承認済み → 予約済み at a planned time in the future (or moved to another time). */
export function schedulePost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: { version: number; plannedAt: Date },
  actor: AuditActor,
): Promise<PostView> {
  if (input.plannedAt.getTime() <= ctx.now().getTime())
    throw new ValidationError('plannedAt must be in the future (公開予定は未来の日時を指定してください)');
  return applyMove(ctx, orgId, postId, 'schedule', input.version, actor, async (tx, row) => {
    const [next] = await tx<PostRow[]>`
      update post_drafts set status = 'scheduled', planned_at = ${input.plannedAt}, updated_at = ${ctx.now()}
      where org_id = ${orgId} and id = ${row.id} returning *`;
    return { row: next!, audit: { plannedAt: input.plannedAt.toISOString() } };
  });
}
