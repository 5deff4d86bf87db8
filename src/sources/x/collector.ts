import type { NormalizedMention, Tombstone } from '../../mention.ts';
import type { CollectInput, CollectPage, SourceRuntime } from '../types.ts';
import { SourceHttpError } from '../http-errors.ts';
import { idForLog, isRecord } from '../payload.ts';
import { createXClient, type XClient, type XSearchPage } from './client.ts';
import type { XConfig } from './config.ts';
import { compareTweetIds, isTweetId, mapTweet, referencedById, stableTweetId, usersById } from './map.ts';
import { buildXQueries, queryKey } from './query.ts';

// Recent search, newest first. Per query stream the cursor keeps since_id, and while a traversal
// is unfinished also the next_token and the newest id seen on its first page: every page's cursor
// is the resume point after that page, so a crash between pages neither loses nor repeats a page,
// and since_id only moves to the newest id once the traversal reaches its end.

export interface XStreamCursor {
  sinceId: string | null;
  pending: { nextToken: string; newestId: string | null } | null;
}

/** [externalId, tweet id last seen, postedAt ms, watchTargetId, last checked ms (0 = never)] */
export type XRecentEntry = [string, string, number, string | null, number];

export interface XCursor {
  v: 1;
  streams: Record<string, XStreamCursor>;
  /** Recently collected posts, re-looked-up a few at a time to notice deletions. */
  recent: XRecentEntry[];
}

// The cursor is stored with every page, so the deletion-check list is kept short: the newest
// posts (twice what one run checks), which is where a regretted post is deleted.
const recentPerCheck = 2;
const maxRecentStored = 2_000;
const lookupBatch = 100; // GET /2/tweets accepts up to 100 ids

/** A stored cursor, or a fresh one if it is missing or not ours (never a crash on a bad row). */
export function parseXCursor(raw: unknown, log?: SourceRuntime['log']): XCursor {
  const fresh: XCursor = { v: 1, streams: {}, recent: [] };
  if (raw === null || raw === undefined) return fresh;
  if (!isRecord(raw) || raw.v !== 1 || !isRecord(raw.streams)) {
    log?.warn({ source: 'x' }, 'unrecognised cursor; starting fresh');
    return fresh;
  }
  for (const [key, value] of Object.entries(raw.streams)) {
    if (!isRecord(value)) continue;
    const sinceId = isTweetId(value.sinceId) ? value.sinceId : null;
    const p = value.pending;
    const pending =
      isRecord(p) && typeof p.nextToken === 'string' && p.nextToken.length <= 512
        ? { nextToken: p.nextToken, newestId: isTweetId(p.newestId) ? p.newestId : null }
        : null;
    fresh.streams[key] = { sinceId, pending };
  }
  if (Array.isArray(raw.recent)) {
    for (const e of raw.recent.slice(-maxRecentStored)) {
      if (Array.isArray(e) && typeof e[0] === 'string' && isTweetId(e[1]) && typeof e[2] === 'number') {
        fresh.recent.push([e[0], e[1], e[2], typeof e[3] === 'string' ? e[3] : null, typeof e[4] === 'number' ? e[4] : 0]);
      }
    }
  }
  return fresh;
}

function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareTweetIds(a, b) >= 0 ? a : b;
}

function snapshot(cursor: XCursor): XCursor {
  return structuredClone(cursor);
}

const problemPrefix = 'https://api.twitter.com/2/problems/';

/** For a 400 invalid-request that names since_id or next_token/pagination_token, that name. */
export function rejectedParameter(error: unknown): 'since_id' | 'next_token' | null {
  if (!(error instanceof SourceHttpError) || error.status !== 400) return null;
  const body = isRecord(error.details) ? error.details.body : null;
  const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
  for (const e of errors) {
    const params = isRecord(e) && isRecord(e.parameters) ? Object.keys(e.parameters) : [];
    if (params.includes('since_id')) return 'since_id';
    if (params.includes('next_token') || params.includes('pagination_token')) return 'next_token';
  }
  return null;
}

/** Partial errors that say a post is gone: the tweet id and why. */
function goneFromErrors(errors: Record<string, unknown>[]): { id: string; reason: Tombstone['reason']; raw: unknown }[] {
  const gone: { id: string; reason: Tombstone['reason']; raw: unknown }[] = [];
  for (const e of errors) {
    const id = e.resource_id ?? e.value;
    if (!isTweetId(id) || (e.resource_type !== undefined && e.resource_type !== 'tweet' && e.resource_type !== 'post')) continue;
    const type = typeof e.type === 'string' ? e.type.replace(problemPrefix, '') : '';
    if (type === 'resource-not-found') gone.push({ id, reason: 'deleted', raw: e });
    else if (type === 'not-authorized-for-resource') gone.push({ id, reason: 'unavailable', raw: e });
  }
  return gone;
}

