import type { StoredEventKind } from './incident.ts';
import type { IncidentStatus } from './lifecycle.ts';

// The words for an incident's codes and timeline events, in Japanese: one table for the incident
// page, the post-mortem page and its exports, so a status or an event reads the same everywhere
// and never as `triage → active` or `user:4`. Plain text out; each caller escapes for its format.

export const incidentStatusLabels: Record<IncidentStatus, string> = {
  triage: '初動確認中',
  active: '対応中',
  stable: '沈静化',
  resolved: '解決',
  closed: '完了',
  cancelled: '取り消し',
};

export const taskStatusLabels = { open: '未完了', done: '完了', skipped: '省略' } as const;

export const eventKindLabels: Record<StoredEventKind, string> = {
  opened: 'インシデント開始',
  alert_attached: 'アラートを追加',
  alert_updated: 'アラート更新',
  status_changed: '状態の変更',
  severity_changed: '深刻度の変更',
  tasks_added: 'タスク追加',
  task_updated: 'タスク更新',
  roles_changed: '担当の変更',
  note: 'メモ',
  mail_queued: 'メール送信予定',
  mail_sent: 'メール送信',
  mail_failed: 'メール送信失敗',
  acknowledged: '受領確認',
  escalated: 'エスカレーション',
  task_overdue: 'タスク期限切れ',
  statement_drafted: '声明文の作成',
  statement_edited: '声明文の編集',
  statement_checked: '声明文のチェック',
  statement_submitted: '声明文の承認依頼',
  statement_approved: '声明文の承認',
  statement_rejected: '声明文の差し戻し',
  statement_published: '声明文の公開',
  statement_withdrawn: '声明文の取り下げ',
  postmortem_drafted: '振り返りの作成',
  postmortem_edited: '振り返りの編集',
  postmortem_approved: '振り返りの承認',
};

export interface EventWords {
  /** A person by id or by reference ('user:4'); never returns the code. */
  name(idOrRef: unknown): string;
  /** A playbook task by its step key. */
  taskTitle(key: unknown): string;
}

/** Who did it, as people say it: a name, or what kind of actor it was. */
export function actorName(type: string, id: string | null, words: Pick<EventWords, 'name'>): string {
  if (type === 'user') return words.name(id);
  return type === 'system' ? 'システム' : type === 'webhook' ? '外部連携' : type === 'cli' ? 'コマンド' : 'APIトークン';
}

/** An actor stored as 'type:id' (post-mortem facts), as actorName reads it. */
export function actorNameOfRef(ref: string, words: Pick<EventWords, 'name'>): string {
  const i = ref.indexOf(':');
  return actorName(i < 0 ? ref : ref.slice(0, i), i < 0 ? null : ref.slice(i + 1), words);
}

/** What an event says, in a sentence: names for people, labels for codes. */
export function describeEvent(kind: string, data: Record<string, unknown>, words: EventWords): string {
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const status = (v: unknown) => incidentStatusLabels[v as IncidentStatus] ?? str(v);
  switch (kind) {
    case 'opened':
      return `深刻度${str(data.severity)}で開始（${data.how === 'promoted' ? 'アラートから手動で' : data.how === 'auto' ? '自動' : '手動'}）`;
    case 'status_changed': {
      const open = Array.isArray(data.openRequiredTasks)
        ? (data.openRequiredTasks as { title?: unknown }[]).map((t) => `「${str(t?.title)}」`).join('')
        : '';
      return `${data.transition === 'relapse' ? '再燃: ' : ''}${status(data.from)} → ${status(data.to)}${data.reason ? `：${str(data.reason)}` : ''}${open ? `（未完了の必須タスク: ${open}）` : ''}`;
    }
    case 'severity_changed':
      return `深刻度 ${str(data.from)} → ${str(data.to)}${data.reason ? `：${str(data.reason)}` : ''}`;
    case 'note':
      return str(data.text);
    case 'task_updated':
      return `${words.taskTitle(data.stepKey)}：${taskStatusLabels[data.to as keyof typeof taskStatusLabels] ?? str(data.to)}${data.note ? `（${str(data.note)}）` : ''}`;
    case 'tasks_added':
      return Array.isArray(data.stepKeys) ? data.stepKeys.map((k) => words.taskTitle(k)).join('、') : '';
    case 'acknowledged':
      // `by` is 'user:4' or a link's plain address: a person's name, never the code.
      return `${typeof data.by === 'string' && data.by.startsWith('user:') ? words.name(data.by) : '受領リンク'} が受領${data.via === 'link' ? '（メールのリンクから）' : ''}`;
    case 'mail_queued':
    case 'mail_sent':
    case 'mail_failed': {
      const to = Array.isArray(data.to) ? data.to.map(str).join('、') : str(data.to);
      return `${to}${data.error ? `（${str(data.error)}）` : ''}`;
    }
    case 'alert_attached':
    case 'alert_updated':
      return `アラート #${str(data.alertId)}（深刻度${str(data.severity)}）`;
    case 'roles_changed':
      return '指揮者・広報窓口・記録係の割り当てを変更';
    default:
      return typeof data.title === 'string' ? data.title : '';
  }
}
