import type { AuditActor } from '../audit/record.ts';
import type { Sql, Tx } from '../db/connect.ts';
import { NotFoundError } from '../errors.ts';
import type { IncidentStatus, IncidentTimestamps, RoleName } from './lifecycle.ts';
import { defaultPlaybook, plannedTasks, type Playbook, type PlaybookStep } from './playbook.ts';

// The incidents repository: rows in, plain views out. Verbs own the transactions.

type Q = Sql | Tx;

export interface IncidentRow {
  org_id: string; id: string; title: string; status: IncidentStatus; severity: number; risk_categories: string[];
  playbook_version: number; commander_role: RoleName | null; communications_role: RoleName | null; scribe_role: RoleName | null;
  commander_id: string | null; communications_id: string | null; scribe_id: string | null;
  detected_at: Date; acknowledged_at: Date | null; first_response_at: Date | null; mitigated_at: Date | null;
  resolved_at: Date | null; closed_at: Date | null; created_at: Date; updated_at: Date;
}

export function incidentView(r: IncidentRow) {
  return {
    id: r.id, orgId: r.org_id, title: r.title, status: r.status, severity: r.severity, riskCategories: r.risk_categories,
    playbookVersion: r.playbook_version,
    roles: { commander: r.commander_role, communicationsLead: r.communications_role, scribe: r.scribe_role },
    /** The users holding the roles (ids; null: nobody named yet). */
    people: { commander: r.commander_id, communicationsLead: r.communications_id, scribe: r.scribe_id },
    detectedAt: r.detected_at, acknowledgedAt: r.acknowledged_at, firstResponseAt: r.first_response_at,
    mitigatedAt: r.mitigated_at, resolvedAt: r.resolved_at, closedAt: r.closed_at, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
export type IncidentView = ReturnType<typeof incidentView>;

export function timestampsOf(r: IncidentRow): IncidentTimestamps {
  return {
    detectedAt: r.detected_at, acknowledgedAt: r.acknowledged_at, firstResponseAt: r.first_response_at,
    mitigatedAt: r.mitigated_at, resolvedAt: r.resolved_at, closedAt: r.closed_at,
  };
}

export async function findIncident(q: Q, orgId: string, id: string): Promise<IncidentRow> {
  const [row] = await q<IncidentRow[]>`select * from incidents where org_id = ${orgId} and id = ${id}`;
  if (!row) throw new NotFoundError('インシデントが見つかりません (incident not found)');
  return row;
}

export type IncidentEventKind =
  | 'opened' | 'alert_attached' | 'alert_updated' | 'status_changed' | 'severity_changed' | 'tasks_added' | 'task_updated' | 'roles_changed' | 'note'
  | 'postmortem_drafted' | 'postmortem_edited' | 'postmortem_approved'
  | 'mail_queued' | 'mail_sent' | 'mail_failed' | 'acknowledged' | 'escalated' | 'task_overdue';

export async function appendEvent(
  tx: Tx, e: { orgId: string; incidentId: string; at: Date; kind: IncidentEventKind; actor: AuditActor; data: Record<string, unknown> },
): Promise<void> {
  await tx`
    insert into incident_events (org_id, incident_id, at, kind, actor_type, actor_id, data)
    values (${e.orgId}, ${e.incidentId}, ${e.at}, ${e.kind}, ${e.actor.type}, ${e.actor.id}, ${tx.json(e.data as never)})`;
}

/** The org's newest playbook version, or the shipped default when it has none. */
export async function currentPlaybook(q: Q, orgId: string): Promise<Playbook> {
  const [row] = await q<{ version: number; steps: PlaybookStep[] }[]>`
    select version, steps from playbook_versions where org_id = ${orgId} order by version desc limit 1`;
  return row ? { version: row.version, steps: row.steps } : defaultPlaybook;
}

export async function playbookVersion(q: Q, orgId: string, version: number): Promise<Playbook> {
  if (version === 0) return defaultPlaybook;
  const [row] = await q<{ version: number; steps: PlaybookStep[] }[]>`
    select version, steps from playbook_versions where org_id = ${orgId} and version = ${version}`;
  return row ? { version: row.version, steps: row.steps } : defaultPlaybook;
}

/**
 * Instantiates the steps of the incident's playbook version that match its severity and risk
 * categories and are not tasks yet. The unique (incident, step) key makes a repeat add nothing.
 */
export async function addMatchingTasks(tx: Tx, incident: IncidentRow, actor: AuditActor, at: Date): Promise<string[]> {
  const playbook = await playbookVersion(tx, incident.org_id, incident.playbook_version);
  const existing = await tx<{ step_key: string }[]>`
    select step_key from incident_tasks where org_id = ${incident.org_id} and incident_id = ${incident.id}`;
  const planned = plannedTasks(playbook, {
    severity: incident.severity, riskCategories: incident.risk_categories, detectedAt: incident.detected_at,
  }, new Set(existing.map((r) => r.step_key)));
  const added: string[] = [];
  for (const t of planned) {
    const [row] = await tx<{ step_key: string }[]>`
      insert into incident_tasks (org_id, incident_id, step_key, title, owner_role, due_at, checklist)
      values (${incident.org_id}, ${incident.id}, ${t.stepKey}, ${t.title}, ${t.ownerRole}, ${t.dueAt}, ${tx.json(t.checklist)})
      on conflict (org_id, incident_id, step_key) do nothing
      returning step_key`;
    if (row) added.push(row.step_key);
  }
  if (added.length > 0) {
    await appendEvent(tx, { orgId: incident.org_id, incidentId: incident.id, at, kind: 'tasks_added', actor, data: { stepKeys: added, severity: incident.severity } });
  }
  return added;
}

const taskColumns = (sql: Q) => sql`
  id, incident_id as "incidentId", step_key as "stepKey", title, owner_role as "ownerRole", due_at as "dueAt",
  checklist, status, assignee_id as "assigneeId", done_by as "doneBy", done_at as "doneAt"`;

export async function listIncidents(sql: Sql, f: { orgId: string; status?: IncidentStatus; limit?: number }) {
  const rows = await sql<IncidentRow[]>`
    select * from incidents where org_id = ${f.orgId} ${f.status ? sql`and status = ${f.status}` : sql``}
    order by detected_at desc, id desc limit ${Math.min(Math.max(f.limit ?? 50, 1), 200)}`;
  return rows.map(incidentView);
}

/** One incident with its alerts, tasks and timeline. */
export async function getIncident(sql: Sql, orgId: string, id: string) {
  const incident = incidentView(await findIncident(sql, orgId, id));
  const alerts = await sql`
    select a.id, a.kind, a.severity, a.status, a.opened_at as "openedAt", a.summary_ja as summary, ia.attached_at as "attachedAt"
    from incident_alerts ia join alerts a on a.org_id = ia.org_id and a.id = ia.alert_id
    where ia.org_id = ${orgId} and ia.incident_id = ${id} order by ia.attached_at, a.id`;
  const tasks = await sql`select ${taskColumns(sql)} from incident_tasks where org_id = ${orgId} and incident_id = ${id} order by due_at, id`;
  const timeline = await sql`
    select id, at, kind, actor_type as "actorType", actor_id as "actorId", data
    from incident_events where org_id = ${orgId} and incident_id = ${id} order by id`;
  return { ...incident, alerts, tasks, timeline };
}

/**
 * Open tasks past due, oldest first. Notifying their owners is the mail helper's to build (the
 * owner is a role name until users exist); this is the query it will read.
 */
export async function listOverdueTasks(sql: Sql, orgId: string, now: Date, limit = 200) {
  return sql`
    select ${taskColumns(sql)} from incident_tasks t
    where t.org_id = ${orgId} and t.status = 'open' and t.due_at < ${now}
      and exists (select 1 from incidents i where i.org_id = t.org_id and i.id = t.incident_id and i.status in ('triage', 'active', 'stable'))
    order by t.due_at, t.id limit ${limit}`;
}
