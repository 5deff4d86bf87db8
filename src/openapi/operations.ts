import { authOperations } from '../auth/operations.ts';
import { incidentStatuses } from '../incident-record/lifecycle.ts';
import { statementOperations } from '../statements/operations.ts';
import { oncallOperations } from '../oncall/operations.ts';
import { postmortemOperations } from '../postmortems/operations.ts';
import { arr, bool, int, itemsOf, obj, oneOfValues, ref, str, time, type Schema } from './schema.ts';

// The operations under /api/v1 of the features not yet declared with defineRoute (src/http/route.ts),
// as their routes register them (Hono path syntax). Each group mirrors one routes file and goes
// when that file converts; src/openapi/document.ts merges them with the generated operations.

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: Record<string, Schema>;
  body?: Schema;
  /** The success response; schema null means no body. */
  ok?: { status?: number; schema?: Schema | null; contentType?: string; description?: string };
  /** Further error statuses this operation returns, beyond the common ones. */
  errors?: Record<string, string>;
  auth?: 'public';
}

const org = '/organizations/:orgId';
const limit = (max = 200) => int({ minimum: 1, maximum: max, description: `件数 (1–${max})` });
const conflict = { 409: '状態が変わっていた・重複 (conflict: the state changed meanwhile, or a duplicate)' };

const incidents: Operation[] = [
  {
    id: 'listIncidents', method: 'get', path: `${org}/incidents`, tag: 'incidents', summary: 'インシデントの一覧 (incidents)',
    query: { status: oneOfValues(incidentStatuses), limit: limit() }, ok: { schema: itemsOf(ref('Incident')) },
  },
  { id: 'getIncident', method: 'get', path: `${org}/incidents/:incidentId`, tag: 'incidents', summary: 'インシデント、アラート、タスク、タイムライン', ok: { schema: ref('IncidentDetail') } },
  {
    id: 'transitionIncident', method: 'post', path: `${org}/incidents/:incidentId/transitions`, tag: 'incidents',
    summary: '状態を進める (triage → active → stable → resolved → closed, cancelled, reopen)',
    description: '再開 (reopen) と中止 (cancel) は理由が必須。未完了の必須タスク (プレイブックの required な手順) がある状態での解決 (resolved) も理由が必須で、'
      + 'ないと 409 で未完了タスクの名前を返す。理由はタイムラインとポストモーテムに残る。解決・クローズ・中止でインシデントの未クローズのアラートもクローズする。'
      + ' (reopen and cancel need a reason; so does resolving while required playbook tasks are open — without one, 409 naming them. The reason goes on the timeline and into the post-mortem. Resolving, closing or cancelling also closes the incident\'s open alerts.)',
    body: obj({
      to: oneOfValues(incidentStatuses),
      'reason?': str({ maxLength: 2000, description: '理由: 再開・中止、未完了の必須タスクがある解決では必須 (required for reopen, cancel, and resolving over open required tasks)' }),
      'at?': time({ description: '過去にさかのぼって記録する時刻' }),
    }, { closed: true }),
    ok: { schema: ref('Incident') }, errors: { ...conflict, 409: '状態が変わっていた、または未完了の必須タスクがあり理由がない (conflict: the state changed meanwhile, or required tasks are open and no reason was given)' },
  },
  {
    id: 'changeIncidentSeverity', method: 'post', path: `${org}/incidents/:incidentId/severity`, tag: 'incidents', summary: '深刻度を変更 (change severity, with a reason)',
    body: obj({ severity: int({ minimum: 1, maximum: 5 }), reason: str({ maxLength: 2000 }) }, { closed: true }), ok: { schema: ref('Incident') }, errors: conflict,
  },
  {
    id: 'assignIncidentRoles', method: 'patch', path: `${org}/incidents/:incidentId/roles`, tag: 'incidents', summary: '指揮者・広報責任者・記録係を割り当て',
    body: { type: 'object', description: 'commander / communicationsLead / scribe: 役割名; commanderId / communicationsLeadId / scribeId: 同じ組織の有効なユーザー ID (null で解除)', minProperties: 1 }, ok: { schema: ref('Incident') },
  },
  {
    id: 'addIncidentNote', method: 'post', path: `${org}/incidents/:incidentId/notes`, tag: 'incidents', summary: 'タイムラインにメモ (add a note)',
    body: obj({ text: str({ maxLength: 4000 }) }, { closed: true }), ok: { status: 201, schema: obj({ ok: bool() }) },
  },
  {
    id: 'updateIncidentTask', method: 'patch', path: `${org}/incidents/:incidentId/tasks/:taskId`, tag: 'incidents', summary: 'タスクを完了・省略・再開',
    body: obj({ status: oneOfValues(['open', 'done', 'skipped']), 'note?': str({ maxLength: 2000 }) }, { closed: true }), ok: { schema: ref('Task') }, errors: conflict,
  },
  { id: 'listOverdueTasks', method: 'get', path: `${org}/incident-tasks/overdue`, tag: 'incidents', summary: '期限切れの未完了タスク (overdue tasks)', ok: { schema: itemsOf(ref('Task')) } },
  {
    id: 'promoteAlert', method: 'post', path: `${org}/alerts/:alertId/incident`, tag: 'incidents', summary: 'アラートをインシデントに昇格 (promote an alert by hand)',
    ok: { status: 201, schema: ref('Incident') }, errors: conflict,
  },
  {
    id: 'getPlaybook', method: 'get', path: `${org}/playbook`, tag: 'playbooks', summary: '現在の (または指定版の) プレイブック',
    query: { version: int({ minimum: 0 }) }, ok: { schema: ref('Playbook') },
  },
  {
    id: 'savePlaybook', method: 'put', path: `${org}/playbook`, tag: 'playbooks', summary: 'プレイブックの新しい版を保存 (save a new version)',
    body: obj({ steps: arr(ref('PlaybookStep'), { minItems: 1, maxItems: 50 }) }, { closed: true }), ok: { schema: ref('Playbook') },
  },
];

export const operations: Operation[] = [...authOperations, ...incidents, ...statementOperations, ...oncallOperations, ...postmortemOperations];
