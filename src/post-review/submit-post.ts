import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { applyMove } from './apply-move.ts';
import type { PostRow, PostView } from './queries.ts';

/** 下書き → 確認中: colleagues may now review and approve it. */
export function submitPost(ctx: AppContext, orgId: string, postId: string, version: number, actor: AuditActor): Promise<PostView> {
  return applyMove(ctx, orgId, postId, 'submit', version, actor, async (tx, row) => {
    const [next] = await tx<PostRow[]>`
      update post_drafts set status = 'in_review', updated_at = ${ctx.now()} where org_id = ${orgId} and id = ${row.id} returning *`;
    return { row: next!, audit: { version } };
  });
}
