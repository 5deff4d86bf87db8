// Comment threads per video and per channel, newest thread first (order=time). A run pages
// until it reaches threads older than the newest one it already has, or its page budget; an
// unfinished walk is kept in the cursor and continued by the next run. Replies beyond the
// handful commentThreads embeds are fetched with comments.list.

import type { NormalizedMention } from '../../ingest/types.ts';
import { SourceHttpError, SourceRateLimitedError } from '../http.ts';
import type { CollectInput, CollectPage, WatchTargetSpec } from '../types.ts';
import { YouTubeClient } from './client.ts';
import type { YouTubeConfig } from './config.ts';
import { mapComment, mapThread } from './map.ts';

export interface FeedCursor {
  /** publishedAt (ISO) of the newest thread already stored. */
  since: string | null;
  scan: { pageToken: string; newest: string | null } | null;
}

export interface YouTubeCursor {
  feeds: Record<string, FeedCursor>;
  /** The daily quota ran out: no requests before this instant (next midnight Pacific). */
  pausedUntil: string | null;
}

interface Feed {
  key: string;
  videoId?: string;
  channelId?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readYouTubeCursor(raw: unknown): YouTubeCursor {
  const cursor: YouTubeCursor = { feeds: {}, pausedUntil: null };
  if (!isRecord(raw)) return cursor;
  if (typeof raw.pausedUntil === 'string' && !Number.isNaN(Date.parse(raw.pausedUntil))) cursor.pausedUntil = raw.pausedUntil;
  if (isRecord(raw.feeds)) {
    for (const [key, value] of Object.entries(raw.feeds)) {
      if (!isRecord(value)) continue;
      cursor.feeds[key] = {
        since: typeof value.since === 'string' ? value.since : null,
        scan: isRecord(value.scan) && typeof value.scan.pageToken === 'string'
          ? { pageToken: value.scan.pageToken, newest: typeof value.scan.newest === 'string' ? value.scan.newest : null }
          : null,
      };
    }
  }
  return cursor;
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function targetFor(channelId: unknown, targets: WatchTargetSpec[]): string | null {
  if (typeof channelId !== 'string') return null;
  return targets.find((t) => t.handles.youtube === channelId)?.id ?? null;
}

export async function* collectYouTube(input: CollectInput<YouTubeConfig>): AsyncIterable<CollectPage> {
  const { config, runtime, targets } = input;
  const previous = readYouTubeCursor(input.cursor);
  if (previous.pausedUntil !== null && runtime.now().getTime() < Date.parse(previous.pausedUntil)) {
    runtime.log.info({ source: 'youtube', pausedUntil: previous.pausedUntil }, 'daily quota exhausted; skipping until it resets');
    return;
  }
  const feeds: Feed[] = [
    ...config.channelIds.map((channelId) => ({ key: `channel:${channelId}`, channelId })),
    ...config.videoIds.map((videoId) => ({ key: `video:${videoId}`, videoId })),
  ];
  const state: YouTubeCursor = { feeds: {}, pausedUntil: null };
  for (const feed of feeds) state.feeds[feed.key] = previous.feeds[feed.key] ?? { since: null, scan: null };
  const snapshot = (): YouTubeCursor => structuredClone(state);
  const client = new YouTubeClient(config, runtime);

  for (const feed of feeds) {
    const cursor = state.feeds[feed.key] as FeedCursor;
    let scan = cursor.scan ?? { pageToken: '', newest: null };
    let pages = 0;
    for (;;) {
      let mentions: NormalizedMention[];
      let next: string | null;
      let reachedKnown = false;
      try {
        const page = await client.threads(feed, scan.pageToken === '' ? null : scan.pageToken);
        next = page.nextPageToken;
        const byId = new Map<string, NormalizedMention>();
        for (const thread of page.items) {
          const channelId = isRecord(thread) && isRecord(thread.snippet) ? thread.snippet.channelId : undefined;
          const watchTargetId = targetFor(channelId ?? feed.channelId, targets);
          const mapped = mapThread(thread, watchTargetId);
          for (const skip of mapped.skipped) runtime.log.warn({ source: 'youtube', feed: feed.key, id: skip.id, reason: skip.reason }, 'skipping malformed comment');
          for (const m of mapped.mentions) byId.set(m.externalId, m);
          if (mapped.publishedAt !== null) {
            scan.newest = later(scan.newest, mapped.publishedAt.toISOString());
            if (cursor.since !== null && mapped.publishedAt.getTime() < Date.parse(cursor.since)) reachedKnown = true;
          }
          if (config.fetchAllReplies && mapped.missingReplies > 0 && mapped.threadId !== null) {
            for await (const reply of allReplies(client, mapped.threadId)) {
              const r = mapComment(reply, { videoId: isRecord(thread) && isRecord(thread.snippet) && typeof thread.snippet.videoId === 'string' ? thread.snippet.videoId : null, channelId: null, watchTargetId });
              if (r.ok) byId.set(r.mention.externalId, r.mention);
              else runtime.log.warn({ source: 'youtube', feed: feed.key, id: r.id, reason: r.reason }, 'skipping malformed reply');
            }
          }
        }
        mentions = [...byId.values()];
      } catch (error) {
        if (error instanceof SourceRateLimitedError) {
          // Record the pause so the next scheduled runs do not spend requests on certain 403s.
          state.pausedUntil = (error.retryAt ?? new Date(runtime.now().getTime() + 3_600_000)).toISOString();
          yield { mentions: [], cursor: snapshot() };
          throw error;
        }
        if (error instanceof SourceHttpError && error.status !== null && error.status >= 400 && error.status < 500) {
          if (scan.pageToken !== '' && error.status === 400) {
            runtime.log.warn({ source: 'youtube', feed: feed.key }, 'stored page token rejected; restarting the walk');
            scan = { pageToken: '', newest: null };
            continue;
          }
          // Comments disabled, video deleted, channel gone: this feed has nothing to give; the others still do.
          runtime.log.warn({ source: 'youtube', feed: feed.key, status: error.status, err: error.message }, 'feed unavailable; skipped this run');
          break;
        }
        throw error;
      }
      pages += 1;
      if (next !== null && !reachedKnown) {
        scan.pageToken = next;
        cursor.scan = scan;
        yield { mentions, cursor: snapshot() };
        if (pages >= config.maxPagesPerRun) break; // the walk continues next run
        continue;
      }
      cursor.since = later(cursor.since, scan.newest);
      cursor.scan = null;
      yield { mentions, cursor: snapshot() };
      break;
    }
  }
}

async function* allReplies(client: YouTubeClient, parentId: string): AsyncIterable<unknown> {
  let token: string | null = null;
  // 100 replies a page; 50 pages is beyond any real thread and bounds a hostile token loop.
  for (let page = 0; page < 50; page += 1) {
    const result = await client.replies(parentId, token);
    yield* result.items;
    token = result.nextPageToken;
    if (token === null) return;
  }
}
