import type { NormalizedMention, Tombstone } from '../../mention.ts';
import { logger } from '../../logger.ts';
import type { SourceSecrets, WatchTargetSpec, WebhookRequest, WebhookResult } from '../types.ts';
import { targetForAccount } from './collector.ts';
import { isRecord } from '../payload.ts';
import type { FacebookConfig } from './config.ts';
import { isGraphId, parseGraphTime } from './graph.ts';
import { answerHubChallenge, optionalSecret, verifyMetaDelivery } from './webhook-security.ts';

// Page webhooks, field "feed": {object: "page", entry: [{id, time, changes: [{field, value}]}]}.
// value.item says what changed (status, photo, video, share, post, comment, reaction …) and
// value.verb how (add, edited, remove, hide, unhide). Posts and comments become mentions (edits
// are new text for the same id), remove and hide become tombstones; reactions are not posts and
// are ignored (the next pull refreshes counts).

const postItems = new Set(['status', 'photo', 'video', 'share', 'post', 'link', 'event']);

export function parsePageChanges(
  body: Record<string, unknown>,
  pageId: string,
  watchTargetId: string | null,
): {
  mentions: NormalizedMention[];
  tombstones: Tombstone[];
  eventIds: string[];
  skipped: number;
} {
  const mentions: NormalizedMention[] = [];
  const tombstones: Tombstone[] = [];
  const eventIds: string[] = [];
  let skipped = 0;
  if (body.object !== 'page' || !Array.isArray(body.entry)) return { mentions, tombstones, eventIds, skipped };
  for (const entry of body.entry.slice(0, 1000)) {
    // A delivery for another Page of the same app is not this source's business.
    if (!isRecord(entry) || entry.id !== pageId || !Array.isArray(entry.changes)) {
      skipped += 1;
      continue;
    }
    const entryTime = parseGraphTime(entry.time);
    for (const change of entry.changes.slice(0, 1000)) {
      if (!isRecord(change) || change.field !== 'feed' || !isRecord(change.value)) {
        skipped += 1;
        continue;
      }
      const v = change.value;
      const item = typeof v.item === 'string' ? v.item : '';
      const verb = typeof v.verb === 'string' ? v.verb : '';
      const postId = isGraphId(v.post_id) ? v.post_id : null;
      const commentId = isGraphId(v.comment_id) ? v.comment_id : null;
      const isComment = item === 'comment';
      const id = isComment ? commentId : postItems.has(item) ? postId : null;
      if (id === null) {
        if (item !== 'reaction' && item !== 'like') skipped += 1;
        continue;
      }
      const at = parseGraphTime(v.created_time) ?? entryTime;
      if (!at) {
        skipped += 1;
        continue;
      }
      // Stable across Meta's retries of the same delivery, distinct for each edit.
      const eventId = `facebook:${verb}:${id}:${entryTime ? entryTime.getTime() : at.getTime()}`;
      if (verb === 'add' || verb === 'edited') {
        if (v.message !== undefined && typeof v.message !== 'string') {
          skipped += 1;
          continue;
        }
        const from = isRecord(v.from) ? v.from : {};
        const parentId = isGraphId(v.parent_id) ? v.parent_id : null;
        mentions.push({
          externalId: id,
          url: isComment ? null : `https://www.facebook.com/${id}`,
          authorId: isGraphId(from.id) ? from.id : null,
          authorHandle: null,
          authorName: typeof from.name === 'string' ? from.name.slice(0, 200) : null,
          text: typeof v.message === 'string' ? v.message : '',
          language: null,
          postedAt: at,
          metrics: {},
          replyToExternalId: isComment ? (parentId ?? postId) : null,
          watchTargetId,
          raw: change,
        });
      } else if (verb === 'remove' || verb === 'hide') {
        tombstones.push({ externalId: id, deletedAt: entryTime ?? at, reason: verb === 'remove' ? 'deleted' : 'hidden', raw: change });
      } else {
        continue; // unhide and others: nothing to store
      }
      eventIds.push(eventId);
    }
  }
  return { mentions, tombstones, eventIds, skipped };
}

export function handleFacebookWebhook(
  request: WebhookRequest,
  config: FacebookConfig,
  secrets: SourceSecrets,
  targets: WatchTargetSpec[],
): WebhookResult {
  if (request.method === 'GET') return answerHubChallenge(request, optionalSecret(secrets, 'verifyToken'));
  const verified = verifyMetaDelivery(request, secrets);
  if (!verified.ok) return verified.result;
  // The Page's watch target, as the pull path assigns it (collector.ts): a comment pushed here and
  // the same comment pulled later belong to the same series.
  const parsed = parsePageChanges(verified.body, config.pageId, targetForAccount(targets, 'facebook', config.pageId));
  if (parsed.skipped > 0)
    logger.warn({ source: 'facebook', skipped: parsed.skipped }, 'skipped webhook changes that are not posts or comments of this Page');
  return { kind: 'events', page: { mentions: parsed.mentions, tombstones: parsed.tombstones }, eventIds: parsed.eventIds };
}
