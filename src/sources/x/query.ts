import type { WatchTargetSpec } from '../types.ts';

// Builds X search queries from a watch target. Every name and keyword is an exact phrase (quoted):
// X splits Japanese into characters, so an unquoted さくら内科 would match posts that merely contain
// さくら and 内科 far apart. X query syntax has no escape for a quote inside a phrase, so quotes
// and control characters are removed from terms. When the terms do not fit in one query the target
// gets several; exclusions that do not fit are applied to the results instead (see XQueryPlan).

export interface XQueryPlan {
  targetId: string;
  queries: string[];
  /** Exclusions left out of the query for lack of room; the collector drops matching posts itself. */
  clientSideExclusions: string[];
  /** Terms that could not fit in any query even alone. */
  skippedTerms: string[];
}

const handlePattern = /^[A-Za-z0-9_]{1,15}$/;

export function cleanTerm(term: string): string {
  return term
    .replace(/["\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function buildXQueries(
  target: WatchTargetSpec,
  options: { maxLength: number; lang: string | null; excludeRetweets: boolean },
): XQueryPlan {
  const seen = new Set<string>();
  const terms: string[] = [];
  const add = (t: string) => {
    if (t && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      terms.push(t);
    }
  };
  for (const name of [...target.names, ...target.keywords]) {
    const clean = cleanTerm(name);
    if (clean) add(`"${clean}"`);
  }
  const handle = target.handles.x?.replace(/^@/, '');
  if (handle && handlePattern.test(handle)) add(`@${handle}`);

  let suffix = [options.lang ? `lang:${options.lang}` : '', options.excludeRetweets ? '-is:retweet' : ''].filter(Boolean).join(' ');
  const clientSideExclusions: string[] = [];
  // Leave room for at least one long-ish term: exclusions beyond that budget go client-side.
  const exclusionBudget = Math.floor(options.maxLength / 2);
  for (const exclusion of target.exclusions) {
    const clean = cleanTerm(exclusion);
    if (!clean) continue;
    const candidate = `${suffix} -"${clean}"`.trim();
    if (candidate.length <= exclusionBudget) suffix = candidate;
    else clientSideExclusions.push(clean);
  }

  const queries: string[] = [];
  const skippedTerms: string[] = [];
  let group: string[] = [];
  const render = (g: string[]) => {
    const core = g.length === 1 ? g[0]! : `(${g.join(' OR ')})`;
    return suffix ? `${core} ${suffix}` : core;
  };
  for (const term of terms) {
    if (render([term]).length > options.maxLength) {
      skippedTerms.push(term);
      continue;
    }
    if (group.length > 0 && render([...group, term]).length > options.maxLength) {
      queries.push(render(group));
      group = [];
    }
    group.push(term);
  }
  if (group.length > 0) queries.push(render(group));
  return { targetId: target.id, queries, clientSideExclusions, skippedTerms };
}

/** FNV-1a, to key a cursor stream by its query text: a changed query starts a fresh stream. */
export function queryKey(targetId: string, query: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < query.length; i += 1) {
    h ^= query.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${targetId}:${(h >>> 0).toString(36)}`;
}
