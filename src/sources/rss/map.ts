// Feed item → mention, and the watch-target filter. Pure.

import type { NormalizedMention } from '../../mention.ts';
import type { WatchTargetSpec } from '../types.ts';
import type { FeedItem } from './feed.ts';

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * The first watch target the text names (a name or keyword) and does not exclude, or null.
 * Matching is on NFKC-folded text so full-width and half-width spellings agree.
 */
export function matchTarget(text: string, targets: WatchTargetSpec[]): WatchTargetSpec | null {
  const folded = normalise(text);
  for (const target of targets) {
    const named = [...target.names, ...target.keywords].some((term) => term.trim() !== '' && folded.includes(normalise(term.trim())));
    if (!named) continue;
    if (target.exclusions.some((x) => x.trim() !== '' && folded.includes(normalise(x.trim())))) continue;
    return target;
  }
  return null;
}

/**
 * guid/id values are meant to be globally unique, and URLs, URNs and tag: URIs are; a bare
 * "123" is unique only within its feed, so it is qualified with the feed URL.
 */
export function itemExternalId(feedUrl: string, id: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(id) ? id : `${feedUrl}#${id}`;
}

function safeUrl(value: string | null): string | null {
  if (value === null || value.length > 2048) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

export function itemText(item: FeedItem): string {
  if (item.text === '' || item.text === item.title) return item.title;
  if (item.title === '') return item.text;
  return `${item.title}\n${item.text}`;
}

export function mapFeedItem(
  item: FeedItem & { id: string },
  feedUrl: string,
  watchTargetId: string | null,
  fetchedAt: Date,
): NormalizedMention {
  return {
    externalId: itemExternalId(feedUrl, item.id),
    url: safeUrl(item.link),
    authorId: null,
    authorHandle: null,
    authorName: item.author,
    text: itemText(item),
    language: item.language,
    // An undated item is dated when we first saw it; the platform keeps the first posted_at.
    postedAt: item.publishedAt ?? fetchedAt,
    metrics: {},
    watchTargetId,
    raw: { feed: feedUrl, item: item.raw },
  };
}
