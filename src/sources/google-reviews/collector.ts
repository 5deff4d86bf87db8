// Collects reviews per location, newest change first. An incremental run walks pages until it
// reaches reviews older than the newest updateTime it already has; a periodic full listing
// walks everything, and reviews that have vanished from it become tombstones — but only after
// reviews.get confirms a 404, because a listing ordered by update time can skip an item that
// moves while we page (a vanished-looking review is usually just that).

import type { NormalizedMention, Tombstone } from '../../mention.ts';
import { SourceHttpError } from '../http-errors.ts';
import type { CollectInput, CollectPage, WatchTargetSpec } from '../types.ts';
import { isRecord, laterTime } from '../payload.ts';
import { GoogleReviewsClient } from './client.ts';
import type { GoogleReviewsConfig } from './config.ts';
import { mapReview, replyExternalId } from './map.ts';

export interface LocationCursor {
  /** updateTime (ISO) of the newest review already stored. */
  since: string | null;
  /** A listing still being walked: resume here. */
  scan: { pageToken: string; newest: string | null; full: boolean; seen: string[] } | null;
  /** reviewIds known to exist, compared against the next full listing. */
  known: string[];
  /** reviewIds whose clinic reply is stored, so a withdrawn reply becomes a tombstone. */
  replied: string[];
  lastFullListingAt: string | null;
}

export interface GoogleReviewsCursor {
  locations: Record<string, LocationCursor>;
}

/** Known review ids kept per location (the cursor is rewritten with every page; a clinic with more
 * reviews than this loses deletion detection for its oldest ones). */
export const maxKnownReviews = 5_000;
/** reviews.get confirmations per run; the rest wait for the next full listing. */
export const maxDeletionChecks = 50;

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads a stored cursor defensively: anything unreadable starts that location afresh. */
export function readCursor(raw: unknown): GoogleReviewsCursor {
  const locations: Record<string, LocationCursor> = {};
  if (!isRecord(raw) || !isRecord(raw.locations)) return { locations };
  for (const [name, value] of Object.entries(raw.locations)) {
    if (!isRecord(value)) continue;
    const scan =
      isRecord(value.scan) && typeof value.scan.pageToken === 'string'
        ? {
            pageToken: value.scan.pageToken,
            newest: typeof value.scan.newest === 'string' ? value.scan.newest : null,
            full: value.scan.full === true,
            seen: stringArray(value.scan.seen),
          }
        : null;
    locations[name] = {
      since: typeof value.since === 'string' ? value.since : null,
      scan,
      known: stringArray(value.known),
      replied: stringArray(value.replied),
      lastFullListingAt: typeof value.lastFullListingAt === 'string' ? value.lastFullListingAt : null,
    };
  }
  return { locations };
}

function targetFor(location: string, targets: WatchTargetSpec[]): string | null {
  return targets.find((t) => t.handles.google_reviews === location || t.handles.google === location)?.id ?? null;
}

