import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ValidationError } from '../errors.ts';
import { object, oneOf } from '../validation.ts';
import { roleNames, type RoleName } from './lifecycle.ts';
import { lockAuditChain } from './open-incident.ts';
import { appendEvent, findIncident, incidentView, type IncidentRow, type IncidentView } from './queries.ts';

const incidentRoles = { commander: 'commander_role', communicationsLead: 'communications_role', scribe: 'scribe_role' } as const;
type IncidentRole = keyof typeof incidentRoles;
/** null unassigns. Role names stand in for people until users exist (issue 6 item 1). */
export type RolesInput = Partial<Record<IncidentRole, RoleName | null>>;

export function parseRolesInput(body: unknown): RolesInput {
  const o = object(body, Object.keys(incidentRoles));
  const out: RolesInput = {};
  for (const k of Object.keys(incidentRoles) as IncidentRole[]) {
    if (o[k] === undefined) continue;
    out[k] = o[k] === null ? null : oneOf(o[k], k, roleNames);
  }
  if (Object.keys(out).length === 0) throw new ValidationError('give at least one of commander, communicationsLead, scribe');
  return out;
}

export async function assignRoles(ctx: AppContext, orgId: string, incidentId: string, input: RolesInput, actor: AuditActor): Promise<IncidentView> {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const current = await findIncident(tx, orgId, incidentId);
    const col = (k: IncidentRole) => (k in input ? input[k] ?? null : current[incidentRoles[k]]);
    const [row] = await tx<IncidentRow[]>`
      update incidents set commander_role = ${col('commander')}, communications_role = ${col('communicationsLead')},
        scribe_role = ${col('scribe')}, updated_at = ${at}
      where org_id = ${orgId} and id = ${incidentId} returning *`;
    const before = incidentView(current).roles;
    const after = incidentView(row!).roles;
    await appendEvent(tx, { orgId, incidentId, at, kind: 'roles_changed', actor, data: { before, after } });
    await recordAudit(tx, actor, { orgId, action: 'incident.roles', targetType: 'incident', targetId: incidentId, before, after });
    return incidentView(row!);
  }) as Promise<IncidentView>;
}
