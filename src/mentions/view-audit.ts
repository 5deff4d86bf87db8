import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { Sql } from '../db/connect.ts';
import { revealedPiiIds, type PresentedMention } from './privacy.ts';

// The privacy audit rule: private messages (LINE) are patients' words to the clinic, so every
// view of their text is on record; detected personal data is shown unmasked only on request, and
// every such view is on record too. One transaction per view, both rows in it.

export async function recordMentionViews(
  sql: Sql,
  actor: AuditActor,
  orgId: string,
  shown: readonly PresentedMention[],
  revealPii: boolean,
): Promise<void> {
  const privateIds = shown.filter((m) => m.isPrivate).map((m) => m.id);
  const piiIds = revealedPiiIds(shown, revealPii);
  if (privateIds.length === 0 && piiIds.length === 0) return;
  await sql.begin(async (tx) => {
    // Ids as one comma list, cut to the column's length; the full list is in `after`.
    if (privateIds.length > 0) {
      await recordAudit(tx, actor, {
        orgId,
        action: 'mention.view_private',
        targetType: 'mention',
        targetId: privateIds.join(',').slice(0, 2000),
        after: { mentionIds: privateIds },
      });
    }
    if (piiIds.length > 0) {
      await recordAudit(tx, actor, {
        orgId,
        action: 'mention.view_pii',
        targetType: 'mention',
        targetId: piiIds.join(',').slice(0, 2000),
        after: { mentionIds: piiIds },
      });
    }
  });
}
