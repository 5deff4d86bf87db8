import type { NormalizedMention, Tombstone } from '../../mention.ts';
import type { SourceActivity } from '../types.ts';
import { isRecord } from '../payload.ts';

// LINE webhook events → what Hinoko stores. Pure. Text messages are mentions (private: they are
// patients writing to the clinic), unsend is a tombstone that keeps the text as evidence, and
// everything that is not text — follow, unfollow, stickers, photos, postbacks — is an activity,
// never a mention with made-up text.

export interface LineParseResult {
  mentions: NormalizedMention[];
  tombstones: Tombstone[];
  activities: SourceActivity[];
  eventIds: string[];
  /** Events without the required fields, by index: skipped, the rest of the delivery is kept. */
  skipped: number[];
}

// ULID (Crockford base32, 26 characters): LINE's webhookEventId.
const ulidPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * replyToken and markAsReadToken let whoever holds them act as the clinic's account for a short
 * while; they are operational capabilities, not evidence, so they are not stored.
 */
function evidence(event: Record<string, unknown>): Record<string, unknown> {
  const { replyToken: _r, ...rest } = event;
  if (isRecord(rest.message)) {
    const { markAsReadToken: _m, ...message } = rest.message;
    return { ...rest, message };
  }
  return rest;
}

function actorOf(source: unknown): string | null {
  if (!isRecord(source)) return null;
  const id = source.userId;
  return typeof id === 'string' && idPattern.test(id) ? id : null;
}

export function parseLineEvents(events: unknown[]): LineParseResult {
  const result: LineParseResult = { mentions: [], tombstones: [], activities: [], eventIds: [], skipped: [] };
  events.forEach((event, index) => {
    if (
      !isRecord(event) ||
      typeof event.type !== 'string' ||
      typeof event.webhookEventId !== 'string' ||
      !ulidPattern.test(event.webhookEventId) ||
      typeof event.timestamp !== 'number' ||
      !Number.isFinite(event.timestamp)
    ) {
      result.skipped.push(index);
      return;
    }
    const occurredAt = new Date(event.timestamp);
    if (Number.isNaN(occurredAt.getTime())) {
      result.skipped.push(index);
      return;
    }
    const eventId = event.webhookEventId.toUpperCase();
    const actorId = actorOf(event.source);
    const raw = evidence(event);
    const activity = (kind: string) => result.activities.push({ eventId, kind, occurredAt, actorId, isPrivate: true, raw });

    if (event.type === 'message' && isRecord(event.message)) {
      const message = event.message;
      if (typeof message.id !== 'string' || !idPattern.test(message.id)) {
        result.skipped.push(index);
        return;
      }
      if (message.type === 'text' && typeof message.text === 'string') {
        const quoted =
          typeof message.quotedMessageId === 'string' && idPattern.test(message.quotedMessageId) ? message.quotedMessageId : null;
        result.mentions.push({
          externalId: message.id,
          url: null,
          authorId: actorId,
          authorHandle: null,
          authorName: null,
          text: message.text,
          language: null,
          postedAt: occurredAt,
          metrics: {},
          replyToExternalId: quoted,
          isPrivate: true,
          raw,
        });
      } else {
        activity(`line.message.${typeof message.type === 'string' && /^[a-z]{1,20}$/.test(message.type) ? message.type : 'other'}`);
      }
    } else if (event.type === 'unsend' && isRecord(event.unsend)) {
      const messageId = event.unsend.messageId;
      if (typeof messageId !== 'string' || !idPattern.test(messageId)) {
        result.skipped.push(index);
        return;
      }
      result.tombstones.push({ externalId: messageId, deletedAt: occurredAt, reason: 'unsent', raw });
    } else if (/^[A-Za-z]{1,32}$/.test(event.type)) {
      activity(`line.${event.type}`);
    } else {
      result.skipped.push(index);
      return;
    }
    result.eventIds.push(eventId);
  });
  return result;
}
