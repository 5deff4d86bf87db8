import type { NormalizedMention } from '../../mention.ts';
import { count, definedMetrics, httpsUrl, isRecord } from '../payload.ts';
import { isGraphId, parseGraphTime } from './graph.ts';

// Graph API Page posts and comments → mentions. Pure; a malformed item maps to null and the
// collector logs and skips it.

function summaryTotal(v: unknown): number | undefined {
  return isRecord(v) && isRecord(v.summary) ? count(v.summary.total_count) : undefined;
}

function author(from: unknown): { id: string | null; name: string | null } {
  if (!isRecord(from)) return { id: null, name: null };
  return {
    id: isGraphId(from.id) ? from.id : null,
    name: typeof from.name === 'string' ? from.name.slice(0, 200) : null,
  };
}

export function mapPagePost(post: unknown, watchTargetId: string | null): NormalizedMention | null {
  if (!isRecord(post) || !isGraphId(post.id)) return null;
  const postedAt = parseGraphTime(post.created_time);
  if (!postedAt) return null;
  if (post.message !== undefined && typeof post.message !== 'string') return null;
  const from = author(post.from);
  return {
    externalId: post.id,
    url: httpsUrl(post.permalink_url) ?? `https://www.facebook.com/${post.id}`,
    authorId: from.id,
    authorHandle: null,
    authorName: from.name,
    // Photo or link posts may have no message; the raw payload keeps what there is.
    text: post.message ?? '',
    language: null,
    postedAt,
    metrics: definedMetrics({
      likes: summaryTotal(post.reactions),
      replies: summaryTotal(post.comments),
      reposts: isRecord(post.shares) ? count(post.shares.count) : undefined,
    }),
    watchTargetId,
    raw: post,
  };
}

export function mapComment(comment: unknown, postId: string, watchTargetId: string | null): NormalizedMention | null {
  if (!isRecord(comment) || !isGraphId(comment.id)) return null;
  const postedAt = parseGraphTime(comment.created_time);
  if (!postedAt) return null;
  if (comment.message !== undefined && typeof comment.message !== 'string') return null;
  const from = author(comment.from);
  const parent = isRecord(comment.parent) && isGraphId(comment.parent.id) ? comment.parent.id : null;
  return {
    externalId: comment.id,
    url: httpsUrl(comment.permalink_url),
    authorId: from.id,
    authorHandle: null,
    authorName: from.name,
    text: comment.message ?? '',
    language: null,
    postedAt,
    metrics: definedMetrics({ likes: count(comment.like_count), replies: count(comment.comment_count) }),
    // A top-level comment answers the post; a reply names its parent comment.
    replyToExternalId: parent ?? postId,
    watchTargetId,
    raw: comment,
  };
}
