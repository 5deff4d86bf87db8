// Mastodon Status → mention. Pure. `content` is sanitised HTML; the content warning
// (spoiler_text) is part of what the author said, so it leads the text.

import type { NormalizedMention } from '../../mention.ts';
import { htmlToText } from '../html-text.ts';
import { count, definedMetrics, isRecord, optionalString, parseTime } from '../payload.ts';

export type StatusMapResult = { ok: true; mention: NormalizedMention } | { ok: false; id: string | null; reason: string };

const statusIdPattern = /^[0-9A-Za-z_-]{1,64}$/;
function statusId(value: unknown): string | null {
  return typeof value === 'string' && statusIdPattern.test(value) ? value : null;
}

export function statusText(status: Record<string, unknown>): string {
  const body = typeof status.content === 'string' ? htmlToText(status.content) : '';
  const warning = typeof status.spoiler_text === 'string' ? status.spoiler_text.trim() : '';
  return warning === '' ? body : `${warning}\n${body}`;
}

export function mapStatus(status: unknown, watchTargetId: string | null): StatusMapResult {
  if (!isRecord(status)) return { ok: false, id: null, reason: 'status is not an object' };
  const id = statusId(status.id);
  if (id === null) return { ok: false, id: optionalString(status.id), reason: 'id missing or invalid' };
  const createdAt = parseTime(status.created_at);
  if (createdAt === null) return { ok: false, id, reason: 'created_at missing or invalid' };
  const account = status.account;
  if (!isRecord(account) || typeof account.id !== 'string') return { ok: false, id, reason: 'account missing' };
  // A boost carries no text of its own: what it spreads is the boosted status.
  const reblog = isRecord(status.reblog) ? status.reblog : null;
  const shown = reblog ?? status;
  if (typeof shown.content !== 'string') return { ok: false, id, reason: 'content missing' };
  const quote = isRecord(status.quote) && isRecord(status.quote.quoted_status) ? statusId(status.quote.quoted_status.id) : null;
  const likes = count(shown.favourites_count);
  const reposts = count(shown.reblogs_count);
  const replies = count(shown.replies_count);
  const quotes = count(shown.quotes_count);
  return {
    ok: true,
    mention: {
      externalId: id,
      url: optionalString(status.url) ?? optionalString(status.uri),
      authorId: account.id,
      authorHandle: optionalString(account.acct),
      authorName: optionalString(account.display_name),
      text: statusText(shown),
      language: optionalString(shown.language),
      postedAt: createdAt,
      metrics: definedMetrics({ likes, reposts, replies, quotes }),
      replyToExternalId: statusId(status.in_reply_to_id),
      quoteOfExternalId: quote,
      repostOfExternalId: reblog === null ? null : statusId(reblog.id),
      watchTargetId,
      raw: status,
    },
  };
}
