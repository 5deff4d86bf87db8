import type { Role } from '../access/permissions.ts';
import type { SourceHealth } from '../collection/sources.ts';
import { severityLevels } from '../detection/describe-alert.ts';
import type { StoredEventKind } from '../incident-record/incident.ts';
import type { IncidentStatus } from '../incident-record/lifecycle.ts';
import type { TaskStatus } from '../incidents/queries.ts';
import type { TriageStatus } from '../mentions/queries.ts';

// Every code a page shows, in Japanese (one place, so a page never prints `triage` or `user:4`).
// Times and escaping: src/display.ts.

export const sentimentLabels = { positive: 'ポジティブ', neutral: 'ニュートラル', negative: 'ネガティブ' } as const;

export const sourceLabels: Record<string, string> = {
  demo: 'デモ',
  x: 'X',
  facebook: 'Facebook',
  instagram: 'Instagram',
  line: 'LINE',
  google_reviews: 'Googleクチコミ',
  youtube: 'YouTube',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  rss: 'RSS',
  import: '取り込み',
};

export const roleLabels: Record<Role, string> = {
  pr_staff: '広報担当',
  oncall_manager: '当番責任者',
  director: '院長・理事',
  admin: '管理者',
};

export const incidentStatusLabels: Record<IncidentStatus, string> = {
  triage: '初動確認中',
  active: '対応中',
  stable: '沈静化',
  resolved: '解決',
  closed: '完了',
  cancelled: '取り消し',
};

/** 「深刻度4・重大」: the number people quote and the word that says what it means. */
export function severityLabel(severity: number): string {
  const level = severityLevels[severity as 1 | 2 | 3 | 4 | 5];
  return level ? `深刻度${severity}・${level.ja}` : `深刻度${severity}`;
}

export const alertKindLabels = { crisis: '炎上の疑い', notice: 'お知らせ' } as const;
export const alertStatusLabels = { open: '継続中', closed: '終了' } as const;

export const taskStatusLabels: Record<TaskStatus, string> = {
  open: '未完了',
  done: '完了',
  skipped: '省略',
};

export const sourceHealthLabels: Record<SourceHealth, string> = {
  unknown: '未確認',
  ok: '正常',
  failing: '失敗あり',
  unhealthy: '停止中',
};

export const incidentRoleLabels = { commander: '指揮者', communications: '広報窓口', scribe: '記録係' } as const;

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

export const triageLabels: Record<TriageStatus, string> = {
  open: '未対応',
  needs_reply: '要返信',
  handled: '対応済み',
  ignored: '対応不要',
};

export const tombstoneReasonLabels = {
  deleted: '投稿者またはプラットフォームが削除',
  unsent: '送信者が送信を取り消し',
  hidden: '非表示にされた',
  unavailable: '閲覧できなくなった',
} as const;
