import type { NormalizedMention } from '../../mention.ts';
import { targetForAccount } from '../facebook/collector.ts';
import {
  createGraphClient,
  graphIdPattern,
  isGraphId,
  isMissingObject,
  maxGraphCursorChars,
  type GraphClient,
  type GraphPage,
} from '../facebook/graph.ts';
import { SourceHttpError, SourceResponseError } from '../http-errors.ts';
import type { CollectInput, CollectPage, SourceRuntime } from '../types.ts';
import { idForLog, isRecord } from '../payload.ts';
import { hashtagLimit, hashtagWindowMs, type InstagramConfig } from './config.ts';
import { mapIgComment, mapMedia } from './map.ts';

// Three feeds, in this order each run:
// 1. media the account is tagged in (/tags), read until a page has nothing newer than before;
// 2. the account's recent media and, for each whose comments_count changed since the last full
//    read — or whose last full read is older than fullReadEveryHours, because a deleted comment
//    and a new one leave the count as it was — all its comments and replies (the comments edge
//    has no `since`);
// 3. hashtag recent_media (last 24 h only, not chronological, at most 50 a page). Instagram counts
//    30 unique hashtags per account per rolling 7 days. Every use is written into the cursor and
//    committed (an empty page) BEFORE the request that spends it, so even a crash right after the
//    request cannot make a later run forget it and exceed the limit.

export interface InstagramCursor {
  v: 1;
  tags: { newest: number | null; pending: { after: string; newest: number | null } | null };
  /** Own media followed for comments: id → created (ms), and comments_count and time (ms) of the last full read. */
  media: Record<string, { createdAt: number; commentsRead: number | null; readAt?: number | null }>;
  hashtagIds: Record<string, string>;
  /** Hashtag → first query of its current 7-day window (ms). */
  hashtagUses: Record<string, number>;
}

const mediaFields = 'id,caption,timestamp,permalink,media_type,like_count,comments_count,username';
const commentFields = 'id,text,timestamp,username,from,like_count,hidden,parent_id';
const hashtagMediaFields = 'id,caption,permalink,timestamp,media_type,like_count,comments_count';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

export function parseInstagramCursor(raw: unknown, log?: SourceRuntime['log']): InstagramCursor {
  const fresh: InstagramCursor = { v: 1, tags: { newest: null, pending: null }, media: {}, hashtagIds: {}, hashtagUses: {} };
  if (raw === null || raw === undefined) return fresh;
  if (!isRecord(raw) || raw.v !== 1) {
    log?.warn({ source: 'instagram' }, 'unrecognised cursor; starting fresh');
    return fresh;
  }
  if (isRecord(raw.tags)) {
    const p = raw.tags.pending;
    fresh.tags = {
      newest: num(raw.tags.newest),
      pending:
        isRecord(p) && typeof p.after === 'string' && p.after.length <= maxGraphCursorChars
          ? { after: p.after, newest: num(p.newest) }
          : null,
    };
  }
  if (isRecord(raw.media)) {
    for (const [id, m] of Object.entries(raw.media)) {
      if (graphIdPattern.test(id) && isRecord(m) && num(m.createdAt) !== null)
        fresh.media[id] = { createdAt: num(m.createdAt)!, commentsRead: num(m.commentsRead), readAt: num(m.readAt) };
    }
  }
  if (isRecord(raw.hashtagIds)) {
    for (const [tag, id] of Object.entries(raw.hashtagIds)) if (isGraphId(id)) fresh.hashtagIds[tag] = id;
  }
  if (isRecord(raw.hashtagUses)) {
    for (const [tag, at] of Object.entries(raw.hashtagUses)) if (num(at) !== null) fresh.hashtagUses[tag] = num(at)!;
  }
  return fresh;
}

/** Hashtags still counting against the limit at `now`. */
export function hashtagsInWindow(uses: Record<string, number>, now: number): string[] {
  return Object.entries(uses)
    .filter(([, at]) => at > now - hashtagWindowMs)
    .map(([tag]) => tag);
}

