import type { AuditActor } from '../audit/record.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Narrowed, Row } from '../db/schema.ts';
import type { RoleName } from '../incident-record/lifecycle.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { PostmortemFacts } from './facts.ts';

// The post-mortems repository: rows in, plain views out. Verbs own the transactions.

type Q = Sql | Tx;

export const proseFields = ['summary', 'wentWell', 'wentBadly'] as const;
export type ProseField = (typeof proseFields)[number];

export type PostmortemRow = Narrowed<Row<'postmortems'>, { facts: PostmortemFacts; edited_fields: ProseField[] }>;

export interface ActionItem {
  taskId: string;
  key: string;
  title: string;
  ownerRole: RoleName;
  assigneeId: string | null;
  assigneeName: string | null;
  dueAt: Date;
  status: 'open' | 'done' | 'skipped';
  doneAt: Date | null;
}

export function postmortemView(r: PostmortemRow, actionItems: ActionItem[]) {
  return {
    incidentId: r.incident_id,
    orgId: r.org_id,
    status: r.status,
    version: r.version,
    summary: r.summary,
    wentWell: r.went_well,
    wentBadly: r.went_badly,
    editedFields: r.edited_fields,
    facts: r.facts,
    actionItems,
    generatedAt: r.generated_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    approvedVersion: r.approved_version,
  };
}
export type PostmortemView = ReturnType<typeof postmortemView>;

export const actorRef = (a: AuditActor) => `${a.type}:${a.id ?? ''}`;

export async function findPostmortem(q: Q, orgId: string, incidentId: string): Promise<PostmortemRow | null> {
  const [row] = await q<PostmortemRow[]>`select * from postmortems where org_id = ${orgId} and incident_id = ${incidentId}`;
  return row ?? null;
}

export async function requirePostmortem(q: Q, orgId: string, incidentId: string): Promise<PostmortemRow> {
  const row = await findPostmortem(q, orgId, incidentId);
  if (!row)
    throw new NotFoundError(
      'ポストモーテムはまだありません。インシデントの解決時に作成されます (no post-mortem yet; one is drafted when the incident resolves)',
    );
  return row;
}

/**
 * The draft as the caller read it: refuses an approved post-mortem (final) and a version that
 * changed since it was read (409, reload). Callers re-check in their conditional update.
 */
export async function requireDraftAt(q: Q, orgId: string, incidentId: string, version: number): Promise<PostmortemRow> {
  const current = await requirePostmortem(q, orgId, incidentId);
  if (current.status === 'approved') throw new ConflictError('承認済みのポストモーテムは変更できません (an approved post-mortem is final)');
  if (current.version !== version) {
    throw new ConflictError(
      `ポストモーテムは他の人が更新しました（現在の版 ${current.version}）。読み直してください (stale version ${version}; current is ${current.version})`,
    );
  }
  return current;
}

export async function listActionItems(q: Q, orgId: string, incidentId: string): Promise<ActionItem[]> {
  const rows = await q<
    (Pick<Row<'incident_tasks'>, 'id' | 'step_key' | 'title' | 'assignee_id' | 'due_at' | 'done_at'> & {
      owner_role: RoleName;
      status: ActionItem['status'];
      name: Row<'users'>['name'] | null;
    })[]
  >`
    select t.id, t.step_key, t.title, t.owner_role, t.assignee_id, u.name, t.due_at, t.status, t.done_at
    from incident_tasks t left join users u on u.org_id = t.org_id and u.id = t.assignee_id
    where t.org_id = ${orgId} and t.incident_id = ${incidentId} and t.step_key like 'action:%'
    order by (substring(t.step_key from 8))::int`;
  return rows.map((r) => ({
    taskId: r.id,
    key: r.step_key,
    title: r.title,
    ownerRole: r.owner_role,
    assigneeId: r.assignee_id,
    assigneeName: r.name,
    dueAt: r.due_at,
    status: r.status,
    doneAt: r.done_at,
  }));
}

export async function getPostmortem(q: Q, orgId: string, incidentId: string): Promise<PostmortemView> {
  const row = await requirePostmortem(q, orgId, incidentId);
  return postmortemView(row, await listActionItems(q, orgId, incidentId));
}

export interface PostmortemListItem {
  incidentId: string;
  title: string;
  severity: number;
  resolvedAt: Date | null;
  status: PostmortemRow['status'];
  version: number;
  approvedAt: Date | null;
  updatedAt: Date;
  metrics: PostmortemFacts['metrics'];
}

/** The org's post-mortems, newest incident first (the directors' list). */
export async function listPostmortems(q: Q, orgId: string, limit = 200): Promise<PostmortemListItem[]> {
  const rows = await q<
    (Pick<PostmortemRow, 'incident_id' | 'status' | 'version' | 'approved_at' | 'updated_at'> &
      Pick<Row<'incidents'>, 'title' | 'severity' | 'resolved_at'> & { metrics: PostmortemFacts['metrics'] })[]
  >`
    select p.incident_id, p.status, p.version, p.approved_at, p.updated_at, i.title, i.severity, i.resolved_at,
      p.facts -> 'metrics' as metrics
    from postmortems p join incidents i on i.org_id = p.org_id and i.id = p.incident_id
    where p.org_id = ${orgId}
    order by coalesce(i.resolved_at, p.created_at) desc, p.incident_id desc
    limit ${limit}`;
  return rows.map((r) => ({
    incidentId: r.incident_id,
    title: r.title,
    severity: r.severity,
    resolvedAt: r.resolved_at,
    status: r.status,
    version: r.version,
    approvedAt: r.approved_at,
    updatedAt: r.updated_at,
    metrics: r.metrics,
  }));
}