export async function* collectGoogleReviews(input: CollectInput<GoogleReviewsConfig>): AsyncIterable<CollectPage> {
  const { config, runtime, targets } = input;
  const client = new GoogleReviewsClient(config, runtime);
  const cursor = readCursor(input.cursor);
  // Locations removed from the config drop out of the cursor.
  const state: GoogleReviewsCursor = { locations: {} };
  for (const location of config.locations) {
    state.locations[location.name] = cursor.locations[location.name] ?? {
      since: null,
      scan: null,
      known: [],
      replied: [],
      lastFullListingAt: null,
    };
  }
  const snapshot = (): GoogleReviewsCursor => structuredClone(state);

  for (const location of config.locations) {
    const loc = state.locations[location.name] as LocationCursor;
    const context = { name: location.name, ownerName: location.ownerName, watchTargetId: targetFor(location.name, targets) };
    const now = runtime.now();
    const fullDue =
      config.fullListingEveryHours > 0 &&
      (loc.lastFullListingAt === null || now.getTime() - Date.parse(loc.lastFullListingAt) >= config.fullListingEveryHours * 3_600_000);
    let scan = loc.scan ?? { pageToken: '', newest: null, full: fullDue, seen: [] };
    let pages = 0;

    for (;;) {
      let page;
      try {
        page = await client.listReviews(location.name, scan.pageToken === '' ? null : scan.pageToken);
      } catch (error) {
        // A page token kept from an interrupted run can expire; start that listing over.
        if (error instanceof SourceHttpError && error.status === 400 && scan.pageToken !== '') {
          runtime.log.warn({ source: 'google_reviews', location: location.name }, 'stored page token rejected; restarting the listing');
          scan = { pageToken: '', newest: null, full: scan.full, seen: [] };
          continue;
        }
        throw error;
      }

      const mentions: NormalizedMention[] = [];
      const tombstones: Tombstone[] = [];
      let reachedKnown = false;
      for (const review of page.reviews) {
        const mapped = mapReview(review, context);
        if (!mapped.ok) {
          runtime.log.warn(
            { source: 'google_reviews', location: location.name, id: mapped.id, reason: mapped.reason },
            'skipping malformed review',
          );
          continue;
        }
        const updated = mapped.updateTime.toISOString();
        scan.newest = laterTime(scan.newest, updated);
        if (scan.full) scan.seen.push(mapped.reviewId);
        // `>=`: a review updated in the same millisecond as the last one stored comes again;
        // the platform's upsert makes that harmless, while `>` could lose it. A full listing
        // passes everything on: whether a reply moves a review's updateTime is not documented,
        // and re-delivered unchanged reviews cost the platform nothing.
        if (loc.since !== null && Date.parse(updated) < Date.parse(loc.since)) {
          reachedKnown = true;
          if (!scan.full) continue;
        }
        mentions.push(...mapped.mentions);
        const hasReply = mapped.mentions.length > 1;
        const hadReply = loc.replied.includes(mapped.reviewId);
        if (hasReply && !hadReply) loc.replied.push(mapped.reviewId);
        if (!hasReply && hadReply) {
          loc.replied = loc.replied.filter((id) => id !== mapped.reviewId);
          tombstones.push({
            externalId: replyExternalId(mapped.reviewId),
            deletedAt: runtime.now(),
            reason: 'deleted',
            raw: { location: location.name, reviewId: mapped.reviewId, reviewReply: null },
          });
        }
      }
      if (!scan.full) {
        // Newest first, like a full listing, so the cap below drops the oldest.
        loc.known = [...mentions.filter((m) => m.replyToExternalId == null).map((m) => m.externalId), ...loc.known];
      }

      const more = page.nextPageToken !== null && (scan.full || !reachedKnown);
      pages += 1;
      if (more) {
        scan.pageToken = page.nextPageToken as string;
        loc.scan = scan;
        yield { mentions, tombstones, cursor: snapshot() };
        if (pages >= config.maxPagesPerRun) break; // the listing continues next run
        continue;
      }

      // Listing finished: fold it into the location's cursor.
      if (scan.full) {
        const seen = new Set(scan.seen);
        const complete = page.totalReviewCount === null || page.totalReviewCount === seen.size;
        const missing = loc.known.filter((id) => !seen.has(id));
        const stillThere: string[] = [];
        if (complete) {
          for (const [i, reviewId] of missing.entries()) {
            if (i >= maxDeletionChecks) {
              stillThere.push(reviewId);
              continue;
            }
            const found = await client.getReview(`${location.name}/reviews/${reviewId}`);
            if (found !== null) {
              stillThere.push(reviewId);
              continue;
            }
            // 'unavailable', not 'deleted': a 404 looks the same whether the reviewer deleted
            // the review or Google removed it.
            tombstones.push({
              externalId: reviewId,
              deletedAt: runtime.now(),
              reason: 'unavailable',
              raw: { location: location.name, reviewId, status: 404 },
            });
            loc.replied = loc.replied.filter((id) => id !== reviewId);
          }
        } else {
          runtime.log.info(
            { source: 'google_reviews', location: location.name, listed: seen.size, total: page.totalReviewCount },
            'full listing incomplete (reviews moved while paging); deletion check skipped',
          );
          stillThere.push(...missing);
        }
        loc.known = [...seen, ...stillThere];
        loc.lastFullListingAt = now.toISOString();
      }
      loc.known = [...new Set(loc.known)];
      if (loc.known.length > maxKnownReviews) loc.known = loc.known.slice(0, maxKnownReviews);
      if (loc.replied.length > maxKnownReviews) loc.replied = loc.replied.slice(-maxKnownReviews);
      loc.since = laterTime(loc.since, scan.newest);
      loc.scan = null;
      yield { mentions, tombstones, cursor: snapshot() };
      break;
    }
  }
}
