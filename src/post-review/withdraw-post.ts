import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { applyMove } from './apply-move.ts';
import type { PostRow, PostView } from './queries.ts';

/** 取り下げ, with the reason: a draft abandoned, an approval not used, a published post taken down. */
export function withdrawPost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: { version: number; reason: string },
  actor: AuditActor,
): Promise<PostView> {
  return applyMove(ctx, orgId, postId, 'withdraw', input.version, actor, async (tx, row) => {
    const now = ctx.now();
    const [next] = await tx<PostRow[]>`
      update post_drafts set status = 'withdrawn', withdrawn_at = ${now}, withdraw_reason = ${input.reason}, updated_at = ${now}
      where org_id = ${orgId} and id = ${row.id} returning *`;
    return { row: next!, audit: { reason: input.reason } };
  });
}
