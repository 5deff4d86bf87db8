import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson, type Tx } from '../db/connect.ts';
import { ConflictError } from '../errors.ts';
import { appendEvent, findIncident, type IncidentRow } from '../incident-record/incident.ts';
import { gatherFacts, seedProse } from './facts.ts';
import { actorRef, findPostmortem, getPostmortem, type PostmortemRow, type PostmortemView } from './queries.ts';

/**
 * Drafts the incident's post-mortem, or refreshes the draft: facts regenerated, prose re-seeded
 * except the fields people edited. Runs inside the caller's transaction — resolving an incident
 * drafts in the same transaction as the status change — with the org's audit chain locked.
 * An approved post-mortem is left as approved (returns null): it is the record directors signed.
 */
export async function draftPostmortem(tx: Tx, incident: IncidentRow, actor: AuditActor, at: Date): Promise<PostmortemRow | null> {
  const existing = await findPostmortem(tx, incident.org_id, incident.id);
  if (existing?.status === 'approved') return null;
  const facts = await gatherFacts(tx, incident, at);
  const seeded = seedProse(facts);
  const keep = new Set(existing?.edited_fields ?? []);
  const prose = {
    summary: keep.has('summary') ? existing!.summary : seeded.summary,
    wentWell: keep.has('wentWell') ? existing!.went_well : seeded.wentWell,
    wentBadly: keep.has('wentBadly') ? existing!.went_badly : seeded.wentBadly,
  };
  const [row] = existing
    ? await tx<PostmortemRow[]>`
        update postmortems set facts = ${tx.json(asJson(facts))}, summary = ${prose.summary}, went_well = ${prose.wentWell},
          went_badly = ${prose.wentBadly}, version = version + 1, generated_at = ${at}, updated_at = ${at}, updated_by = ${actorRef(actor)}
        where org_id = ${incident.org_id} and incident_id = ${incident.id} and status = 'draft' and version = ${existing.version}
        returning *`
    : await tx<PostmortemRow[]>`
        insert into postmortems (org_id, incident_id, status, facts, summary, went_well, went_badly, generated_at, created_at, updated_at, updated_by)
        values (${incident.org_id}, ${incident.id}, 'draft', ${tx.json(asJson(facts))}, ${prose.summary}, ${prose.wentWell}, ${prose.wentBadly},
          ${at}, ${at}, ${at}, ${actorRef(actor)})
        on conflict (org_id, incident_id) do nothing
        returning *`;
  if (!row) throw new ConflictError('ポストモーテムは他の操作で変更されました (post-mortem changed concurrently; reload and retry)');
  const data = { version: row.version, refreshed: Boolean(existing), keptEdits: [...keep] };
  await appendEvent(tx, { orgId: incident.org_id, incidentId: incident.id, at, kind: 'postmortem_drafted', actor, data });
  await recordAudit(
    tx,
    actor,
    {
      orgId: incident.org_id,
      action: existing ? 'postmortem.regenerate' : 'postmortem.draft',
      targetType: 'postmortem',
      targetId: incident.id,
      before: existing ? { version: existing.version } : null,
      after: { ...data, metrics: facts.metrics },
    },
    at,
  );
  return row;
}

/** POST …/postmortem/regenerate: refresh the facts (later mentions, tasks done since), keep edited prose. */
export async function regeneratePostmortem(ctx: AppContext, orgId: string, incidentId: string, actor: AuditActor): Promise<PostmortemView> {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const incident = await findIncident(tx, orgId, incidentId);
    const existing = await findPostmortem(tx, orgId, incidentId);
    if (!existing && !['resolved', 'closed'].includes(incident.status)) {
      throw new ConflictError('解決前のインシデントにはポストモーテムを作成できません (the incident is not resolved yet)');
    }
    if (existing?.status === 'approved')
      throw new ConflictError('承認済みのポストモーテムは再生成できません (an approved post-mortem is final)');
    await draftPostmortem(tx, incident, actor, at);
    return getPostmortem(tx, orgId, incidentId);
  }) as Promise<PostmortemView>;
}
