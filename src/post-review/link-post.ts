import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { applyMove } from './apply-move.ts';
import { linkCollectedCopy } from './own-post-link.ts';
import type { PublishedAs } from './publish-post.ts';
import type { PostRow, PostView } from './queries.ts';

/**
 * The address or platform id of a post already marked published, given afterwards (the person who
 * published it did not have it at hand). Once the post is linked to its collected copy the link
 * stands: a different address would be a different post.
 */
export function linkPost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: { version: number } & PublishedAs,
  actor: AuditActor,
): Promise<PostView> {
  return applyMove(ctx, orgId, postId, 'link', input.version, actor, async (tx, row) => {
    if (row.mention_id !== null)
      throw new ConflictError('この投稿はすでに収集した投稿と結び付いています (the post is already linked to its collected copy)');
    const now = ctx.now();
    const [given] = await tx<PostRow[]>`
      update post_drafts set published_url = coalesce(${input.url ?? null}, published_url),
        published_external_id = coalesce(${input.externalId ?? null}, published_external_id), updated_at = ${now}
      where org_id = ${orgId} and id = ${row.id} returning *`;
    const next = await linkCollectedCopy(tx, orgId, given!, now);
    return {
      row: next,
      audit: { url: next.published_url, externalId: next.published_external_id, linkedMentionId: next.mention_id },
    };
  });
}
