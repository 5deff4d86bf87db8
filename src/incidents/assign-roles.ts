import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { RoleName } from '../incident-record/lifecycle.ts';
import { requireActiveUsers } from '../auth/users.ts';
import { appendEvent, findIncident, incidentView, type IncidentRow, type IncidentView } from '../incident-record/incident.ts';

// Roles on an incident: which role fills it (commander: 'oncall_manager') and, once someone is
// named, which person (commanderId: a user of the same organization who is not disabled).
export const incidentRoles = { commander: 'commander_role', communicationsLead: 'communications_role', scribe: 'scribe_role' } as const;
export const incidentPeople = { commanderId: 'commander_id', communicationsLeadId: 'communications_id', scribeId: 'scribe_id' } as const;
type IncidentRole = keyof typeof incidentRoles;
type IncidentPerson = keyof typeof incidentPeople;
/** null unassigns. */
export type RolesInput = Partial<Record<IncidentRole, RoleName | null>> & Partial<Record<IncidentPerson, string | null>>;

export async function assignRoles(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: RolesInput,
  actor: AuditActor,
): Promise<IncidentView> {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const current = await findIncident(tx, orgId, incidentId);
    await requireActiveUsers(tx, orgId, [
      ...new Set((Object.keys(incidentPeople) as IncidentPerson[]).map((k) => input[k]).filter((v): v is string => typeof v === 'string')),
    ]);
    const col = (k: IncidentRole) => (k in input ? (input[k] ?? null) : current[incidentRoles[k]]);
    const person = (k: IncidentPerson) => (k in input ? (input[k] ?? null) : current[incidentPeople[k]]);
    const [row] = await tx<IncidentRow[]>`
      update incidents set commander_role = ${col('commander')}, communications_role = ${col('communicationsLead')},
        scribe_role = ${col('scribe')}, commander_id = ${person('commanderId')}, communications_id = ${person('communicationsLeadId')},
        scribe_id = ${person('scribeId')}, updated_at = ${at}
      where org_id = ${orgId} and id = ${incidentId} returning *`;
    const view = (r: IncidentRow) => ({ ...incidentView(r).roles, people: incidentView(r).people });
    const before = view(current);
    const after = view(row!);
    await appendEvent(tx, { orgId, incidentId, at, kind: 'roles_changed', actor, data: { before, after } });
    await recordAudit(tx, actor, { orgId, action: 'incident.roles', targetType: 'incident', targetId: incidentId, before, after });
    return incidentView(row!);
  }) as Promise<IncidentView>;
}
