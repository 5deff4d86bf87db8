import type { AuditActor } from '../audit/record.ts';
import type { Sql, Tx } from '../db/connect.ts';
import { NotFoundError } from '../errors.ts';
import type { Narrowed, Row } from '../db/schema.ts';
import { openStatuses, type IncidentStatus, type RoleName } from '../incident-record/lifecycle.ts';
import { appendEvent, findIncident, incidentView, type IncidentRow } from '../incident-record/incident.ts';
import { defaultPlaybook, plannedTasks, type Playbook, type PlaybookStep } from './playbook.ts';

// The incidents repository: rows in, plain views out. Verbs own the transactions.

type Q = Sql | Tx;

type PlaybookRow = Narrowed<Pick<Row<'playbook_versions'>, 'version' | 'steps'>, { steps: PlaybookStep[] }>;

/** The org's newest playbook version, or the shipped default when it has none. */
export async function currentPlaybook(q: Q, orgId: string): Promise<Playbook> {
  const [row] = await q<PlaybookRow[]>`
    select version, steps from playbook_versions where org_id = ${orgId} order by version desc limit 1`;
  return row ? { version: row.version, steps: row.steps } : defaultPlaybook;
}

export async function playbookVersion(q: Q, orgId: string, version: number): Promise<Playbook> {
  if (version === 0) return defaultPlaybook;
  const [row] = await q<PlaybookRow[]>`
    select version, steps from playbook_versions where org_id = ${orgId} and version = ${version}`;
  return row ? { version: row.version, steps: row.steps } : defaultPlaybook;
}

/** The org's saved playbook versions, newest first, with who saved them (a stored reference such as 'user:4'). */
export async function listPlaybookVersions(
  q: Q,
  orgId: string,
): Promise<{ version: number; createdAt: Date; createdBy: string | null; steps: number }[]> {
  const rows = await q<{ version: number; created_at: Date; created_by: string | null; steps: number }[]>`
    select version, created_at, created_by, jsonb_array_length(steps) as steps
    from playbook_versions where org_id = ${orgId} order by version desc limit 100`;
  return rows.map((r) => ({ version: r.version, createdAt: r.created_at, createdBy: r.created_by, steps: r.steps }));
}

/** The org's current playbook, or the version asked for (0: the shipped default); a version it never saved is a 404. */
export async function getPlaybook(q: Q, orgId: string, version?: number): Promise<Playbook> {
  if (version === undefined) return currentPlaybook(q, orgId);
  const found = await playbookVersion(q, orgId, version);
  if (found.version !== version) throw new NotFoundError('その版のプレイブックはありません (no such playbook version)');
  return found;
}

/**
 * Instantiates the steps of the incident's playbook version that match its severity and risk
 * categories and are not tasks yet. The unique (incident, step) key makes a repeat add nothing.
 */
export async function addMatchingTasks(tx: Tx, incident: IncidentRow, actor: AuditActor, at: Date): Promise<string[]> {
  const playbook = await playbookVersion(tx, incident.org_id, incident.playbook_version);
  const existing = await tx<Pick<Row<'incident_tasks'>, 'step_key'>[]>`
    select step_key from incident_tasks where org_id = ${incident.org_id} and incident_id = ${incident.id}`;
  const planned = plannedTasks(
    playbook,
    {
      severity: incident.severity,
      riskCategories: incident.risk_categories,
      detectedAt: incident.detected_at,
    },
    new Set(existing.map((r) => r.step_key)),
  );
  const added: string[] = [];
  for (const t of planned) {
    const [row] = await tx<Pick<Row<'incident_tasks'>, 'step_key'>[]>`
      insert into incident_tasks (org_id, incident_id, step_key, title, owner_role, due_at, checklist)
      values (${incident.org_id}, ${incident.id}, ${t.stepKey}, ${t.title}, ${t.ownerRole}, ${t.dueAt}, ${tx.json(t.checklist)})
      on conflict (org_id, incident_id, step_key) do nothing
      returning step_key`;
    if (row) added.push(row.step_key);
  }
  if (added.length > 0) {
    await appendEvent(tx, {
      orgId: incident.org_id,
      incidentId: incident.id,
      at,
      kind: 'tasks_added',
      actor,
      data: { stepKeys: added, severity: incident.severity },
    });
  }
  return added;
}

