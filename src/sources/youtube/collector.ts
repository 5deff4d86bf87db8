// Comment threads per video and per channel, newest thread first (order=time, which orders by
// when a thread was started). A run pages until it reaches threads older than the newest one it
// already has, or its page budget; an unfinished walk is kept in the cursor and continued by the
// next run. Replies beyond the handful commentThreads embeds are fetched with comments.list.
// Because a new reply does not move its thread up, recent threads are re-read by id each run:
// that is where new replies, edits and deleted comments show up.

import type { NormalizedMention, Tombstone } from '../../mention.ts';
import { SourceHttpError, SourceRateLimitedError } from '../http-errors.ts';
import type { CollectInput, CollectPage, WatchTargetSpec } from '../types.ts';
import { isRecord, laterTime } from '../payload.ts';
import { YouTubeClient } from './client.ts';
import type { YouTubeConfig } from './config.ts';
import { mapComment, mapThread } from './map.ts';

export interface FeedCursor {
  /** publishedAt (ISO) of the newest thread already stored. */
  since: string | null;
  scan: { pageToken: string; newest: string | null } | null;
}

/** A recent thread as last seen: a change in either count means something to collect. */
export interface WatchedThread {
  id: string;
  postedAt: string;
  replies: number;
  updatedAt: string | null;
}

export interface YouTubeCursor {
  feeds: Record<string, FeedCursor>;
  watched: WatchedThread[];
  /** The daily quota ran out: no requests before this instant (next midnight Pacific). */
  pausedUntil: string | null;
}

interface Feed {
  key: string;
  videoId?: string;
  channelId?: string;
}

/** commentThreads.list accepts up to 50 ids per call. */
const idsPerCall = 50;
/** Bound on watched threads: 10 quota units a run at most. */
const maxWatched = 500;

