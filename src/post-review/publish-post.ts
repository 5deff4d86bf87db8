import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { applyMove } from './apply-move.ts';
import { linkCollectedCopy } from './own-post-link.ts';
import type { PostRow, PostView } from './queries.ts';

/** Where the post went out: its address and its id on the platform, either or both when known. */
export interface PublishedAs {
  url?: string | null;
  externalId?: string | null;
}

/**
 * Marked as published by hand (Hinoko does not post for the clinic), with the post's address or
 * platform id if known — which link it to its collected copy so its replies are watched.
 */
export function publishPost(
  ctx: AppContext,
  orgId: string,
  postId: string,
  input: { version: number } & PublishedAs,
  actor: AuditActor,
): Promise<PostView> {
  return applyMove(ctx, orgId, postId, 'publish', input.version, actor, async (tx, row) => {
    const now = ctx.now();
    const [published] = await tx<PostRow[]>`
      update post_drafts set status = 'published', published_at = ${now}, published_url = ${input.url ?? null},
        published_external_id = ${input.externalId ?? null}, updated_at = ${now}
      where org_id = ${orgId} and id = ${row.id} returning *`;
    const next = await linkCollectedCopy(tx, orgId, published!, now);
    return { row: next, audit: { url: input.url ?? null, externalId: input.externalId ?? null, linkedMentionId: next.mention_id } };
  });
}
