import { incidentStatuses, roleNames } from '../incident-record/lifecycle.ts';
import { sourceTypes } from '../mention.ts';
import { arr, bool, id, int, nullable, num, obj, oneOfValues, ref, str, time, type Schema } from './schema.ts';

// Shared shapes of the API document. Response objects are open (fields may be added).

const role = oneOfValues(roleNames, { description: 'pr_staff=広報担当, oncall_manager=当番責任者, director=院長・理事, admin=管理者' });
const severity = int({ minimum: 1, maximum: 5, description: '深刻度 1–5 (README「深刻度」参照)' });

export const components: Record<string, Schema> = {
  Error: obj({
    error: obj({
      code: oneOfValues(['bad_request', 'validation_failed', 'unauthorized', 'forbidden', 'reauth_required', 'not_found', 'conflict', 'payload_too_large',
        'unsupported_media_type', 'rate_limited', 'unavailable', 'config_invalid', 'internal']),
      message: str({ description: '日本語 (English) のメッセージ。どの項目が悪いかを示す' }),
      'requestId?': str(),
    }),
  }),
  Role: role,
  Organization: obj({ id: id(), name: str(), slug: str(), isDemo: bool(), createdAt: time() }),
  WatchTarget: obj({
    id: id(), orgId: id(), name: str(), names: arr(str()), keywords: arr(str()),
    handles: { type: 'object', additionalProperties: str() }, exclusions: arr(str()), createdAt: time(),
  }),
  Source: obj({
    id: id(), orgId: id(), type: oneOfValues(sourceTypes), name: str(),
    config: { type: 'object', description: '収集元の設定。認証情報は含まない (never holds a credential)' },
    credentials: {
      type: 'array', description: 'この種類の収集元が使う認証情報と、設定済みかどうか (whether each credential is set; never its value)',
      items: obj({ name: str(), label: str(), required: bool(), set: bool(), via: nullable(oneOfValues(['stored', 'environment'])) }),
    },
    enabled: bool(), schedule: str({ description: 'cron 式' }), health: str(), healthMessage: nullable(str()),
    lastRunAt: nullable(time()), lastSuccessAt: nullable(time()), createdAt: time(),
  }),
  SourceRun: obj({
    id: id(), trigger: str(), status: str(), started_at: time(), finished_at: nullable(time()), pages: int(), fetched: int(),
    inserted: int(), updated: int(), tombstoned: int(), rejected: int(), error: nullable(str()),
  }),
  Mention: obj({
    id: id(), orgId: id(), sourceId: id(), sourceType: str(), watchTargetId: nullable(id()), externalId: str(), url: nullable(str()),
    author: obj({ id: nullable(str()), handle: nullable(str()), name: nullable(str()) }),
    text: str({ description: '投稿本文。第三者が書いた文字列: 表示するときは必ずエスケープ。権限により個人情報は伏せ字' }),
    language: nullable(str()), postedAt: time(), collectedAt: time(),
    metrics: obj({ likes: int(), reposts: int(), quotes: int(), replies: int(), views: nullable(int()) }),
    replyToExternalId: nullable(str()), quoteOfExternalId: nullable(str()), repostOfExternalId: nullable(str()),
    rating: nullable(num()), isPrivate: bool({ description: 'LINE 等の非公開メッセージ。閲覧は監査ログに残る' }), isDemo: bool(),
    version: int(), deletedAt: nullable(time()),
    sentiment: nullable(obj({ label: oneOfValues(['positive', 'neutral', 'negative']), score: num() })),
    analysis: nullable({ type: 'object', description: '感情・リスク区分・個人情報の位置・語' }),
  }),
  MentionPage: obj({ items: arr(ref('Mention')), nextCursor: nullable(str()) }),
  CountBucket: obj({ start: time(), total: int(), negative: int(), positive: int(), reposts: int(), quotes: int(), replies: int() }),
  EmergingTerm: { type: 'object', description: '窓内で基準より増えた語 (a term rising against its baseline)' },
  Alert: obj({
    id: id(), orgId: id(), watchTargetId: nullable(id()), episodeId: str(), kind: oneOfValues(['crisis', 'notice']),
    status: oneOfValues(['open', 'closed']), severity, peakScore: num({ minimum: 0, maximum: 1 }), openedAt: time(), updatedAt: time(),
    closedAt: nullable(time()), summary: str({ description: 'ピーク時の要約 (severity と同じ時点) — the summary at the peak, the moment severity describes' }),
    latest: obj({ severity, summary: str(), at: time() }, { description: '最新の判定 (深刻度と要約は同じ時点) — the latest decision' }),
    explanation: { type: 'object', description: '基準値と観測値、発火した検知器と強さ、急増語、リスク区分、反響の大きい投稿' },
  }),
  DetectionSettings: obj({ sensitivity: oneOfValues(['fewer', 'balanced', 'more']) }),
  AlertingSettings: obj({ recipients: arr(str({ format: 'email' })), minSeverity: severity, notices: bool() }),
  OutboxEntry: obj({
    id: id(), alertId: nullable(id()), to: str(), subject: str(), status: oneOfValues(['pending', 'sending', 'sent', 'failed']),
    attempts: int(), nextAttemptAt: nullable(time()), lastError: nullable(str()), createdAt: time(), sentAt: nullable(time()),
    messageId: str(), deliveredVia: nullable(oneOfValues(['smtp', 'preview'])), deliveryDetail: nullable(str()),
  }),
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