export function readYouTubeCursor(raw: unknown): YouTubeCursor {
  const cursor: YouTubeCursor = { feeds: {}, watched: [], pausedUntil: null };
  if (!isRecord(raw)) return cursor;
  if (typeof raw.pausedUntil === 'string' && !Number.isNaN(Date.parse(raw.pausedUntil))) cursor.pausedUntil = raw.pausedUntil;
  if (isRecord(raw.feeds)) {
    for (const [key, value] of Object.entries(raw.feeds)) {
      if (!isRecord(value)) continue;
      cursor.feeds[key] = {
        since: typeof value.since === 'string' ? value.since : null,
        scan:
          isRecord(value.scan) && typeof value.scan.pageToken === 'string'
            ? { pageToken: value.scan.pageToken, newest: typeof value.scan.newest === 'string' ? value.scan.newest : null }
            : null,
      };
    }
  }
  if (Array.isArray(raw.watched)) {
    for (const w of raw.watched) {
      if (!isRecord(w) || typeof w.id !== 'string' || typeof w.postedAt !== 'string' || typeof w.replies !== 'number') continue;
      cursor.watched.push({
        id: w.id,
        postedAt: w.postedAt,
        replies: w.replies,
        updatedAt: typeof w.updatedAt === 'string' ? w.updatedAt : null,
      });
    }
  }
  return cursor;
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
  const state: YouTubeCursor = { feeds: {}, watched: previous.watched, pausedUntil: null };
  for (const feed of feeds) state.feeds[feed.key] = previous.feeds[feed.key] ?? { since: null, scan: null };
  // What the platform has committed so far: a quota stop records its pause on top of this, never
  // on half-updated state (thread counts bumped for a page that was not delivered would hide
  // those replies for good).
  let committed: YouTubeCursor = structuredClone(state);
  const snapshot = (): YouTubeCursor => {
    committed = structuredClone(state);
    return structuredClone(committed);
  };
  const client = new YouTubeClient(config, runtime);
  const freshThisRun = new Set<string>();

  /** Maps threads (with every reply) and notes them for watching. */
  async function threadMentions(
    items: unknown[],
    feedKey: string,
    fallbackChannel: string | undefined,
  ): Promise<{ mentions: NormalizedMention[]; oldest: Date | null; newest: Date | null; returned: Set<string> }> {
    const byId = new Map<string, NormalizedMention>();
    let oldest: Date | null = null;
    let newest: Date | null = null;
    const returned = new Set<string>();
    for (const thread of items) {
      const snippet = isRecord(thread) && isRecord(thread.snippet) ? thread.snippet : null;
      const watchTargetId = targetFor(snippet?.channelId ?? fallbackChannel, targets);
      const mapped = mapThread(thread, watchTargetId);
      for (const skip of mapped.skipped)
        runtime.log.warn({ source: 'youtube', feed: feedKey, id: skip.id, reason: skip.reason }, 'skipping malformed comment');
      for (const m of mapped.mentions) byId.set(m.externalId, m);
      if (mapped.threadId !== null) returned.add(mapped.threadId);
      if (mapped.publishedAt !== null) {
        if (oldest === null || mapped.publishedAt < oldest) oldest = mapped.publishedAt;
        if (newest === null || mapped.publishedAt > newest) newest = mapped.publishedAt;
      }
      if (config.fetchAllReplies && mapped.missingReplies > 0 && mapped.threadId !== null) {
        const videoId = typeof snippet?.videoId === 'string' ? snippet.videoId : null;
        for await (const reply of allReplies(client, mapped.threadId)) {
          const r = mapComment(reply, { videoId, channelId: null, watchTargetId });
          if (r.ok) byId.set(r.mention.externalId, r.mention);
          else runtime.log.warn({ source: 'youtube', feed: feedKey, id: r.id, reason: r.reason }, 'skipping malformed reply');
        }
      }
      if (config.watchThreadsDays > 0 && mapped.threadId !== null && mapped.publishedAt !== null) {
        freshThisRun.add(mapped.threadId);
        state.watched = state.watched.filter((w) => w.id !== mapped.threadId);
        state.watched.push({
          id: mapped.threadId,
          postedAt: mapped.publishedAt.toISOString(),
          replies: mapped.totalReplyCount,
          updatedAt: mapped.updatedAt,
        });
      }
    }
    return { mentions: [...byId.values()], oldest, newest, returned };
  }

  try {
    for (const feed of feeds) {
      const cursor = state.feeds[feed.key] as FeedCursor;
      let scan = cursor.scan ?? { pageToken: '', newest: null };
      let pages = 0;
      for (;;) {
        let page;
        try {
          page = await client.threads(feed, scan.pageToken === '' ? null : scan.pageToken);
        } catch (error) {
          if (error instanceof SourceHttpError && error.status !== null && error.status >= 400 && error.status < 500) {
            if (scan.pageToken !== '' && error.status === 400) {
              runtime.log.warn({ source: 'youtube', feed: feed.key }, 'stored page token rejected; restarting the walk');
              scan = { pageToken: '', newest: null };
              continue;
            }
            // Comments disabled, video deleted, channel gone: this feed has nothing to give; the others still do.
            runtime.log.warn(
              { source: 'youtube', feed: feed.key, status: error.status, err: error.message },
              'feed unavailable; skipped this run',
            );
            break;
          }
          throw error;
        }
        const { mentions, oldest, newest } = await threadMentions(page.items, feed.key, feed.channelId);
        if (newest !== null) scan.newest = laterTime(scan.newest, newest.toISOString());
        const reachedKnown = cursor.since !== null && oldest !== null && oldest.getTime() < Date.parse(cursor.since);
        pages += 1;
        if (page.nextPageToken !== null && !reachedKnown) {
          scan.pageToken = page.nextPageToken;
          cursor.scan = scan;
          yield { mentions, cursor: snapshot() };
          if (pages >= config.maxPagesPerRun) break; // the walk continues next run
          continue;
        }
        cursor.since = laterTime(cursor.since, scan.newest);
        cursor.scan = null;
        yield { mentions, cursor: snapshot() };
        break;
      }
    }

    if (config.watchThreadsDays > 0) {
      const horizon = runtime.now().getTime() - config.watchThreadsDays * 86_400_000;
      state.watched = state.watched
        .filter((w) => Date.parse(w.postedAt) >= horizon)
        .sort((a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt))
        .slice(0, maxWatched);
      const due = state.watched.filter((w) => !freshThisRun.has(w.id));
      for (let i = 0; i < due.length; i += idsPerCall) {
        const batch = due.slice(i, i + idsPerCall);
        const page = await client.threadsById(batch.map((w) => w.id));
        const before = new Map(batch.map((w) => [w.id, w]));
        const { mentions, returned } = await threadMentions(page.items, 'watch', undefined);
        // Only threads that changed are passed on; the rest were stored as they are.
        const changed = new Set(
          [...returned].filter((id) => {
            const now = state.watched.find((w) => w.id === id);
            const was = before.get(id);
            return now !== undefined && was !== undefined && (now.replies !== was.replies || now.updatedAt !== was.updatedAt);
          }),
        );
        // A thread missing from the answer is asked for once more on its own before it counts as
        // deleted: one quota unit against a false tombstone.
        let missing = batch.filter((w) => !returned.has(w.id));
        if (missing.length > 0) {
          const again = await client.threadsById(missing.map((w) => w.id));
          const back = new Set(again.items.map((t) => (isRecord(t) && typeof t.id === 'string' ? t.id : '')));
          missing = missing.filter((w) => !back.has(w.id));
        }
        const tombstones: Tombstone[] = missing.map((w) => ({
          externalId: w.id,
          deletedAt: runtime.now(),
          reason: 'unavailable' as const,
          raw: { threadId: w.id, missingFromIdLookup: true },
        }));
        const gone = new Set(tombstones.map((t) => t.externalId));
        state.watched = state.watched.filter((w) => !gone.has(w.id));
        const passed = mentions.filter(
          (m) => changed.has(m.externalId) || (m.replyToExternalId != null && changed.has(m.replyToExternalId)),
        );
        if (passed.length > 0 || tombstones.length > 0) yield { mentions: passed, tombstones, cursor: snapshot() };
      }
    }
  } catch (error) {
    if (error instanceof SourceRateLimitedError) {
      // Record the pause so the next scheduled runs do not spend requests on certain 403s.
      const paused = structuredClone(committed);
      paused.pausedUntil = (error.retryAt ?? new Date(runtime.now().getTime() + 3_600_000)).toISOString();
      yield { mentions: [], cursor: paused };
    }
    throw error;
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
