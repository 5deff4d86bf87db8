import type { NormalizedMention } from '../../mention.ts';
import { logger } from '../../logger.ts';
import { isGraphId, parseGraphTime } from '../facebook/graph.ts';
import { answerHubChallenge, optionalSecret, verifyMetaDelivery } from '../facebook/webhook-security.ts';
import { targetForAccount } from '../facebook/collector.ts';
import type { SourceActivity, SourceSecrets, WatchTargetSpec, WebhookRequest, WebhookResult } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { InstagramConfig } from './config.ts';

// Instagram webhooks: {object: "instagram", entry: [{id: <ig-user-id>, time, changes: [{field, value}]}]}.
// Some deliveries put field/value on the entry itself; both are read. "comments" carry the
// comment (a mention); "mentions" only name the media or comment where the account was
// @mentioned, without text — an activity to fetch, never a mention with empty text.

const usernamePattern = /^[A-Za-z0-9._]{1,30}$/;

export function handleInstagramWebhook(
  request: WebhookRequest,
  config: InstagramConfig,
  secrets: SourceSecrets,
  targets: WatchTargetSpec[],
): WebhookResult {
  if (request.method === 'GET') return answerHubChallenge(request, optionalSecret(secrets, 'verifyToken'));
  const verified = verifyMetaDelivery(request, secrets);
  if (!verified.ok) return verified.result;
  const body = verified.body;
  // The account's watch target, as the pull path assigns it (collector.ts).
  const watchTargetId = targetForAccount(targets, 'instagram', config.igUserId);
  const mentions: NormalizedMention[] = [];
  const activities: SourceActivity[] = [];
  const eventIds: string[] = [];
  let skipped = 0;
  if (body.object === 'instagram' && Array.isArray(body.entry)) {
    for (const entry of body.entry.slice(0, 1000)) {
      if (!isRecord(entry) || entry.id !== config.igUserId) {
        skipped += 1;
        continue;
      }
      const at = parseGraphTime(entry.time);
      const changes = Array.isArray(entry.changes) ? entry.changes : 'field' in entry ? [entry] : [];
      for (const change of changes.slice(0, 1000)) {
        if (!isRecord(change) || !isRecord(change.value) || !at) {
          skipped += 1;
          continue;
        }
        const v = change.value;
        if (change.field === 'comments' || change.field === 'live_comments') {
          const from = isRecord(v.from) ? v.from : {};
          const media = isRecord(v.media) ? v.media : {};
          const mediaId = isGraphId(media.id) ? media.id : null;
          const parentId = isGraphId(v.parent_id) ? v.parent_id : null;
          if (!isGraphId(v.id) || typeof v.text !== 'string') {
            skipped += 1;
            continue;
          }
          mentions.push({
            externalId: v.id,
            url: null,
            authorId: isGraphId(from.id) ? from.id : null,
            authorHandle: typeof from.username === 'string' && usernamePattern.test(from.username) ? from.username : null,
            authorName: null,
            text: v.text,
            language: null,
            postedAt: at,
            metrics: {},
            replyToExternalId: parentId ?? mediaId,
            watchTargetId,
            raw: change,
          });
          // Instagram comments cannot be edited, so the comment id identifies the event.
          eventIds.push(`instagram:comment:${v.id}`);
        } else if (change.field === 'mentions') {
          const mediaId = isGraphId(v.media_id) ? v.media_id : null;
          const commentId = isGraphId(v.comment_id) ? v.comment_id : null;
          if (!mediaId) {
            skipped += 1;
            continue;
          }
          const eventId = `instagram:mention:${mediaId}:${commentId ?? ''}`;
          activities.push({ eventId, kind: 'instagram.mention', occurredAt: at, actorId: null, isPrivate: false, raw: change });
          eventIds.push(eventId);
        } else {
          skipped += 1;
        }
      }
    }
  }
  if (skipped > 0)
    logger.warn({ source: 'instagram', skipped }, 'skipped webhook changes that are not comments or mentions of this account');
  return { kind: 'events', page: { mentions, tombstones: [] }, eventIds, activities };
}
