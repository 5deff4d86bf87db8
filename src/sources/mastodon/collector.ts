// Hashtag timelines, one per tag. The first run reads a few pages of history newest-first
// (max_id); after that each run walks forward from the newest status stored (min_id returns
// the page immediately newer than it, so every page's cursor is simply "newest id so far").
// Statuses collected in the last hours are re-read to catch edits (edited_at) and deletions
// (404), which a timeline never reports.

import type { NormalizedMention, Tombstone } from '../../mention.ts';
import type { CollectInput, CollectPage, WatchTargetSpec } from '../types.ts';
import { isRecord } from '../payload.ts';
import { MastodonClient, type TimelinePage } from './client.ts';
import { hashtagPattern, type MastodonConfig } from './config.ts';
import { mapStatus } from './map.ts';

export interface TagCursor {
  /** Newest status id stored; null until the first backfill finishes. */
  minId: string | null;
  backfill: { maxId: string; newestId: string | null; pages: number } | null;
}
export interface RecentStatus {
  id: string;
  postedAt: string;
  editedAt: string | null;
  tag: string;
}
export interface MastodonCursor {
  tags: Record<string, TagCursor>;
  recent: RecentStatus[];
}

/** Bound on the statuses remembered for rechecks, so the cursor stays small. */
const maxRecent = 1000;

function idOrNull(value: unknown): string | null {
  return typeof value === 'string' && /^[0-9A-Za-z_-]{1,64}$/.test(value) ? value : null;
}

/** Mastodon ids are decimal strings of growing length; compare as numbers without precision loss. */
export function newerId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) return a.length > b.length ? a : b;
  return a > b ? a : b;
}

export function readMastodonCursor(raw: unknown): MastodonCursor {
  const cursor: MastodonCursor = { tags: {}, recent: [] };
  if (!isRecord(raw)) return cursor;
  if (isRecord(raw.tags)) {
    for (const [tag, value] of Object.entries(raw.tags)) {
      if (!isRecord(value)) continue;
      const b = value.backfill;
      cursor.tags[tag] = {
        minId: idOrNull(value.minId),
        backfill:
          isRecord(b) && idOrNull(b.maxId) !== null
            ? { maxId: b.maxId as string, newestId: idOrNull(b.newestId), pages: typeof b.pages === 'number' ? b.pages : 0 }
            : null,
      };
    }
  }
  if (Array.isArray(raw.recent)) {
    for (const r of raw.recent) {
      if (!isRecord(r) || idOrNull(r.id) === null || typeof r.postedAt !== 'string' || typeof r.tag !== 'string') continue;
      cursor.recent.push({
        id: r.id as string,
        postedAt: r.postedAt,
        editedAt: typeof r.editedAt === 'string' ? r.editedAt : null,
        tag: r.tag,
      });
    }
  }
  return cursor;
}

export function hashtagsFor(config: MastodonConfig, targets: WatchTargetSpec[]): { tag: string; watchTargetId: string | null }[] {
  const tags = new Map<string, string | null>();
  for (const tag of config.hashtags) tags.set(tag.toLowerCase(), null);
  if (config.hashtagsFromTargets) {
    for (const target of targets) {
      for (const name of target.names) {
        const tag = name.normalize('NFKC').replace(/[\s・･]/g, '');
        if (hashtagPattern.test(tag) && !tags.has(tag.toLowerCase())) tags.set(tag.toLowerCase(), target.id);
      }
    }
  }
  return [...tags].map(([tag, watchTargetId]) => ({ tag, watchTargetId }));
}

function targetForText(text: string, targets: WatchTargetSpec[], fallback: string | null): string | null {
  const t = text.normalize('NFKC').toLowerCase();
  return (
    targets.find((target) => [...target.names, ...target.keywords].some((n) => n !== '' && t.includes(n.normalize('NFKC').toLowerCase())))
      ?.id ?? fallback
  );
}

