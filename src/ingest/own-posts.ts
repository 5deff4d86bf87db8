import type { Tx } from '../db/connect.ts';

// The clinic's published posts (post_drafts, issue 17) wait for their collected copy: when a page
// stores it, the post is linked in the same transaction, and its id on the platform is taken from
// the copy when the person who marked it published gave only its address. The other direction —
// a post marked published after its copy was collected — is src/post-review/own-post-link.ts.

/** Links published posts still waiting for their copy to the ones among `mentionIds` that are it. */
export async function linkOwnPosts(tx: Tx, orgId: string, mentionIds: readonly string[], now: Date): Promise<number> {
  if (mentionIds.length === 0) return 0;
  const linked = await tx`
    update post_drafts p set mention_id = m.id, linked_at = ${now}, published_external_id = coalesce(p.published_external_id, m.external_id)
    from mentions m
    where p.org_id = ${orgId} and p.status = 'published' and p.mention_id is null
      and m.org_id = p.org_id and m.id = any(${mentionIds}::bigint[])
      and (m.external_id = p.published_external_id or (m.url is not null and hinoko_url_key(m.url) = p.published_url_key))`;
  return linked.count;
}
