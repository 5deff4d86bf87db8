// One searchPosts walk per search term (each watch target's names and keywords, plus any
// configured queries), newest first, bounded below by `since` = the newest post already
// stored for that term. `since` is inclusive, so the boundary post comes again; the platform's
// upsert makes that harmless, where an exclusive bound could lose posts indexed in the same
// instant.

import type { NormalizedMention } from '../../mention.ts';
import { SourceHttpError } from '../http-errors.ts';
import type { CollectInput, CollectPage, WatchTargetSpec } from '../types.ts';
import { isRecord, laterTime } from '../payload.ts';
import { BlueskyClient } from './client.ts';
import type { BlueskyConfig } from './config.ts';
import { mapPost } from './map.ts';

export interface QueryCursor {
  since: string | null;
  scan: { cursor: string; newest: string | null } | null;
}
export interface BlueskyCursor {
  queries: Record<string, QueryCursor>;
}

interface SearchTerm {
  q: string;
  watchTargetId: string | null;
  exclusions: string[];
}

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** A phrase query per term: a clinic name is a phrase, not a bag of words. */
export function searchTerms(targets: WatchTargetSpec[], extra: string[]): SearchTerm[] {
  const terms = new Map<string, SearchTerm>();
  for (const target of targets) {
    for (const term of [...target.names, ...target.keywords]) {
      const clean = term.replace(/["\u0000-\u001f]/g, '').trim();
      if (clean === '') continue;
      const q = `"${clean}"`;
      if (!terms.has(q)) terms.set(q, { q, watchTargetId: target.id, exclusions: target.exclusions.map(normalise) });
    }
  }
  for (const q of extra) if (!terms.has(q)) terms.set(q, { q, watchTargetId: null, exclusions: [] });
  return [...terms.values()];
}

export function readBlueskyCursor(raw: unknown): BlueskyCursor {
  const cursor: BlueskyCursor = { queries: {} };
  if (!isRecord(raw) || !isRecord(raw.queries)) return cursor;
  for (const [q, value] of Object.entries(raw.queries)) {
    if (!isRecord(value)) continue;
    cursor.queries[q] = {
      since: typeof value.since === 'string' ? value.since : null,
      scan:
        isRecord(value.scan) && typeof value.scan.cursor === 'string'
          ? { cursor: value.scan.cursor, newest: typeof value.scan.newest === 'string' ? value.scan.newest : null }
          : null,
    };
  }
  return cursor;
}

export async function* collectBluesky(input: CollectInput<BlueskyConfig>): AsyncIterable<CollectPage> {
  const { config, runtime } = input;
  const terms = searchTerms(input.targets, config.queries);
  if (terms.length === 0) {
    runtime.log.info({ source: 'bluesky' }, 'no search terms (no watch targets or queries); nothing to collect');
    return;
  }
  const previous = readBlueskyCursor(input.cursor);
  const state: BlueskyCursor = { queries: {} };
  for (const term of terms) state.queries[term.q] = previous.queries[term.q] ?? { since: null, scan: null };
  const snapshot = (): BlueskyCursor => structuredClone(state);
  const client = new BlueskyClient(config, runtime);

  for (const term of terms) {
    const cursor = state.queries[term.q] as QueryCursor;
    let scan = cursor.scan ?? { cursor: '', newest: null };
    for (let pages = 0; ;) {
      let page;
      try {
        page = await client.searchPosts({
          q: term.q,
          since: cursor.since,
          lang: config.lang,
          cursor: scan.cursor === '' ? null : scan.cursor,
        });
      } catch (error) {
        if (error instanceof SourceHttpError && error.status === 400) {
          if (scan.cursor !== '') {
            runtime.log.warn({ source: 'bluesky', q: term.q }, 'stored search cursor rejected; restarting the walk');
            scan = { cursor: '', newest: null };
            continue;
          }
          runtime.log.warn({ source: 'bluesky', q: term.q, err: error.message }, 'query rejected; skipped');
          break;
        }
        throw error;
      }
      const mentions: NormalizedMention[] = [];
      for (const post of page.posts) {
        const mapped = mapPost(post, term.watchTargetId);
        if (!mapped.ok) {
          runtime.log.warn({ source: 'bluesky', q: term.q, id: mapped.id, reason: mapped.reason }, 'skipping malformed post');
          continue;
        }
        scan.newest = laterTime(scan.newest, mapped.sortAt.toISOString());
        const text = normalise(mapped.mention.text);
        if (term.exclusions.some((x) => x !== '' && text.includes(x))) continue;
        mentions.push(mapped.mention);
      }
      pages += 1;
      if (page.cursor !== null && page.posts.length > 0) {
        scan.cursor = page.cursor;
        cursor.scan = scan;
        yield { mentions, cursor: snapshot() };
        if (pages >= config.maxPagesPerRun) break; // continued next run
        continue;
      }
      cursor.since = laterTime(cursor.since, scan.newest);
      cursor.scan = null;
      yield { mentions, cursor: snapshot() };
      break;
    }
  }
}
