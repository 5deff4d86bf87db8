import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { lockTriagedMention, type TriageBy } from './triage-mention.ts';

/** A note on a post for the team (what was done, who was called). Notes are kept, never edited. */
export async function addMentionNote(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  mentionId: string,
  input: { body: string },
  by: TriageBy,
  actor: AuditActor,
): Promise<{ id: string }> {
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    await lockTriagedMention(tx, orgId, mentionId, by);
    const [note] = await tx<{ id: string }[]>`
      insert into mention_notes (org_id, mention_id, author_id, body, created_at)
      values (${orgId}, ${mentionId}, ${by.userId}, ${input.body}, ${ctx.now()}) returning id`;
    // The note's words stay out of the audit log (it may quote a patient); its length is enough.
    await recordAudit(tx, actor, {
      orgId,
      action: 'mention.note',
      targetType: 'mention',
      targetId: mentionId,
      after: { noteId: note!.id, length: input.body.length },
    });
    return { id: note!.id };
  });
}