export async function* collectX(input: CollectInput<XConfig>): AsyncGenerator<CollectPage> {
  const { config, targets, runtime } = input;
  const log = runtime.log;
  const cursor = parseXCursor(input.cursor, log);
  const client = createXClient(config, runtime);
  let budget = config.maxPagesPerRun;

  const streams: { key: string; query: string; targetId: string; excluded: string[] }[] = [];
  for (const target of targets) {
    const plan = buildXQueries(target, { maxLength: config.maxQueryLength, lang: config.lang, excludeRetweets: config.excludeRetweets });
    if (plan.skippedTerms.length > 0) {
      log.warn({ source: 'x', targetId: target.id, skipped: plan.skippedTerms.length }, 'terms too long for an X query were left out');
    }
    for (const query of plan.queries) {
      streams.push({ key: queryKey(target.id, query), query, targetId: target.id, excluded: plan.clientSideExclusions });
    }
  }
  // Streams whose query no longer exists (a target edited or removed) are forgotten.
  const live = new Set(streams.map((s) => s.key));
  for (const key of Object.keys(cursor.streams)) if (!live.has(key)) delete cursor.streams[key];

  const remember = (mentions: NormalizedMention[]) => {
    if (config.deletionCheckIds === 0) return;
    const byId = new Map(cursor.recent.map((e) => [e[0], e] as const));
    for (const m of mentions) {
      const latest = (m.raw as { tweet?: { id?: unknown } }).tweet?.id;
      if (!isTweetId(latest)) continue;
      byId.set(m.externalId, [m.externalId, latest, m.postedAt.getTime(), m.watchTargetId ?? null, byId.get(m.externalId)?.[4] ?? 0]);
    }
    const horizon = runtime.now().getTime() - config.deletionCheckHours * 3_600_000;
    // The newest posts by time: a traversal delivers newest first, so insertion order is not it.
    cursor.recent = [...byId.values()]
      .filter((e) => e[2] >= horizon)
      .sort((a, b) => a[2] - b[2])
      .slice(-config.deletionCheckIds * recentPerCheck);
  };

  // The deletion check runs after search, on the posts known before this run, with a page kept
  // for it: search is what must not be blocked (a lookup refused with 403 used to end the run).
  const known = new Set(cursor.recent.map((e) => e[0]));
  const reserved =
    config.deletionCheckIds > 0 && known.size > 0 ? Math.min(Math.ceil(config.deletionCheckIds / lookupBatch), budget - 1) : 0;
  budget -= reserved;

  for (const [index, stream] of streams.entries()) {
    let state = cursor.streams[stream.key] ?? { sinceId: null, pending: null };
    // A fair share of what is left, so one target's backlog (a first 7-day backfill, a flare-up)
    // cannot starve the others run after run; what a stream does not use passes on.
    let allowance = Math.ceil(budget / (streams.length - index));
    while (budget > 0 && allowance > 0) {
      budget -= 1;
      allowance -= 1;
      let result: XSearchPage;
      try {
        result = await client.searchRecent({
          query: stream.query,
          sinceId: state.sinceId,
          nextToken: state.pending?.nextToken ?? null,
          maxResults: config.maxResults,
        });
      } catch (error) {
        // Recent search only reaches back 7 days: after a long pause X refuses the stored
        // since_id (or an expired next_token). Without this the source would stay stuck on the
        // same 400 forever; instead the stream restarts from what search can still see, which
        // re-delivers at most 7 days of posts (harmless: the pipeline upserts).
        const param = rejectedParameter(error);
        if (param === null || (param === 'since_id' && state.sinceId === null) || (param !== 'since_id' && state.pending === null))
          throw error;
        log.warn({ source: 'x', stream: stream.key, parameter: param }, 'X refused the stored position; restarting this query stream');
        state = param === 'since_id' ? { sinceId: null, pending: null } : { sinceId: state.sinceId, pending: null };
        budget += 1;
        allowance += 1;
        continue;
      }
      const users = usersById(result.includes);
      const referenced = referencedById(result.includes);
      const mentions: NormalizedMention[] = [];
      let newestOnPage: string | null = result.meta.newestId;
      for (const item of result.data) {
        const mention = mapTweet(item, users, stream.targetId, referenced);
        if (!mention) {
          log.warn({ source: 'x', id: idForLog(item, 40) }, 'skipped a malformed post');
          continue;
        }
        newestOnPage = maxId(newestOnPage, (item as { id: string }).id);
        if (stream.excluded.some((ex) => mention.text.includes(ex))) continue;
        mentions.push(mention);
      }
      const tombstones: Tombstone[] = goneFromErrors(result.errors).map((g) => ({
        externalId: g.id,
        deletedAt: runtime.now(),
        reason: g.reason,
        raw: g.raw,
      }));
      if (result.errors.length > 0) log.info({ source: 'x', partialErrors: result.errors.length }, 'search page carried partial errors');

      const newestId = state.pending ? (maxId(state.pending.newestId, null) ?? newestOnPage) : newestOnPage;
      state = result.meta.nextToken
        ? { sinceId: state.sinceId, pending: { nextToken: result.meta.nextToken, newestId } }
        : { sinceId: maxId(state.sinceId, newestId), pending: null };
      cursor.streams[stream.key] = state;
      remember(mentions);
      yield { mentions, tombstones, cursor: snapshot(cursor) };
      if (!result.meta.nextToken) break;
    }
    if (state.pending)
      log.info({ source: 'x', stream: stream.key }, 'page budget for this query used up; the next run continues from the cursor');
  }

  if (config.deletionCheckIds > 0 && known.size > 0) {
    budget += reserved;
    try {
      const page = await checkDeletions(client, cursor, config, runtime, () => budget--, known);
      if (page) yield page;
    } catch (error) {
      // A deletion check that fails costs a tombstone for now, never the posts search found (a
      // token X refuses outright failed search first). A run being stopped stays stopped.
      if (error instanceof Error && error.name === 'AbortError') throw error;
      log.warn(
        { source: 'x', error: error instanceof Error ? error.message.slice(0, 300) : String(error) },
        'the deletion check failed; search results are kept, deletions are checked on a later run',
      );
    }
  }
}

