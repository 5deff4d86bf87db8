import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { appendEvent } from '../incident-record/incident.ts';
import { actorRef, getPostmortem, requireDraftAt, type PostmortemRow, type PostmortemView } from './queries.ts';

/**
 * A director approves the version they read. Who may approve is the route table's business
 * (postmortems.approve); the verb records who did, and refuses a version that changed since.
 */
export async function approvePostmortem(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: { version: number },
  actor: AuditActor,
): Promise<PostmortemView> {
  // A signature is a person's: the CLI, the system or a webhook cannot approve.
  if (actor.type !== 'user' || !actor.id)
    throw new ValidationError('ポストモーテムの承認はログインした利用者のみが行えます (only a logged-in user can approve)');
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const current = await requireDraftAt(tx, orgId, incidentId, input.version);
    const [row] = await tx<PostmortemRow[]>`
      update postmortems set status = 'approved', approved_by = ${actorRef(actor)}, approved_at = ${at}, approved_version = version, updated_at = ${at}
      where org_id = ${orgId} and incident_id = ${incidentId} and status = 'draft' and version = ${input.version}
      returning *`;
    if (!row) throw new ConflictError('ポストモーテムは他の操作で変更されました (post-mortem changed concurrently; reload and retry)');
    await appendEvent(tx, { orgId, incidentId, at, kind: 'postmortem_approved', actor, data: { version: row.version } });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'postmortem.approve',
        targetType: 'postmortem',
        targetId: incidentId,
        before: { status: 'draft', version: current.version },
        after: { status: 'approved', version: row.version, approvedBy: row.approved_by },
      },
      at,
    );
    return getPostmortem(tx, orgId, incidentId);
  }) as Promise<PostmortemView>;
}
