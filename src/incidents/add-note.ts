import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { appendEvent, findIncident } from '../incident-record/incident.ts';

/** A note on the timeline (the scribe's record). Allowed in every status: notes after closing are history too. */
export async function addNote(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: { text: string },
  actor: AuditActor,
): Promise<{ ok: true }> {
  const at = ctx.now();
  await ctx.sql.begin(async (tx) => {
    await findIncident(tx, orgId, incidentId);
    await lockAuditChain(tx, orgId);
    await appendEvent(tx, { orgId, incidentId, at, kind: 'note', actor, data: { text: input.text } });
    await recordAudit(tx, actor, {
      orgId,
      action: 'incident.note',
      targetType: 'incident',
      targetId: incidentId,
      after: { length: input.text.length },
    });
  });
  return { ok: true };
}
