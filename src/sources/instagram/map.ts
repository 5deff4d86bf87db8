import type { NormalizedMention } from '../../mention.ts';
import { isGraphId, parseGraphTime } from '../facebook/graph.ts';
import { count, definedMetrics, httpsUrl, isRecord } from '../payload.ts';

// Instagram media and comments → mentions. Pure; malformed items map to null.

const usernamePattern = /^[A-Za-z0-9._]{1,30}$/;

function username(v: unknown): string | null {
  return typeof v === 'string' && usernamePattern.test(v) ? v : null;
}

/** A media object (tagged media, hashtag results, the account's own posts). */
export function mapMedia(media: unknown, watchTargetId: string | null): NormalizedMention | null {
  if (!isRecord(media) || !isGraphId(media.id)) return null;
  const postedAt = parseGraphTime(media.timestamp);
  if (!postedAt) return null;
  if (media.caption !== undefined && typeof media.caption !== 'string') return null;
  const handle = username(media.username);
  return {
    externalId: media.id,
    url: httpsUrl(media.permalink),
    authorId: isRecord(media.owner) && isGraphId(media.owner.id) ? media.owner.id : null,
    authorHandle: handle,
    authorName: null,
    // Image-only posts have no caption; the raw payload keeps the rest.
    text: media.caption ?? '',
    language: null,
    postedAt,
    metrics: definedMetrics({ likes: count(media.like_count), replies: count(media.comments_count) }),
    watchTargetId,
    raw: media,
  };
}

export function mapIgComment(comment: unknown, mediaId: string, watchTargetId: string | null): NormalizedMention | null {
  if (!isRecord(comment) || !isGraphId(comment.id)) return null;
  const postedAt = parseGraphTime(comment.timestamp);
  if (!postedAt || typeof comment.text !== 'string') return null;
  const from = isRecord(comment.from) ? comment.from : {};
  const parent = isGraphId(comment.parent_id) ? comment.parent_id : null;
  // The nested replies edge does not repeat the raw replies; keep the comment itself only.
  const { replies: _replies, ...raw } = comment;
  return {
    externalId: comment.id,
    url: null,
    authorId: isGraphId(from.id) ? from.id : null,
    authorHandle: username(comment.username) ?? username(from.username),
    authorName: null,
    text: comment.text,
    language: null,
    postedAt,
    metrics: definedMetrics({ likes: count(comment.like_count) }),
    replyToExternalId: parent ?? mediaId,
    watchTargetId,
    raw,
  };
}
