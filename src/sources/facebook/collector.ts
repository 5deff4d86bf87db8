import type { NormalizedMention } from '../../mention.ts';
import type { CollectInput, CollectPage, SourceRuntime, WatchTargetSpec } from '../types.ts';
import { idForLog, isRecord } from '../payload.ts';
import type { FacebookConfig } from './config.ts';
import { type SourceHttpError } from '../http-errors.ts';
import { createGraphClient, graphIdPattern, isMissingObject, maxGraphCursorChars, parseGraphTime, type GraphPage } from './graph.ts';
import { mapComment, mapPagePost } from './map.ts';

// The Page feed (newest first, time-bounded with `since`) and then the comments and replies on the
// Page's recent posts (filter=stream gives replies too, order=chronological). Both use the same
// cursor discipline as every collector: while a traversal is unfinished the cursor holds the
// `after` position and the newest time seen; `since` moves forward only when it ends. Graph's
// `since` is inclusive to the second, so the boundary item can come again — harmless, the
// pipeline upserts on the external id.

interface Traversal {
  /** Unix seconds: only items created at or after this are asked for. */
  since: number | null;
  pending: { after: string; newest: number | null } | null;
}

export interface FacebookCursor {
  v: 1;
  feed: Traversal;
  /** Recent posts whose comments are followed: post id → created (unix s) and comment traversal. */
  posts: Record<string, { createdAt: number; comments: Traversal }>;
  /** When the followed posts and their comments were last read in full (ms), for edits. */
  lastFullRead: number | null;
}

const postFields = [
  'id',
  'message',
  'created_time',
  'updated_time',
  'from',
  'permalink_url',
  'status_type',
  'shares',
  'is_hidden',
  'reactions.limit(0).summary(true)',
  'comments.limit(0).summary(true)',
].join(',');
const commentFields = [
  'id',
  'message',
  'created_time',
  'from',
  'parent{id}',
  'like_count',
  'comment_count',
  'permalink_url',
  'is_hidden',
].join(',');

function parseTraversal(v: unknown): Traversal {
  if (!isRecord(v)) return { since: null, pending: null };
  const since = typeof v.since === 'number' && Number.isSafeInteger(v.since) ? v.since : null;
  const p = v.pending;
  const pending =
    isRecord(p) && typeof p.after === 'string' && p.after.length <= maxGraphCursorChars
      ? { after: p.after, newest: typeof p.newest === 'number' && Number.isSafeInteger(p.newest) ? p.newest : null }
      : null;
  return { since, pending };
}

export function parseFacebookCursor(raw: unknown, log?: SourceRuntime['log']): FacebookCursor {
  const fresh: FacebookCursor = { v: 1, feed: { since: null, pending: null }, posts: {}, lastFullRead: null };
  if (raw === null || raw === undefined) return fresh;
  if (!isRecord(raw) || raw.v !== 1) {
    log?.warn({ source: 'facebook' }, 'unrecognised cursor; starting fresh');
    return fresh;
  }
  fresh.feed = parseTraversal(raw.feed);
  fresh.lastFullRead = typeof raw.lastFullRead === 'number' && Number.isSafeInteger(raw.lastFullRead) ? raw.lastFullRead : null;
  if (isRecord(raw.posts)) {
    for (const [id, p] of Object.entries(raw.posts)) {
      if (graphIdPattern.test(id) && isRecord(p) && typeof p.createdAt === 'number') {
        fresh.posts[id] = { createdAt: p.createdAt, comments: parseTraversal(p.comments) };
      }
    }
  }
  return fresh;
}

/** The watch target this Page belongs to: the one whose handles.facebook names it, else the only one. */
export function targetForAccount(targets: WatchTargetSpec[], network: string, accountId: string): string | null {
  const owner = targets.find((t) => t.handles[network] === accountId);
  if (owner) return owner.id;
  return targets.length === 1 ? targets[0]!.id : null;
}

function unixSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** Moves a traversal on after one page: pending while there is more, `since` = newest at the end. */
function advance(t: Traversal, after: string | null, newestOnPage: number | null): Traversal {
  const newest = Math.max(t.pending?.newest ?? -1, newestOnPage ?? -1);
  const newestOrNull = newest >= 0 ? newest : null;
  if (after) return { since: t.since, pending: { after, newest: newestOrNull } };
  return { since: newestOrNull !== null ? Math.max(newestOrNull, t.since ?? 0) : t.since, pending: null };
}

