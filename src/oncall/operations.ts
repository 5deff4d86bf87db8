import type { Operation } from '../openapi/operations.ts';
import { arr, bool, id, int, itemsOf, nullable, obj, oneOfValues, str, time } from '../openapi/schema.ts';

// The OpenAPI operations of src/oncall/routes.ts, listed in src/openapi/operations.ts.

const org = '/organizations/:orgId';
const rotation = obj({
  userIds: arr(id(), { maxItems: 50 }), lengthDays: int({ minimum: 1, maximum: 28, description: '1人あたりの日数 (days per person)' }),
  handoffTime: str({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: '交代時刻 (日本時間)' }),
  startDate: str({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'userIds[0] が startDate の交代時刻から担当 (日本時間)' }),
}, { closed: true });
const scheduleBody = obj({ name: str({ maxLength: 100 }), rotation, 'restDayRotation?': nullable(rotation) }, { closed: true });
const schedule = obj({ id: id(), name: str(), rotation, restDayRotation: nullable(rotation) });
const target = {
  oneOf: [
    obj({ type: oneOfValues(['schedule']), scheduleId: id() }, { closed: true }),
    obj({ type: oneOfValues(['user']), userId: id() }, { closed: true }),
    obj({ type: oneOfValues(['address']), address: str({ format: 'email' }) }, { closed: true }),
  ],
};
const policy = obj({
  levels: arr(obj({ timeoutMinutes: int({ minimum: 1, maximum: 1440 }), targets: arr(target, { maxItems: 20 }) }, { closed: true }), { maxItems: 10 }),
  'repeat?': int({ minimum: 1, maximum: 10, description: '全段階を繰り返す回数 (rounds)' }),
}, { closed: true });

export const oncallOperations: Operation[] = [
  { id: 'listSchedules', method: 'get', path: `${org}/oncall/schedules`, tag: 'oncall', summary: 'オンコール当番表の一覧 (on-call schedules)', ok: { schema: itemsOf(schedule) } },
  {
    id: 'createSchedule', method: 'post', path: `${org}/oncall/schedules`, tag: 'oncall',
    summary: '当番表を作成: 交代制と、土日祝の交代制 (a rotation, and one for weekends and Japanese holidays)',
    body: scheduleBody, ok: { status: 201, schema: schedule },
  },
  { id: 'updateSchedule', method: 'put', path: `${org}/oncall/schedules/:scheduleId`, tag: 'oncall', summary: '当番表を変更 (replace a schedule)', body: scheduleBody, ok: { schema: schedule } },
  {
    id: 'addOverride', method: 'post', path: `${org}/oncall/schedules/:scheduleId/overrides`, tag: 'oncall', summary: '代理 (an override: someone covers from–to)',
    body: obj({ userId: id(), startsAt: time(), endsAt: time() }, { closed: true }),
    ok: { status: 201, schema: obj({ id: id(), scheduleId: id(), userId: id(), startsAt: time(), endsAt: time() }) },
  },
  {
    id: 'whoIsOnCall', method: 'get', path: `${org}/oncall/schedules/:scheduleId/on-call`, tag: 'oncall', summary: '今（または at の時刻に）誰が当番か (who is on call)',
    query: { at: time() },
    ok: { schema: obj({ at: time(), onCall: nullable(obj({ userId: id(), source: oneOfValues(['override', 'rotation', 'rest_day_rotation']), day: str(), user: nullable(obj({ id: id(), name: str(), email: str() })) })) }) },
  },
  { id: 'getEscalationPolicy', method: 'get', path: `${org}/escalation-policy`, tag: 'oncall', summary: 'エスカレーション方針 (null: 通知先設定の全員が第1段階)', ok: { schema: obj({ policy: nullable(policy) }) } },
  { id: 'putEscalationPolicy', method: 'put', path: `${org}/escalation-policy`, tag: 'oncall', summary: 'エスカレーション方針を設定 (levels with timeouts, repeated)', body: policy, ok: { schema: policy } },
  {
    id: 'acknowledgeIncident', method: 'post', path: `${org}/incidents/:incidentId/acknowledge`, tag: 'oncall', summary: '受領確認: エスカレーションを止める (acknowledge)',
    ok: { schema: obj({ orgId: id(), incidentId: id(), acknowledgedAt: time(), first: bool(), by: str() }) },
  },
  {
    id: 'assignTask', method: 'put', path: `${org}/incidents/:incidentId/tasks/:taskId/assignee`, tag: 'oncall', summary: 'タスクの担当者 (期限超過メールの宛先)',
    body: obj({ assigneeId: nullable(id()) }, { closed: true }), ok: { schema: obj({ taskId: id(), assigneeId: nullable(id()) }) },
  },
];
