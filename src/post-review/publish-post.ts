import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { applyMove } from './apply-move.ts';
import type { PostRow, PostView } from './queries.ts';

/** Marked as published by hand (Hinoko does not post for the clinic), with the post's URL if known. */
export function publishPost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: { version: number; url?: string | null },
  actor: AuditActor,
): Promise<PostView> {
  return applyMove(ctx, orgId, postId, 'publish', input.version, actor, async (tx, row) => {
    const now = ctx.now();
    const [next] = await tx<PostRow[]>`
      update post_drafts set status = 'published', published_at = ${now}, published_url = ${input.url ?? null}, updated_at = ${now}
      where org_id = ${orgId} and id = ${row.id} returning *`;
    return { row: next!, audit: { url: input.url ?? null } };
  });
}
