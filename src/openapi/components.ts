import { incidentStatuses, roleNames } from '../incident-record/lifecycle.ts';
import { arr, bool, id, int, nullable, obj, oneOfValues, ref, str, time, type Schema } from './schema.ts';

// Shared shapes of the hand-written part of the API document (features not yet declared with
// defineRoute; the others' shapes are zod schemas beside their routes, and the Error body is
// src/http/schemas.ts's ErrorBody). Response objects are open (fields may be added).

const role = oneOfValues(roleNames, { description: 'pr_staff=広報担当, oncall_manager=当番責任者, director=院長・理事, admin=管理者' });
const severity = int({ minimum: 1, maximum: 5, description: '深刻度 1–5 (README「深刻度」参照)' });

export const components: Record<string, Schema> = {
  Role: role,
  Incident: obj({
    id: id(), orgId: id(), title: str(), status: oneOfValues(incidentStatuses), severity, riskCategories: arr(str()), playbookVersion: int(),
    roles: { type: 'object', description: '指揮者 (commander)・広報責任者 (communicationsLead)・記録係 (scribe)' },
    detectedAt: time(), acknowledgedAt: nullable(time()), firstResponseAt: nullable(time({ description: '最初の公式見解の公開' })),
    mitigatedAt: nullable(time()), resolvedAt: nullable(time()), closedAt: nullable(time()), createdAt: time(), updatedAt: time(),
  }),
  Task: obj({
    id: id(), incidentId: id(), stepKey: str(), title: str(), ownerRole: role, dueAt: time(), checklist: arr(str()),
    status: oneOfValues(['open', 'done', 'skipped']), assigneeId: nullable(id('担当者 (user id); 当番責任者の手順は作成時の当番に割り当て')), doneBy: nullable(str()), doneAt: nullable(time()),
  }),
  TimelineEvent: obj({ id: id(), at: time(), kind: str(), actorType: str(), actorId: nullable(str()), data: { type: 'object' } }),
  IncidentDetail: {
    allOf: [ref('Incident'), obj({
      alerts: arr(obj({ id: id(), kind: str(), severity, status: str(), openedAt: time(), summary: str(), attachedAt: time() })),
      tasks: arr(ref('Task')),
      timeline: arr(ref('TimelineEvent')),
    })],
  },
  PlaybookStep: obj({
    key: str({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 60 }), title: str({ maxLength: 200 }), ownerRole: role,
    dueOffsetMinutes: int({ minimum: 0, maximum: 129600, description: '検知からの期限 (分)' }), 'checklist?': arr(str({ maxLength: 500 }), { maxItems: 30 }),
    'when?': obj({ 'minSeverity?': severity, 'riskCategories?': arr(str()) }),
    'required?': bool({ description: '解決前に完了か省略が必要 (must be done or skipped before resolving; default true)' }),
  }, { closed: true }),
  Playbook: obj({ version: int({ description: '0 は同梱の既定版' }), steps: arr(ref('PlaybookStep')) }),
};
