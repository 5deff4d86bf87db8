import { authOperations } from '../auth/operations.ts';
import { incidentStatuses } from '../incident-record/lifecycle.ts';
import { sourceTypes } from '../mention.ts';
import { bucketSizes } from '../mentions/queries.ts';
import { statementOperations } from '../statements/operations.ts';
import { oncallOperations } from '../oncall/operations.ts';
import { postmortemOperations } from '../postmortems/operations.ts';
import { arr, bool, id, int, itemsOf, obj, oneOfValues, ref, str, time, type Schema } from './schema.ts';

// Every operation under /api/v1, as the routes register them (Hono path syntax). Grouped by
// capability; each group mirrors one routes file.

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

const platform: Operation[] = [
  { id: 'getOpenApi', method: 'get', path: '/openapi.json', tag: 'meta', summary: 'この API 文書 (this OpenAPI document)', auth: 'public', ok: { schema: { type: 'object' } } },
  { id: 'listOrganizations', method: 'get', path: '/organizations', tag: 'organizations', summary: '組織の一覧 (organizations you can see)', ok: { schema: itemsOf(ref('Organization')) } },
  {
    id: 'createOrganization', method: 'post', path: '/organizations', tag: 'organizations', summary: '組織を作成 (create an organization)',
    body: obj({ name: str({ maxLength: 200 }), slug: str({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }), 'isDemo?': bool() }, { closed: true }),
    ok: { status: 201, schema: ref('Organization') }, errors: conflict,
  },
  {
    id: 'getOrganization', method: 'get', path: org, tag: 'organizations', summary: '組織と設定 (an organization and its settings)',
    ok: { schema: { allOf: [ref('Organization'), obj({ settings: obj({ alerting: ref('AlertingSettings') }) })] } },
  },
  {
    id: 'updateAlertingSettings', method: 'patch', path: `${org}/alerting`, tag: 'alerting', summary: 'アラートメールの設定を変更 (alert e-mail settings)',
    body: obj({ 'recipients?': arr(str({ format: 'email' }), { maxItems: 20 }), 'minSeverity?': int({ minimum: 1, maximum: 5 }), 'notices?': bool() }, { closed: true }),
    ok: { schema: ref('AlertingSettings') },
  },
  {
    id: 'listMailOutbox', method: 'get', path: `${org}/mail-outbox`, tag: 'alerting', summary: '送信したメール・送信待ち・失敗 (the mail outbox)',
    query: { status: oneOfValues(['pending', 'sending', 'sent', 'failed']), alertId: id(), limit: limit() },
    ok: { schema: itemsOf(ref('OutboxEntry')) },
  },
  { id: 'listWatchTargets', method: 'get', path: `${org}/watch-targets`, tag: 'organizations', summary: '監視対象の一覧 (watch targets)', ok: { schema: itemsOf(ref('WatchTarget')) } },
  {
    id: 'createWatchTarget', method: 'post', path: `${org}/watch-targets`, tag: 'organizations', summary: '監視対象を追加 (add a watch target: names, keywords, handles)',
    body: obj({
      name: str({ maxLength: 200 }), 'names?': arr(str({ maxLength: 200 }), { maxItems: 100 }), 'keywords?': arr(str({ maxLength: 200 }), { maxItems: 100 }),
      'handles?': { type: 'object', additionalProperties: str({ maxLength: 200 }), propertyNames: { pattern: '^[a-z_]{1,30}$' } },
      'exclusions?': arr(str({ maxLength: 200 }), { maxItems: 100 }),
    }, { closed: true }),
    ok: { status: 201, schema: ref('WatchTarget') },
  },
];

const credentialsBody = {
  type: 'object',
  description: '資格情報の種類ごとの値。null で消去 (values by slot, e.g. {"bearerToken": "…"}; null clears). Write-only.',
  additionalProperties: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
};

