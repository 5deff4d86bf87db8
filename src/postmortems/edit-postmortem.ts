import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/connect.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { requireActiveUsers } from '../auth/users.ts';
import type { RoleName } from '../incident-record/lifecycle.ts';
import { appendEvent, findIncident } from '../incident-record/incident.ts';
import {
  actorRef,
  getPostmortem,
  listActionItems,
  proseFields,
  requireDraftAt,
  type PostmortemRow,
  type PostmortemView,
  type ProseField,
} from './queries.ts';

export interface ActionItemInput {
  /** 'action:<n>' of an existing item; absent for a new one. */
  key?: string;
  title: string;
  ownerRole: RoleName;
  /** Absent or null: nobody (an existing item's assignee is cleared). */
  assigneeId?: string | null;
  /** Absent or null: an existing item keeps its due time, a new one gets the default. */
  dueAt?: Date | null;
}

export interface EditPostmortemInput {
  /** The version the editor read (optimistic concurrency). */
  version: number;
  summary?: string;
  wentWell?: string;
  wentBadly?: string;
  /** The full list: listed items are created or updated, open items left out are skipped. */
  actionItems?: ActionItemInput[];
}

/** A new action item is due two weeks after the edit unless a due time is given. */
const DEFAULT_ACTION_DUE_MS = 14 * 24 * 3_600_000;

/**
 * Edits the prose and the action items of a draft. Conditional on the version read: a stale
 * version is a 409, so two directors editing at once cannot overwrite each other unseen.
 */
export async function editPostmortem(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: EditPostmortemInput,
  actor: AuditActor,
): Promise<PostmortemView> {
  const at = ctx.now();
  return ctx.sql.begin(async (tx) => {
    await lockAuditChain(tx, orgId);
    const current = await requireDraftAt(tx, orgId, incidentId, input.version);
    const changed = proseFields.filter((f) => input[f] !== undefined);
    const edited = [...new Set([...current.edited_fields, ...changed])];
    const value = (f: ProseField) => input[f] ?? proseOf(current, f);
    const [row] = await tx<PostmortemRow[]>`
      update postmortems set summary = ${value('summary')}, went_well = ${value('wentWell')},
        went_badly = ${value('wentBadly')}, edited_fields = ${edited}, version = version + 1,
        updated_at = ${at}, updated_by = ${actorRef(actor)}
      where org_id = ${orgId} and incident_id = ${incidentId} and version = ${input.version} and status = 'draft'
      returning *`;
    if (!row) throw new ConflictError('ポストモーテムは他の操作で変更されました (post-mortem changed concurrently; reload and retry)');
    const actions = input.actionItems ? await saveActionItems(tx, orgId, incidentId, input.actionItems, at) : null;
    const data = { version: row.version, fields: changed, actionItems: actions };
    await appendEvent(tx, { orgId, incidentId, at, kind: 'postmortem_edited', actor, data });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'postmortem.edit',
        targetType: 'postmortem',
        targetId: incidentId,
        before: { version: current.version, ...Object.fromEntries(changed.map((f) => [f, proseOf(current, f)])) },
        after: { version: row.version, ...Object.fromEntries(changed.map((f) => [f, input[f]])), actionItems: actions },
      },
      at,
    );
    return getPostmortem(tx, orgId, incidentId);
  }) as Promise<PostmortemView>;
}

const proseColumns = { summary: 'summary', wentWell: 'went_well', wentBadly: 'went_badly' } as const;
const proseOf = (r: PostmortemRow, f: ProseField): string => r[proseColumns[f]];

/** Action items as incident tasks ('action:<n>'): created, updated, or skipped when left out. */
async function saveActionItems(tx: Tx, orgId: string, incidentId: string, items: ActionItemInput[], at: Date) {
  const existing = await listActionItems(tx, orgId, incidentId);
  const known = new Map(existing.map((e) => [e.key, e]));
  for (const item of items) {
    if (item.key && !known.has(item.key)) throw new ValidationError(`アクション項目 ${item.key} はありません (no such action item)`);
  }
  await requireActiveUsers(tx, orgId, [...new Set(items.map((i) => i.assigneeId).filter((v): v is string => typeof v === 'string'))]);
  const incident = await findIncident(tx, orgId, incidentId);
  let next = Math.max(0, ...existing.map((e) => Number(e.key.slice('action:'.length)))) + 1;
  const created: string[] = [];
  const updated: string[] = [];
  for (const item of items) {
    if (item.key) {
      const cur = known.get(item.key)!;
      await tx`
        update incident_tasks set title = ${item.title}, owner_role = ${item.ownerRole}, assignee_id = ${item.assigneeId ?? null},
          due_at = ${item.dueAt ?? cur.dueAt}, status = case when status = 'skipped' then 'open' else status end,
          done_at = case when status = 'skipped' then null else done_at end, done_by = case when status = 'skipped' then null else done_by end
        where org_id = ${orgId} and incident_id = ${incidentId} and step_key = ${item.key}`;
      updated.push(item.key);
    } else {
      const key = `action:${next++}`;
      const due = item.dueAt ?? new Date((incident.resolved_at ?? at).getTime() + DEFAULT_ACTION_DUE_MS);
      await tx`
        insert into incident_tasks (org_id, incident_id, step_key, title, owner_role, due_at, assignee_id)
        values (${orgId}, ${incidentId}, ${key}, ${item.title}, ${item.ownerRole}, ${due}, ${item.assigneeId ?? null})`;
      created.push(key);
    }
  }
  const listed = new Set(items.map((i) => i.key).filter(Boolean));
  const dropped = existing.filter((e) => !listed.has(e.key) && e.status === 'open').map((e) => e.key);
  if (dropped.length > 0) {
    await tx`update incident_tasks set status = 'skipped', done_at = ${at}, done_by = 'postmortem'
      where org_id = ${orgId} and incident_id = ${incidentId} and step_key in ${tx(dropped)} and status = 'open'`;
  }
  return { created, updated, skipped: dropped };
}
