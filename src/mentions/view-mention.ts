import type { AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { presentMention, type PresentedMention } from './privacy.ts';
import { getMention } from './queries.ts';
import { recordMentionViews } from './view-audit.ts';

/** One mention as a person sees it, under the same privacy rule as a page (src/mentions/view-audit.ts). */
export async function viewMention(
  ctx: Pick<AppContext, 'sql'>,
  viewer: { actor: AuditActor; revealPii: boolean },
  orgId: string,
  mentionId: string,
): Promise<PresentedMention> {
  const m = await getMention(ctx.sql, orgId, mentionId);
  if (!m) throw new NotFoundError('mention not found');
  const shown = presentMention(m, { revealPii: viewer.revealPii });
  await recordMentionViews(ctx.sql, viewer.actor, m.orgId, [shown], viewer.revealPii);
  return shown;
}
