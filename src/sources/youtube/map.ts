// YouTube comment threads → mentions. Pure. textOriginal is the comment as typed; textDisplay
// is HTML (links, <br>, entities) and is used only when textOriginal is absent.

import type { NormalizedMention } from '../../mention.ts';
import { htmlToText } from '../html-text.ts';
import { count, definedMetrics, isRecord, optionalString, parseTime } from '../payload.ts';

export type CommentMapResult = { ok: true; mention: NormalizedMention } | { ok: false; id: string | null; reason: string };

export function commentUrl(videoId: string | null, channelId: string | null, commentId: string): string | null {
  if (videoId !== null) return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&lc=${encodeURIComponent(commentId)}`;
  if (channelId !== null) return `https://www.youtube.com/channel/${encodeURIComponent(channelId)}`;
  return null;
}

/** One `Comment` resource (a thread's top-level comment or a reply). */
export function mapComment(
  comment: unknown,
  context: { videoId: string | null; channelId: string | null; totalReplyCount?: number; watchTargetId: string | null },
): CommentMapResult {
  if (!isRecord(comment)) return { ok: false, id: null, reason: 'comment is not an object' };
  const id = comment.id;
  if (typeof id !== 'string' || id === '' || id.length > 256) return { ok: false, id: null, reason: 'comment id missing or invalid' };
  const snippet = comment.snippet;
  if (!isRecord(snippet)) return { ok: false, id, reason: 'comment snippet missing' };
  const publishedAt = parseTime(snippet.publishedAt);
  if (publishedAt === null) return { ok: false, id, reason: 'publishedAt missing or invalid' };
  let text: string;
  if (typeof snippet.textOriginal === 'string') text = snippet.textOriginal;
  else if (typeof snippet.textDisplay === 'string') text = htmlToText(snippet.textDisplay);
  else return { ok: false, id, reason: 'comment has neither textOriginal nor textDisplay' };

  const displayName = optionalString(snippet.authorDisplayName);
  const authorChannel = isRecord(snippet.authorChannelId) ? optionalString(snippet.authorChannelId.value) : null;
  const videoId = optionalString(snippet.videoId) ?? context.videoId;
  const parentId = optionalString(snippet.parentId);
  const likes = count(snippet.likeCount);
  return {
    ok: true,
    mention: {
      externalId: id,
      url: commentUrl(videoId, optionalString(snippet.channelId) ?? context.channelId, id),
      authorId: authorChannel,
      // Display names are "@handle" since YouTube introduced handles; older ones are plain names.
      authorHandle: displayName?.startsWith('@') === true ? displayName.slice(1) : null,
      authorName: displayName,
      text,
      language: null,
      postedAt: publishedAt,
      metrics: definedMetrics({ likes, replies: context.totalReplyCount }),
      replyToExternalId: parentId,
      watchTargetId: context.watchTargetId,
      raw: comment,
    },
  };
}

export interface ThreadMapResult {
  mentions: NormalizedMention[];
  skipped: { id: string | null; reason: string }[];
  threadId: string | null;
  /** Replies the thread has beyond the subset embedded in it (fetch them with comments.list). */
  missingReplies: number;
  publishedAt: Date | null;
  /** What changes when the thread gets a reply or its comment is edited. */
  totalReplyCount: number;
  updatedAt: string | null;
}

/** One `CommentThread`: its top-level comment and the replies embedded with it. */
export function mapThread(thread: unknown, watchTargetId: string | null): ThreadMapResult {
  const result: ThreadMapResult = {
    mentions: [],
    skipped: [],
    threadId: null,
    missingReplies: 0,
    publishedAt: null,
    totalReplyCount: 0,
    updatedAt: null,
  };
  if (!isRecord(thread) || !isRecord(thread.snippet)) {
    result.skipped.push({ id: isRecord(thread) ? optionalString(thread.id) : null, reason: 'thread without snippet' });
    return result;
  }
  const snippet = thread.snippet;
  result.threadId = optionalString(thread.id);
  const context = {
    videoId: optionalString(snippet.videoId),
    channelId: optionalString(snippet.channelId),
    watchTargetId,
  };
  const totalReplyCount = count(snippet.totalReplyCount) ?? 0;
  result.totalReplyCount = totalReplyCount;
  const topSnippet =
    isRecord(snippet.topLevelComment) && isRecord(snippet.topLevelComment.snippet) ? snippet.topLevelComment.snippet : null;
  result.updatedAt = optionalString(topSnippet?.updatedAt) ?? optionalString(topSnippet?.publishedAt);
  const top = mapComment(snippet.topLevelComment, { ...context, totalReplyCount });
  if (top.ok) {
    result.mentions.push(top.mention);
    result.publishedAt = top.mention.postedAt;
  } else {
    result.skipped.push({ id: top.id ?? result.threadId, reason: top.reason });
  }
  const replies = isRecord(thread.replies) && Array.isArray(thread.replies.comments) ? thread.replies.comments : [];
  for (const reply of replies) {
    const mapped = mapComment(reply, context);
    if (mapped.ok) {
      // Older API versions omit parentId on embedded replies; the thread says whose reply it is.
      if (mapped.mention.replyToExternalId == null && top.ok) mapped.mention.replyToExternalId = top.mention.externalId;
      result.mentions.push(mapped.mention);
    } else {
      result.skipped.push({ id: mapped.id, reason: mapped.reason });
    }
  }
  result.missingReplies = top.ok ? Math.max(0, totalReplyCount - replies.length) : 0;
  return result;
}