export async function* collectMastodon(input: CollectInput<MastodonConfig>): AsyncIterable<CollectPage> {
  const { config, runtime, targets } = input;
  const previous = readMastodonCursor(input.cursor);
  const tags = hashtagsFor(config, targets);
  const state: MastodonCursor = { tags: {}, recent: previous.recent.filter((r) => tags.some((t) => t.tag === r.tag)) };
  for (const { tag } of tags) state.tags[tag] = previous.tags[tag] ?? { minId: null, backfill: null };
  const snapshot = (): MastodonCursor => structuredClone(state);
  const client = new MastodonClient(config, runtime);

  const mapPage = (
    page: TimelinePage,
    tag: string,
    fallbackTarget: string | null,
  ): { mentions: NormalizedMention[]; newest: string | null } => {
    const mentions: NormalizedMention[] = [];
    let newest: string | null = null;
    for (const status of page.statuses) {
      const mapped = mapStatus(status, null);
      if (!mapped.ok) {
        runtime.log.warn({ source: 'mastodon', tag, id: mapped.id, reason: mapped.reason }, 'skipping malformed status');
        continue;
      }
      const m = mapped.mention;
      m.watchTargetId = targetForText(m.text, targets, fallbackTarget);
      newest = newerId(newest, m.externalId);
      mentions.push(m);
      if (config.recheckLimit === 0) continue;
      const editedAt = isRecord(status) && typeof status.edited_at === 'string' ? status.edited_at : null;
      state.recent = state.recent.filter((r) => r.id !== m.externalId);
      state.recent.push({ id: m.externalId, postedAt: m.postedAt.toISOString(), editedAt, tag });
    }
    if (state.recent.length > maxRecent) state.recent = state.recent.slice(-maxRecent);
    return { mentions, newest };
  };

  for (const { tag, watchTargetId } of tags) {
    const cursor = state.tags[tag] as TagCursor;
    let pages = 0;
    if (cursor.minId === null) {
      // First run for this tag: read history newest-first, then switch to walking forward.
      let backfill = cursor.backfill;
      for (;;) {
        const page = await client.tagTimeline(tag, backfill === null ? {} : { maxId: backfill.maxId });
        const { mentions, newest } = mapPage(page, tag, watchTargetId);
        const newestId = newerId(backfill?.newestId ?? null, page.prev?.minId ?? newest);
        const done = page.next === null || page.statuses.length === 0 || (backfill?.pages ?? 0) + 1 >= config.backfillPages;
        pages += 1;
        if (done) {
          cursor.backfill = null;
          // An empty tag still gets a starting point, so the next run walks forward and does not
          // re-read history; '0' is older than every id.
          cursor.minId = newestId ?? '0';
          yield { mentions, cursor: snapshot() };
          break;
        }
        backfill = { maxId: (page.next as { maxId: string }).maxId, newestId, pages: (backfill?.pages ?? 0) + 1 };
        cursor.backfill = backfill;
        yield { mentions, cursor: snapshot() };
        if (pages >= config.maxPagesPerRun) break;
      }
      continue;
    }
    for (;;) {
      const page = await client.tagTimeline(tag, { minId: cursor.minId as string });
      const { mentions, newest } = mapPage(page, tag, watchTargetId);
      pages += 1;
      if (page.statuses.length === 0) break;
      cursor.minId = newerId(cursor.minId, page.prev?.minId ?? newest);
      yield { mentions, cursor: snapshot() };
      if (pages >= config.maxPagesPerRun) break;
    }
  }

  // Edits and deletions of what we already have.
  if (config.recheckLimit > 0 && state.recent.length > 0) {
    const horizon = runtime.now().getTime() - config.recheckHours * 3_600_000;
    state.recent = state.recent.filter((r) => Date.parse(r.postedAt) >= horizon);
    state.recent.sort((a, b) => (newerId(a.id, b.id) === a.id ? -1 : 1));
    const mentions: NormalizedMention[] = [];
    const tombstones: Tombstone[] = [];
    // Only statuses from earlier runs: what this run just read is already current.
    const known = new Set(previous.recent.map((r) => r.id));
    for (const entry of state.recent.filter((r) => known.has(r.id)).slice(0, config.recheckLimit)) {
      const status = await client.status(entry.id);
      if (status === null) {
        tombstones.push({ externalId: entry.id, deletedAt: runtime.now(), reason: 'unavailable', raw: { status: 404, tag: entry.tag } });
        state.recent = state.recent.filter((r) => r.id !== entry.id);
        continue;
      }
      const editedAt = isRecord(status) && typeof status.edited_at === 'string' ? status.edited_at : null;
      if (editedAt === entry.editedAt) continue;
      const mapped = mapStatus(status, null);
      if (!mapped.ok) continue;
      mapped.mention.watchTargetId = targetForText(mapped.mention.text, targets, null);
      mentions.push(mapped.mention);
      entry.editedAt = editedAt;
    }
    // Keep the cursor small: the recheck window, newest first, capped.
    state.recent = state.recent.slice(0, maxRecent);
    if (mentions.length > 0 || tombstones.length > 0) yield { mentions, tombstones, cursor: snapshot() };
  }
}
