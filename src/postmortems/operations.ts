import type { Operation } from '../openapi/operations.ts';
import { arr, id, int, nullable, obj, oneOfValues, str, time } from '../openapi/schema.ts';
import { roleNames } from '../incident-record/lifecycle.ts';
import { metricNames } from './metrics.ts';

// The OpenAPI operations of src/postmortems/routes.ts, listed in src/openapi/operations.ts.

const org = '/organizations/:orgId';
const pm = `${org}/incidents/:incidentId/postmortem`;
const conflict = { 409: '版が古い・承認済み (conflict: stale version, or the post-mortem is approved and final)' };
const version = int({ minimum: 1, description: '読んだ版 (the version you read)' });
const metrics = obj(Object.fromEntries(metricNames.map((n) => [n, nullable(int({ description: 'ミリ秒。該当する出来事がなければ null (ms; null when it did not happen)' }))])));

const actionItem = obj({
  taskId: id(), key: str({ pattern: '^action:[0-9]+$' }), title: str(), ownerRole: oneOfValues(roleNames), assigneeId: nullable(id()), assigneeName: nullable(str()),
  dueAt: time(), status: oneOfValues(['open', 'done', 'skipped']), doneAt: nullable(time()),
});
const postmortem = obj({
  incidentId: id(), orgId: id(), status: oneOfValues(['draft', 'approved']), version: int({ minimum: 1 }),
  summary: str(), wentWell: str(), wentBadly: str(), editedFields: arr(oneOfValues(['summary', 'wentWell', 'wentBadly'])),
  facts: obj({
    generatedAt: time(), incident: { type: 'object' }, alerts: arr({ type: 'object' }),
    episode: obj({ start: time(), firstAlertAt: time(), firstNegativeAt: nullable(time()), end: time(), dataEnd: time(), bucketMinutes: int() }),
    baseline: { type: 'object', description: '平常時 (最初のアラートの48時間前までの7日間) の投稿数・否定割合と帯の幅 (z)' },
    impact: { type: 'object', description: '投稿数・否定割合・投稿者数・反応数 (reach)・1時間あたりのピーク・期間' },
    recovery: obj({ peakAt: nullable(time()), peakNegative: int(), recoveredAt: nullable(time()) }),
    metrics, deadlines: arr({ type: 'object' }), timeline: arr({ type: 'object' }), statements: arr({ type: 'object' }), keyPosts: arr({ type: 'object' }),
    'resolvedOverOpenTasks?': arr(obj({ at: time(), actor: str(), reason: str(), tasks: arr(str()) }), { description: '未完了の必須タスクを残した解決と理由 (resolutions over open required tasks)' }),
    'relapses?': arr(obj({ at: time(), alertId: id(), severity: nullable(int()) }), { description: '解決後の再燃 (relapses after resolution)' }),
  }),
  actionItems: arr(actionItem),
  generatedAt: time(), createdAt: time(), updatedAt: time(), updatedBy: nullable(str()),
  approvedBy: nullable(str()), approvedAt: nullable(time()), approvedVersion: nullable(int()),
});
const range = { from: time({ description: '既定: to の1年前' }), to: time({ description: '既定: 現在' }) };

export const postmortemOperations: Operation[] = [
  { id: 'getPostmortem', method: 'get', path: pm, tag: 'postmortems', summary: 'ポストモーテム (解決時に自動作成される下書き・承認済み)', ok: { schema: postmortem } },
  {
    id: 'editPostmortem', method: 'patch', path: pm, tag: 'postmortems',
    summary: '編集 (概要・良かった点・課題とアクション項目。読んだ版を指定、古ければ 409)',
    body: obj({
      version, 'summary?': str({ maxLength: 20000 }), 'wentWell?': str({ maxLength: 20000 }), 'wentBadly?': str({ maxLength: 20000 }),
      'actionItems?': arr(obj({
        'key?': str({ pattern: '^action:[1-9][0-9]{0,3}$' }), title: str({ maxLength: 300 }), ownerRole: oneOfValues(roleNames),
        'assigneeId?': nullable(id()), 'dueAt?': nullable(time()),
      }, { closed: true }), { maxItems: 50, description: '全件: 省いた未完了の項目は skipped になる' }),
    }, { closed: true }),
    ok: { schema: postmortem }, errors: conflict,
  },
  {
    id: 'regeneratePostmortem', method: 'post', path: `${pm}/regenerate`, tag: 'postmortems',
    summary: '事実を再集計 (編集した文章はそのまま)', ok: { schema: postmortem }, errors: conflict,
  },
  {
    id: 'approvePostmortem', method: 'post', path: `${pm}/approve`, tag: 'postmortems', summary: '承認 (院長・管理者。読んだ版を指定)',
    body: obj({ version }, { closed: true }), ok: { schema: postmortem }, errors: conflict,
  },
  {
    id: 'getPostmortemMarkdown', method: 'get', path: `${pm}.md`, tag: 'postmortems', summary: 'Markdown で出力 (JST)',
    ok: { contentType: 'text/markdown', schema: str() },
  },
  {
    id: 'getPostmortemHtml', method: 'get', path: `${pm}.html`, tag: 'postmortems', summary: '印刷用 HTML (JST、外部資源なし)',
    ok: { contentType: 'text/html', schema: str() },
  },
  {
    id: 'getIncidentReport', method: 'get', path: `${org}/reports/incidents`, tag: 'postmortems',
    summary: '組織の報告: 月別 (JST) のインシデント数と指標の中央値', query: range,
    ok: {
      schema: obj({
        from: time(), to: time(), timeZone: str(),
        months: arr(obj({ month: str({ pattern: '^[0-9]{4}-[0-9]{2}$' }), incidents: int(), medians: metrics })),
        incidents: arr(obj({ id: id(), title: str(), severity: int(), status: str(), detectedAt: time(), postmortem: oneOfValues(['none', 'draft', 'approved']), metrics })),
      }),
    },
  },
  {
    id: 'getIncidentReportHtml', method: 'get', path: `${org}/reports/incidents.html`, tag: 'postmortems', summary: '組織の報告 (印刷用 HTML)', query: range,
    ok: { contentType: 'text/html', schema: str() },
  },
];