export async function* collectInstagram(input: CollectInput<InstagramConfig>): AsyncGenerator<CollectPage> {
  const { config, runtime } = input;
  const log = runtime.log;
  const cursor = parseInstagramCursor(input.cursor, log);
  const graph = createGraphClient(config, runtime, 'instagram');
  const watchTargetId = targetForAccount(input.targets, 'instagram', config.igUserId);
  let budget = config.maxPagesPerRun;
  const spend = () => {
    budget -= 1;
    return budget >= 0;
  };
  // One page never names the same item twice (a reply can arrive nested and from its own edge).
  const page = (mentions: NormalizedMention[]): CollectPage => ({
    mentions: [...new Map(mentions.map((m) => [m.externalId, m])).values()],
    cursor: structuredClone(cursor),
  });
  const mapAll = <T>(items: unknown[], map: (item: unknown) => T | null, what: string): T[] => {
    const out: T[] = [];
    for (const item of items) {
      const m = map(item);
      if (m) out.push(m);
      else log.warn({ source: 'instagram', id: idForLog(item, 80) }, `skipped a malformed ${what}`);
    }
    return out;
  };

  // 1. Tagged media.
  while (spend()) {
    const result = await graph.list(
      `${config.igUserId}/tags`,
      { fields: mediaFields, limit: String(config.pageSize) },
      cursor.tags.pending?.after ?? null,
    );
    const mentions = mapAll(result.data, (i) => mapMedia(i, watchTargetId), 'tagged media');
    const pageNewest = mentions.reduce<number | null>((n, m) => Math.max(n ?? 0, m.postedAt.getTime()), null);
    const newest = Math.max(cursor.tags.pending?.newest ?? -1, pageNewest ?? -1);
    // Meta does not document the order of /tags (newest first in practice). Stopping only at a
    // page with nothing newer than the watermark costs one extra page when it is newest first and
    // loses nothing when it is not.
    const reachedSeen =
      cursor.tags.newest !== null && mentions.length > 0 && mentions.every((m) => m.postedAt.getTime() <= cursor.tags.newest!);
    const more = result.after !== null && !reachedSeen;
    cursor.tags = more
      ? { newest: cursor.tags.newest, pending: { after: result.after!, newest: newest >= 0 ? newest : null } }
      : { newest: newest >= 0 ? Math.max(newest, cursor.tags.newest ?? 0) : cursor.tags.newest, pending: null };
    yield page(mentions);
    if (!more) break;
  }

  // 2. Own media and their comments.
  if (config.maxMediaForComments > 0 && budget > 0) {
    yield* collectOwnMediaComments(graph, config, cursor, runtime, watchTargetId, spend, page, mapAll);
  }

  // 3. Hashtags.
  // The platform's own list of this week's hashtags also counts searches made by other tools on
  // the same account, which our cursor cannot know about.
  const platformIds = config.hashtags.length > 0 && spend() ? await recentlySearchedHashtags(graph, config.igUserId, log) : [];
  for (const tag of config.hashtags) {
    if (budget <= 0) break;
    const now = runtime.now().getTime();
    const inWindow = new Set(hashtagsInWindow(cursor.hashtagUses, now));
    const idToTag = new Map(Object.entries(cursor.hashtagIds).map(([t, id]) => [id, t] as const));
    for (const id of platformIds) inWindow.add(idToTag.get(id) ?? `id:${id}`);
    if (!inWindow.has(tag) && inWindow.size >= hashtagLimit) {
      log.warn(
        { source: 'instagram', hashtag: tag, inWindow: inWindow.size },
        'hashtag skipped: 30 unique hashtags already used in the last 7 days',
      );
      continue;
    }
    // Record the use and commit it before spending it. A hashtag's 7 days run from its first
    // query; repeating it inside that window neither counts again nor restarts the timer
    // (Instagram "Hashtag Search", Limitations).
    for (const [t, at] of Object.entries(cursor.hashtagUses)) if (at <= now - hashtagWindowMs) delete cursor.hashtagUses[t];
    cursor.hashtagUses[tag] ??= now;
    yield page([]);

    let hashtagId = cursor.hashtagIds[tag];
    if (!hashtagId) {
      if (!spend()) break;
      const found = await graph.get('ig_hashtag_search', { user_id: config.igUserId, q: tag });
      const data: unknown = found.data;
      const first: unknown = Array.isArray(data) ? data[0] : undefined;
      if (!isRecord(first) || !isGraphId(first.id)) {
        log.warn({ source: 'instagram', hashtag: tag }, 'hashtag not found');
        continue;
      }
      hashtagId = first.id;
      cursor.hashtagIds[tag] = hashtagId;
    }
    // recent_media is not chronological and its `after` cursor is the same on every page, so it
    // cannot tell us where we are: pages are read until one brings nothing new or the cap.
    const seen = new Set<string>();
    let after: string | null = null;
    for (let n = 0; n < config.maxPagesPerHashtag && spend(); n += 1) {
      const result = await graph.list(
        `${hashtagId}/recent_media`,
        { user_id: config.igUserId, fields: hashtagMediaFields, limit: String(config.pageSize) },
        after,
      );
      const mentions = mapAll(result.data, (i) => mapMedia(i, watchTargetId), 'hashtag media').filter((m) => !seen.has(m.externalId));
      for (const m of mentions) seen.add(m.externalId);
      yield page(mentions);
      if (result.after === null || mentions.length === 0) break;
      after = result.after;
    }
  }
  if (budget <= 0) log.info({ source: 'instagram', maxPagesPerRun: config.maxPagesPerRun }, 'page budget used up; the next run continues');
}

