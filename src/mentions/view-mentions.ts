import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { presentMention, type PresentedMention } from './privacy.ts';
import { listMentions, type MentionFilter } from './queries.ts';
import { recordMentionViews } from './view-audit.ts';

/**
 * A page of mentions as a person sees it: personal data masked unless `revealPii` (the caller's
 * permission is the edge's to check), and the views of private messages and revealed PII on record.
 */
export async function viewMentions(
  ctx: Pick<AppContext, 'sql'>,
  viewer: { actor: AuditActor; revealPii: boolean },
  filter: MentionFilter,
): Promise<{ items: PresentedMention[]; nextCursor: string | null }> {
  const page = await listMentions(ctx.sql, filter);
  const items = page.items.map((m) => presentMention(m, { revealPii: viewer.revealPii }));
  await recordMentionViews(ctx.sql, viewer.actor, filter.orgId, items, viewer.revealPii);
  return { ...page, items };
}
