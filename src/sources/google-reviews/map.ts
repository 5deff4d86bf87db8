// Business Profile review → mentions. Pure. A review is keyed on reviewId and edited in place,
// so a changed updateTime arrives as the same externalId with new text and the platform keeps
// the old text as a version. The clinic's reply is a separate mention that replies to the
// review: it is what the clinic said in public, and a crisis timeline needs it.

import type { NormalizedMention } from '../../mention.ts';
import { isRecord, parseTime, stringOrNull } from '../payload.ts';

const starRatings: Record<string, number> = { ONE: 1, TWO: 2, THREE: 3, FOUR: 4, FIVE: 5 };

export interface ReviewLocation {
  /** `accounts/{a}/locations/{l}` */
  name: string;
  /** Shown as the author of the clinic's replies. */
  ownerName: string | null;
  watchTargetId: string | null;
}

export type ReviewMapResult =
  { ok: true; mentions: NormalizedMention[]; reviewId: string; updateTime: Date } | { ok: false; id: string | null; reason: string };

export function replyExternalId(reviewId: string): string {
  return `${reviewId}/reply`;
}

export function mapReview(review: unknown, location: ReviewLocation): ReviewMapResult {
  if (!isRecord(review)) return { ok: false, id: null, reason: 'review is not an object' };
  const reviewId = review.reviewId;
  if (typeof reviewId !== 'string' || reviewId === '' || reviewId.length > 512) {
    return { ok: false, id: stringOrNull(review.name), reason: 'reviewId missing or invalid' };
  }
  const createTime = parseTime(review.createTime);
  if (createTime === null) return { ok: false, id: reviewId, reason: 'createTime missing or invalid' };
  const updateTime = parseTime(review.updateTime) ?? createTime;
  if (review.comment !== undefined && typeof review.comment !== 'string') {
    return { ok: false, id: reviewId, reason: 'comment is not a string' };
  }
  const reviewer = isRecord(review.reviewer) ? review.reviewer : {};
  const anonymous = reviewer.isAnonymous === true;
  const rating = typeof review.starRating === 'string' ? (starRatings[review.starRating] ?? null) : null;

  const mentions: NormalizedMention[] = [
    {
      externalId: reviewId,
      url: null,
      authorId: null,
      authorHandle: null,
      authorName: anonymous ? null : stringOrNull(reviewer.displayName),
      // A rating without a comment is still a review: stored with empty text, the rating carries it.
      text: typeof review.comment === 'string' ? review.comment : '',
      language: null,
      postedAt: createTime,
      metrics: {},
      rating,
      watchTargetId: location.watchTargetId,
      raw: review,
    },
  ];

  const reply = review.reviewReply;
  if (isRecord(reply) && typeof reply.comment === 'string') {
    mentions.push({
      externalId: replyExternalId(reviewId),
      url: null,
      authorId: location.name,
      authorHandle: null,
      authorName: location.ownerName,
      text: reply.comment,
      language: null,
      postedAt: parseTime(reply.updateTime) ?? updateTime,
      metrics: {},
      replyToExternalId: reviewId,
      watchTargetId: location.watchTargetId,
      raw: { reviewId, reviewName: stringOrNull(review.name), reviewReply: reply },
    });
  }
  return { ok: true, mentions, reviewId, updateTime };
}