/** GET /{ig-user-id}/recently_searched_hashtags: ids of the hashtags searched this week. */
async function recentlySearchedHashtags(graph: GraphClient, igUserId: string, log: SourceRuntime['log']): Promise<string[]> {
  try {
    const body = await graph.get(`${igUserId}/recently_searched_hashtags`, { limit: '30' });
    const data = Array.isArray(body.data) ? body.data : [];
    return data.flatMap((d) => (isRecord(d) && isGraphId(d.id) ? [d.id] : []));
  } catch (error) {
    // Auth and rate-limit errors end the run as everywhere else; anything else only costs us
    // the extra safety, so our own record decides alone.
    if (!(error instanceof SourceHttpError) && !(error instanceof SourceResponseError)) throw error;
    log.warn({ source: 'instagram', err: (error as Error).message }, 'could not read recently_searched_hashtags; using our own record');
    return [];
  }
}

async function* collectOwnMediaComments(
  graph: GraphClient,
  config: InstagramConfig,
  cursor: InstagramCursor,
  runtime: SourceRuntime,
  watchTargetId: string | null,
  spend: () => boolean,
  page: (mentions: NormalizedMention[]) => CollectPage,
  mapAll: <T>(items: unknown[], map: (item: unknown) => T | null, what: string) => T[],
): AsyncGenerator<CollectPage> {
  const horizon = runtime.now().getTime() - config.mediaLookbackDays * 86_400_000;
  const recent: { mention: NormalizedMention; comments: number | null }[] = [];
  let after: string | null = null;
  // The media edge is newest first: read until past the look-back window or enough media.
  while (recent.length < config.maxMediaForComments && spend()) {
    const result = await graph.list(`${config.igUserId}/media`, { fields: mediaFields, limit: String(config.pageSize) }, after);
    let pastHorizon = false;
    for (const item of result.data) {
      const m = mapMedia(item, watchTargetId);
      if (!m) continue;
      if (m.postedAt.getTime() < horizon) {
        pastHorizon = true;
        continue;
      }
      if (recent.length < config.maxMediaForComments)
        recent.push({ mention: m, comments: num((item as Record<string, unknown>).comments_count) });
    }
    if (pastHorizon || result.after === null) break;
    after = result.after;
  }
  // A media we followed that is newer than the oldest one listed now should have been listed: it
  // was deleted or archived. Which of the two the API does not say, hence 'unavailable'.
  const listed = new Set(recent.map((r) => r.mention.externalId));
  const oldestListed = recent.length > 0 ? Math.min(...recent.map((r) => r.mention.postedAt.getTime())) : Infinity;
  const vanished = Object.entries(cursor.media)
    .filter(([id, m]) => !listed.has(id) && m.createdAt >= horizon && m.createdAt > oldestListed)
    .map(([id]) => id);
  cursor.media = Object.fromEntries(
    recent.map((r) => [
      r.mention.externalId,
      {
        createdAt: r.mention.postedAt.getTime(),
        commentsRead: cursor.media[r.mention.externalId]?.commentsRead ?? null,
        readAt: cursor.media[r.mention.externalId]?.readAt ?? null,
      },
    ]),
  );
  // The account's own posts are stored too: comments reply to them, and their counts are reach.
  yield {
    ...page(recent.map((r) => r.mention)),
    tombstones: vanished.map((externalId) => ({ externalId, deletedAt: runtime.now(), reason: 'unavailable' as const })),
  };

  for (const { mention, comments } of recent) {
    const state = cursor.media[mention.externalId];
    if (!state) continue;
    const unchanged = comments !== null && state.commentsRead === comments;
    const readRecently =
      config.fullReadEveryHours === 0 ||
      (typeof state.readAt === 'number' && runtime.now().getTime() - state.readAt < config.fullReadEveryHours * 3_600_000);
    if (unchanged && readRecently) continue;
    const mediaId = mention.externalId;
    let commentsAfter: string | null = null;
    let complete = false;
    while (spend()) {
      let result: GraphPage;
      try {
        result = await graph.list(
          `${mediaId}/comments`,
          {
            fields: `${commentFields},replies{${commentFields}}`,
            limit: String(config.pageSize),
          },
          commentsAfter,
        );
      } catch (error) {
        // Deleted between the media listing and this request: a tombstone, not a failed run.
        if (!isMissingObject(error)) throw error;
        delete cursor.media[mediaId];
        yield {
          mentions: [],
          tombstones: [{ externalId: mediaId, deletedAt: runtime.now(), reason: 'deleted' }],
          cursor: structuredClone(cursor),
        };
        complete = true;
        break;
      }
      const mentions: NormalizedMention[] = [];
      const moreReplies: string[] = [];
      for (const item of result.data) {
        const c = mapIgComment(item, mediaId, watchTargetId);
        if (!c) {
          runtime.log.warn({ source: 'instagram', id: idForLog(item, 80) }, 'skipped a malformed comment');
          continue;
        }
        mentions.push(c);
        const replies = (item as Record<string, unknown>).replies;
        if (isRecord(replies)) {
          if (Array.isArray(replies.data)) mentions.push(...mapAll(replies.data, (r) => mapIgComment(r, mediaId, watchTargetId), 'reply'));
          if (isRecord(replies.paging) && typeof replies.paging.next === 'string') moreReplies.push(c.externalId);
        }
      }
      // Replies beyond the nested first page come from the comment's own replies edge.
      for (const commentId of moreReplies) {
        let repliesAfter: string | null = null;
        while (spend()) {
          const r = await graph.list(`${commentId}/replies`, { fields: commentFields, limit: String(config.pageSize) }, repliesAfter);
          mentions.push(...mapAll(r.data, (x) => mapIgComment(x, mediaId, watchTargetId), 'reply'));
          if (r.after === null) break;
          repliesAfter = r.after;
        }
      }
      complete = result.after === null;
      // Mark the media read only once every page is in: a crash part-way re-reads it (dedupe is
      // the pipeline's), it never skips it.
      if (complete) {
        state.commentsRead = comments;
        state.readAt = runtime.now().getTime();
      }
      yield page(mentions);
      if (complete) break;
      commentsAfter = result.after;
    }
    if (!complete) break;
  }
}