export const taskStatuses = ['open', 'done', 'skipped'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** A task as the API answers it (taskColumns). */
export interface TaskView {
  id: string;
  incidentId: string;
  stepKey: string;
  title: string;
  ownerRole: RoleName;
  dueAt: Date;
  checklist: string[];
  status: TaskStatus;
  assigneeId: string | null;
  doneBy: string | null;
  doneAt: Date | null;
}

export const taskColumns = (sql: Q) => sql`
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
  const alerts = await sql<
    { id: string; kind: string; severity: number; status: string; openedAt: Date; summary: string; attachedAt: Date }[]
  >`
    select a.id, a.kind, a.severity, a.status, a.opened_at as "openedAt", a.summary_ja as summary, ia.attached_at as "attachedAt"
    from incident_alerts ia join alerts a on a.org_id = ia.org_id and a.id = ia.alert_id
    where ia.org_id = ${orgId} and ia.incident_id = ${id} order by ia.attached_at, a.id`;
  const tasks = await sql<
    TaskView[]
  >`select ${taskColumns(sql)} from incident_tasks where org_id = ${orgId} and incident_id = ${id} order by due_at, id`;
  const timeline = await sql<
    { id: string; at: Date; kind: string; actorType: string; actorId: string | null; data: Record<string, unknown> }[]
  >`
    select id, at, kind, actor_type as "actorType", actor_id as "actorId", data
    from incident_events where org_id = ${orgId} and incident_id = ${id} order by id`;
  return { ...incident, alerts, tasks, timeline };
}

/**
 * Open tasks past due, oldest first. Notifying their owners is the mail helper's to build (the
 * owner is a role name until users exist); this is the query it will read.
 */
export async function listOverdueTasks(sql: Sql, orgId: string, now: Date, limit = 200) {
  return sql<TaskView[]>`
    select ${taskColumns(sql)} from incident_tasks t
    where t.org_id = ${orgId} and t.status = 'open' and t.due_at < ${now}
      and exists (select 1 from incidents i where i.org_id = t.org_id and i.id = t.incident_id and i.status in ('triage', 'active', 'stable'))
    order by t.due_at, t.id limit ${limit}`;
}

/** An open incident as every page's banner shows it: who acknowledged it, by name. */
export type OpenIncidentSummary = Pick<IncidentRow, 'id' | 'title' | 'severity' | 'status' | 'detected_at' | 'acknowledged_at'> & {
  acknowledged_by: string | null;
};

/** The open incidents, most severe first (served by incidents_org_open_idx). */
export async function openIncidentSummaries(sql: Sql, orgId: string, limit = 5): Promise<OpenIncidentSummary[]> {
  return sql<OpenIncidentSummary[]>`
    select i.id, i.title, i.severity, i.status, i.detected_at, i.acknowledged_at, u.name as acknowledged_by
    from incidents i
    left join lateral (
      select actor_id from incident_events e
      where e.org_id = i.org_id and e.incident_id = i.id and e.kind = 'acknowledged' and e.actor_type = 'user'
      order by e.id limit 1
    ) a on true
    left join users u on u.org_id = i.org_id and u.id::text = a.actor_id
    where i.org_id = ${orgId} and i.status = any(${openStatuses as string[]})
    order by i.severity desc, i.detected_at desc
    limit ${limit}`;
}

/** The incident an alert is attached to, if any. */
export async function incidentOfAlert(sql: Sql, orgId: string, alertId: string): Promise<string | null> {
  const [row] = await sql<Pick<Row<'incident_alerts'>, 'incident_id'>[]>`
    select incident_id from incident_alerts where org_id = ${orgId} and alert_id = ${alertId} limit 1`;
  return row?.incident_id ?? null;
}
