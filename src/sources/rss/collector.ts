// One conditional GET per feed per run: If-None-Match / If-Modified-Since from the validators
// the feed sent last time, so an unchanged feed costs a 304 and nothing else. Feeds re-list the
// same items on every change; the platform's upsert on (source, externalId) makes that
// harmless and turns edited items into versions. A broken feed does not stop the others; the
// run reports it at the end.

import type { NormalizedMention } from '../../mention.ts';
import { createHttpClient } from '../http.ts';
import { SourceResponseError } from '../http-errors.ts';
import type { CollectInput, CollectPage } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { RssConfig } from './config.ts';
import { parseFeed } from './feed.ts';
import { declaredCharset, decoderFor, fetchBytes, isUtf8 } from './fetch-bytes.ts';
import { mapFeedItem, matchTarget } from './map.ts';

export interface FeedState {
  etag: string | null;
  lastModified: string | null;
}
export interface RssCursor {
  feeds: Record<string, FeedState>;
}

// Validators are echoed back in request headers: keep them short and free of line breaks.
function validator(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 512 && !/[\r\n]/.test(value) ? value : null;
}

export function readRssCursor(raw: unknown): RssCursor {
  const cursor: RssCursor = { feeds: {} };
  if (!isRecord(raw) || !isRecord(raw.feeds)) return cursor;
  for (const [url, value] of Object.entries(raw.feeds)) {
    if (isRecord(value)) cursor.feeds[url] = { etag: validator(value.etag), lastModified: validator(value.lastModified) };
  }
  return cursor;
}

const feedAccept = 'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1';

export async function* collectRss(input: CollectInput<RssConfig>): AsyncIterable<CollectPage> {
  const { config, runtime, targets } = input;
  const previous = readRssCursor(input.cursor);
  const state: RssCursor = { feeds: {} };
  for (const feed of config.feeds) state.feeds[feed.url] = previous.feeds[feed.url] ?? { etag: null, lastModified: null };
  const http = createHttpClient({ runtime, label: 'rss', timeoutMs: config.requestTimeoutMs, maxBodyBytes: config.maxBodyBytes });
  const failures: { url: string; error: unknown }[] = [];

  for (const feed of config.feeds) {
    const known = state.feeds[feed.url] as FeedState;
    try {
      const response = await http.requestText(feed.url, {
        headers: { accept: feedAccept },
        ifNoneMatch: known.etag,
        ifModifiedSince: known.lastModified,
      });
      if (response.notModified) continue;
      let xml = response.text;
      const charset = declaredCharset(response.headers.get('content-type'), xml.slice(0, 512));
      if (!isUtf8(charset)) {
        const decoder = decoderFor(charset as string);
        if (decoder === null)
          throw new SourceResponseError(`rss: 文字コード ${charset} は読めません (unknown charset ${charset}) ${feed.url}`);
        xml = decoder.decode(
          await fetchBytes(runtime, feed.url, { timeoutMs: config.requestTimeoutMs, maxBytes: config.maxBodyBytes, accept: feedAccept }),
        );
      }
      let parsed;
      try {
        parsed = parseFeed(xml);
      } catch (error) {
        throw new SourceResponseError(`rss: フィードを解析できません (cannot parse feed: ${(error as Error).message}) ${feed.url}`);
      }
      for (const skip of parsed.skipped)
        runtime.log.warn({ source: 'rss', feed: feed.url, index: skip.index, reason: skip.reason }, 'skipping unreadable feed item');
      const fetchedAt = runtime.now();
      const mentions: NormalizedMention[] = [];
      const ids = new Set<string>();
      for (const item of parsed.items.slice(0, config.maxItemsPerFeed)) {
        if (item.id === null) continue;
        const haystack = `${item.title}\n${item.text}`;
        const target = matchTarget(haystack, targets);
        if (target === null && !feed.matchAll) continue;
        const mention = mapFeedItem({ ...item, id: item.id }, feed.url, target?.id ?? null, fetchedAt);
        // A feed listing one guid twice is malformed; the first wins so a page never carries duplicates.
        if (ids.has(mention.externalId)) continue;
        ids.add(mention.externalId);
        mentions.push(mention);
      }
      state.feeds[feed.url] = { etag: validator(response.etag), lastModified: validator(response.lastModified) };
      yield { mentions, cursor: structuredClone(state) };
    } catch (error) {
      if (runtime.signal.aborted) throw error;
      runtime.log.warn({ source: 'rss', feed: feed.url, err: (error as Error).message }, 'feed failed; other feeds continue');
      failures.push({ url: feed.url, error });
    }
  }
  if (failures.length === 1 && config.feeds.length === 1) throw failures[0]?.error;
  if (failures.length > 0) {
    throw new SourceResponseError(
      `rss: ${failures.length} 件のフィードで失敗しました (${failures.length} of ${config.feeds.length} feeds failed): ${failures
        .map((f) => `${f.url}: ${(f.error as Error).message}`)
        .join('; ')
        .slice(0, 2000)}`,
    );
  }
}