const sources: Operation[] = [
  { id: 'listSources', method: 'get', path: `${org}/sources`, tag: 'sources', summary: '収集元の一覧と状態 (sources and their health)', ok: { schema: itemsOf(ref('Source')) } },
  {
    id: 'addSource', method: 'post', path: `${org}/sources`, tag: 'sources', summary: '収集元を追加 (add a source)',
    description: '認証情報は credentials に入力します。暗号化して保存され、二度と返されません (credentials are sealed at rest and never returned; the answer says only whether each is set).',
    body: obj({ type: oneOfValues(sourceTypes), name: str({ maxLength: 200 }), 'config?': { type: 'object' }, 'credentials?': credentialsBody, 'schedule?': str({ maxLength: 100 }), 'enabled?': bool(), 'orgId?': id() }, { closed: true }),
    ok: { status: 201, schema: ref('Source') }, errors: conflict,
  },
  { id: 'getSource', method: 'get', path: `${org}/sources/:sourceId`, tag: 'sources', summary: '収集元 (a source)', ok: { schema: ref('Source') } },
  {
    id: 'updateSource', method: 'patch', path: `${org}/sources/:sourceId`, tag: 'sources', summary: '収集元の有効化・設定変更 (enable, disable, reconfigure)',
    description: '接続先 (baseUrl など) を変えると、同じ要求で入力し直さない限り保存済みの認証情報は消去されます (moving a source to another host clears its stored credentials unless they are entered again in the same request).',
    body: obj({ 'enabled?': bool(), 'config?': { type: 'object' }, 'credentials?': credentialsBody }, { closed: true }), ok: { schema: ref('Source') },
  },
  {
    id: 'runSource', method: 'post', path: `${org}/sources/:sourceId/runs`, tag: 'sources', summary: '今すぐ収集 (collect now)',
    ok: { schema: { type: 'object', description: '実行結果 (run outcome)' } }, errors: { 409: '実行中のため省略 (skipped: a run is in progress)' },
  },
  { id: 'listSourceRuns', method: 'get', path: `${org}/sources/:sourceId/runs`, tag: 'sources', summary: '直近の収集実行 (the last 50 runs)', ok: { schema: itemsOf(ref('SourceRun')) } },
];

const revealPii = oneOfValues(['true', 'false'], { description: '個人情報を伏せずに表示 (mentions.read_pii: oncall_manager 以上・read_pii スコープ); 監査ログに記録' });
const mentions: Operation[] = [
  {
    id: 'listMentions', method: 'get', path: `${org}/mentions`, tag: 'mentions', summary: '投稿の一覧 (mentions, newest first, keyset cursor)',
    description: '非公開メッセージの閲覧は監査ログに記録されます (views of private messages are audited). 検出された個人情報は伏せ字 (piiMasked); revealPii=true で当番責任者以上に表示し、監査ログに記録 (PII is masked unless revealed, audited).',
    query: {
      sourceId: id(), watchTargetId: id(), from: time(), to: time(), sentiment: oneOfValues(['positive', 'neutral', 'negative']),
      q: str({ maxLength: 200, description: '本文の部分一致' }), limit: limit(), cursor: str({ maxLength: 200 }), revealPii,
    },
    ok: { schema: ref('MentionPage') },
  },
  { id: 'getMention', method: 'get', path: `${org}/mentions/:mentionId`, tag: 'mentions', summary: '投稿 (a mention)', query: { revealPii }, ok: { schema: ref('Mention') } },
  {
    id: 'countMentions', method: 'get', path: `${org}/mention-counts`, tag: 'mentions', summary: '時間帯ごとの件数 (counts per bucket)',
    query: { watchTargetId: id(), from: time(), to: time(), bucket: oneOfValues(Object.keys(bucketSizes)) },
    ok: { schema: obj({ bucket: str(), from: time(), to: time(), items: arr(ref('CountBucket')) }) },
  },
  {
    id: 'emergingTerms', method: 'get', path: `${org}/emerging-terms`, tag: 'mentions', summary: '急増している語 (emerging terms)',
    query: { watchTargetId: id(), from: time(), to: time(), baselineWindows: int({ minimum: 1, maximum: 28 }), limit: limit(100) },
    description: '非公開メッセージ (LINE) の語は、個人情報を閲覧できる役割にだけ含まれ、その閲覧は監査ログに残ります (private messages count only for roles that may see personal data, and that view is audited).',
    ok: { schema: obj({ from: time(), to: time(), baselineWindows: int(), includesPrivateMessages: bool(), items: arr(ref('EmergingTerm')) }) },
  },
];

const alerts: Operation[] = [
  { id: 'getDetectionSettings', method: 'get', path: `${org}/detection`, tag: 'alerts', summary: '検知の感度 (detection sensitivity)', ok: { schema: ref('DetectionSettings') } },
  {
    id: 'setDetectionSettings', method: 'patch', path: `${org}/detection`, tag: 'alerts', summary: '検知の感度を変更 (fewer / balanced / more)',
    body: obj({ sensitivity: oneOfValues(['fewer', 'balanced', 'more']) }, { closed: true }), ok: { schema: ref('DetectionSettings') },
  },
  {
    id: 'listAlerts', method: 'get', path: `${org}/alerts`, tag: 'alerts', summary: 'アラートの一覧 (alerts)',
    query: { status: oneOfValues(['open', 'closed']), kind: oneOfValues(['crisis', 'notice']), limit: limit() },
    ok: { schema: itemsOf(ref('Alert')) },
  },
  { id: 'getAlert', method: 'get', path: `${org}/alerts/:alertId`, tag: 'alerts', summary: 'アラートと説明 (an alert and its explanation)', ok: { schema: ref('Alert') } },
];

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

export const operations: Operation[] = [...authOperations, ...platform, ...sources, ...mentions, ...alerts, ...incidents, ...statementOperations, ...oncallOperations, ...postmortemOperations];