export async function* collectFacebook(input: CollectInput<FacebookConfig>): AsyncGenerator<CollectPage> {
  const { config, runtime } = input;
  const log = runtime.log;
  const cursor = parseFacebookCursor(input.cursor, log);
  const graph = createGraphClient(config, runtime, 'facebook');
  const watchTargetId = targetForAccount(input.targets, 'facebook', config.pageId);
  let budget = config.maxPagesPerRun;

  const horizon = unixSeconds(runtime.now()) - config.commentsLookbackDays * 86_400;
  const track = (mentions: NormalizedMention[]) => {
    for (const m of mentions) {
      if (!cursor.posts[m.externalId])
        cursor.posts[m.externalId] = { createdAt: unixSeconds(m.postedAt), comments: { since: null, pending: null } };
    }
    const kept = Object.entries(cursor.posts)
      .filter(([, p]) => p.createdAt >= horizon)
      .sort((a, b) => b[1].createdAt - a[1].createdAt)
      .slice(0, config.maxPostsForComments);
    cursor.posts = Object.fromEntries(kept);
  };
  track([]);

  // `since` only finds new items; edits to older posts and comments (new text, same id) are found
  // by reading the followed window in full now and then. The pipeline keeps changed text as a new
  // version and ignores what did not change, so a full read costs requests, not duplicates.
  const nowMs = runtime.now().getTime();
  const idle = cursor.feed.pending === null && Object.values(cursor.posts).every((p) => p.comments.pending === null);
  // A first run reads everything anyway, so it counts as a full read.
  if (cursor.lastFullRead === null) cursor.lastFullRead = nowMs;
  else if (
    config.fullReadEveryHours > 0 &&
    idle &&
    cursor.feed.since !== null &&
    nowMs - cursor.lastFullRead >= config.fullReadEveryHours * 3_600_000
  ) {
    cursor.lastFullRead = nowMs;
    cursor.feed = { since: Math.min(cursor.feed.since, horizon), pending: null };
    for (const post of Object.values(cursor.posts)) post.comments = { since: null, pending: null };
    log.info({ source: 'facebook' }, 'reading the followed posts and comments in full to find edits');
  }

  // 1. The Page feed, newest first.
  while (budget > 0) {
    budget -= 1;
    const params: Record<string, string> = { fields: postFields, limit: String(config.pageSize) };
    if (cursor.feed.since !== null) params.since = String(cursor.feed.since);
    const page = await graph.list(`${config.pageId}/feed`, params, cursor.feed.pending?.after ?? null);
    const mentions: NormalizedMention[] = [];
    let newest: number | null = null;
    for (const item of page.data) {
      const m = mapPagePost(item, watchTargetId);
      if (!m) {
        log.warn({ source: 'facebook', id: idForLog(item, 80) }, 'skipped a malformed post');
        continue;
      }
      newest = Math.max(newest ?? 0, unixSeconds(m.postedAt));
      mentions.push(m);
    }
    cursor.feed = advance(cursor.feed, page.after, newest);
    track(mentions);
    yield { mentions, cursor: structuredClone(cursor) };
    if (!page.after) break;
  }

  // 2. Comments and replies on recent posts, oldest first within each post.
  for (const postId of Object.keys(cursor.posts)) {
    while (budget > 0) {
      const post = cursor.posts[postId];
      if (!post) break;
      budget -= 1;
      const params: Record<string, string> = {
        fields: commentFields,
        filter: 'stream',
        order: 'chronological',
        limit: String(config.pageSize),
      };
      if (post.comments.since !== null) params.since = String(post.comments.since);
      let page: GraphPage;
      try {
        page = await graph.list(`${postId}/comments`, params, post.comments.pending?.after ?? null);
      } catch (error) {
        // A followed post that was deleted (or hidden from us) answers code 100 / subcode 33.
        // That is news, not a failure: tombstone it and stop following it, or every later run
        // would fail on it until it aged out of the look-back window.
        if (!isMissingObject(error)) throw error;
        delete cursor.posts[postId];
        log.info({ source: 'facebook', postId }, 'a followed post no longer exists; stored as deleted');
        yield {
          mentions: [],
          tombstones: [{ externalId: postId, deletedAt: runtime.now(), reason: 'deleted', raw: (error as SourceHttpError).details }],
          cursor: structuredClone(cursor),
        };
        break;
      }
      const mentions: NormalizedMention[] = [];
      let newest: number | null = null;
      for (const item of page.data) {
        const m = mapComment(item, postId, watchTargetId);
        if (!m) {
          log.warn({ source: 'facebook', id: idForLog(item, 80) }, 'skipped a malformed comment');
          continue;
        }
        const t = parseGraphTime((item as Record<string, unknown>).created_time);
        if (t) newest = Math.max(newest ?? 0, unixSeconds(t));
        mentions.push(m);
      }
      post.comments = advance(post.comments, page.after, newest);
      yield { mentions, cursor: structuredClone(cursor) };
      if (!page.after) break;
    }
    if (budget <= 0) break;
  }
  if (budget <= 0)
    log.info({ source: 'facebook', maxPagesPerRun: config.maxPagesPerRun }, 'page budget used up; the next run continues from the cursor');
}
