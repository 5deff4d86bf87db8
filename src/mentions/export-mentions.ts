import { recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { PresentedMention } from './privacy.ts';
import { maxPageSize } from './queries.ts';
import { viewMentions, type FeedFilter, type MentionViewer } from './view-mentions.ts';

/** At most this many posts per export: a spreadsheet for a report, not a copy of the database. */
export const maxExportRows = 10_000;

/**
 * The filtered feed for a CSV file, newest first. Personal data stays masked (a file travels
 * further than a screen); private messages are in it only for those who may read them, and the
 * export itself is on record with its filter and size.
 */
export async function exportMentions(
  ctx: Pick<AppContext, 'sql' | 'readSql' | 'readGenericSql'>,
  viewer: Omit<MentionViewer, 'revealPii'>,
  filter: FeedFilter,
): Promise<{ items: PresentedMention[]; truncated: boolean }> {
  const items: PresentedMention[] = [];
  let cursor: string | undefined;
  let more = true;
  while (more && items.length < maxExportRows) {
    const page = await viewMentions(
      ctx,
      { ...viewer, revealPii: false },
      { ...filter, cursor, limit: Math.min(maxPageSize, maxExportRows - items.length) },
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    more = page.nextCursor !== null;
  }
  const { words, ...rest } = filter;
  await ctx.sql.begin((tx) =>
    recordAudit(tx, viewer.actor, {
      orgId: filter.orgId,
      action: 'mention.export',
      targetType: 'mention',
      after: {
        rows: items.length,
        truncated: more,
        filter: { ...rest, includePrivate: viewer.includePrivate, searchWords: words?.length ?? 0 },
      },
    }),
  );
  return { items, truncated: more };
}