/**
 * Re-looks-up the least recently checked of the recent posts. Posts X no longer returns become
 * tombstones (what was said stays stored as evidence); posts still there come back as mentions,
 * refreshing their metrics.
 */
async function checkDeletions(
  client: XClient,
  cursor: XCursor,
  config: XConfig,
  runtime: SourceRuntime,
  spend: () => number,
  known: ReadonlySet<string>,
): Promise<CollectPage | null> {
  const horizon = runtime.now().getTime() - config.deletionCheckHours * 3_600_000;
  cursor.recent = cursor.recent.filter((e) => e[2] >= horizon);
  // Posts search delivered in this very run were just read: they wait for a later check.
  const batch = cursor.recent
    .filter((e) => known.has(e[0]))
    .sort((a, b) => a[4] - b[4] || b[2] - a[2])
    .slice(0, config.deletionCheckIds);
  if (batch.length === 0) return null;
  const byTweetId = new Map(batch.map((e) => [e[1], e] as const));
  const mentions: NormalizedMention[] = [];
  const tombstones: Tombstone[] = [];
  const goneIds = new Set<string>();

  for (let i = 0; i < batch.length; i += lookupBatch) {
    if (spend() <= 0) break;
    const ids = batch.slice(i, i + lookupBatch).map((e) => e[1]);
    const result = await client.lookup(ids);
    const users = usersById(result.includes);
    for (const item of result.data) {
      const entry = isRecord(item) && typeof item.id === 'string' ? byTweetId.get(item.id) : undefined;
      const mention = entry ? mapTweet(item, users, entry[3]) : null;
      if (mention && stableTweetId(item as Record<string, unknown>) === entry?.[0]) mentions.push(mention);
    }
    for (const g of goneFromErrors(result.errors)) {
      const entry = byTweetId.get(g.id);
      if (!entry) continue;
      goneIds.add(entry[0]);
      tombstones.push({ externalId: entry[0], deletedAt: runtime.now(), reason: g.reason, raw: g.raw });
    }
  }
  const checkedAt = runtime.now().getTime();
  const checked = new Set(batch.map((e) => e[0]));
  cursor.recent = cursor.recent
    .filter((e) => !goneIds.has(e[0]))
    .map((e): XRecentEntry => (checked.has(e[0]) ? [e[0], e[1], e[2], e[3], checkedAt] : e));
  return { mentions, tombstones, cursor: snapshot(cursor) };
}
