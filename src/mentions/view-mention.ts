import { maskPii } from '../analysis/pii.ts';
import { recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { PENDING_TEXT, presentMention, type PresentedMention } from './privacy.ts';
import { getMention, mentionHistory, mentionRaw, type MentionHistory } from './queries.ts';
import { recordMentionViews } from './view-audit.ts';
import type { MentionViewer } from './view-mentions.ts';

/** One mention as a person sees it, under the same privacy rule as a page (src/mentions/view-audit.ts). */
export async function viewMention(
  ctx: Pick<AppContext, 'sql'>,
  viewer: MentionViewer,
  orgId: string,
  mentionId: string,
): Promise<PresentedMention> {
  const m = await getMention(ctx.sql, orgId, mentionId);
  // A private message is not there at all for a role that may not read it.
  if (!m || (m.isPrivate && !viewer.includePrivate)) throw new NotFoundError('投稿が見つかりません (mention not found)');
  const shown = presentMention(m, { revealPii: viewer.revealPii });
  await recordMentionViews(ctx.sql, viewer.actor, m.orgId, [shown], viewer.revealPii);
  return shown;
}

export interface MentionDetail {
  mention: PresentedMention;
  history: MentionHistory;
  /** The platform's payload, when an admin asked for it (on record). */
  raw: unknown;
}

/**
 * A post with what happened to it: earlier versions, its tombstone, notes and the clinic's
 * replies. Earlier texts and replies are checked for personal data as the post is, and masked
 * the same way unless revealed.
 */
export async function viewMentionDetail(
  ctx: Pick<AppContext, 'sql' | 'analyzer'>,
  viewer: MentionViewer & { raw: boolean },
  orgId: string,
  mentionId: string,
): Promise<MentionDetail> {
  const mention = await viewMention(ctx, viewer, orgId, mentionId);
  const history = await mentionHistory(ctx.sql, mention);
  const shown = (text: string): string => {
    if (viewer.revealPii) return text;
    if (!ctx.analyzer) return PENDING_TEXT;
    return maskPii(text, ctx.analyzer.analyze(text).pii);
  };
  let raw: unknown = null;
  if (viewer.raw) {
    raw = await ctx.sql.begin(async (tx) => {
      await recordAudit(tx, viewer.actor, { orgId, action: 'mention.view_raw', targetType: 'mention', targetId: mentionId });
      return mentionRaw(tx, orgId, mentionId);
    });
  }
  return {
    mention,
    history: {
      ...history,
      versions: history.versions.map((v) => ({ ...v, text: shown(v.text) })),
      replies: history.replies.map((r) => ({ ...r, text: shown(r.text) })),
    },
    raw,
  };
}
