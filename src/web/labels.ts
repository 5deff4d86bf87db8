import type { SourceHealth } from '../collection/sources.ts';
import { severityLevels } from '../detection/describe-alert.ts';
import type { TriageStatus } from '../mentions/queries.ts';

export { eventKindLabels, incidentStatusLabels, taskStatusLabels } from '../incident-record/describe-event.ts';
export { roleLabels } from '../access/permissions.ts';
export { kindLabels as statementKindLabels, statementStatusLabels } from '../statements/lifecycle.ts';

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

/** 「深刻度4・重大」: the number people quote and the word that says what it means. */
export function severityLabel(severity: number): string {
  const level = severityLevels[severity as 1 | 2 | 3 | 4 | 5];
  return level ? `深刻度${severity}・${level.ja}` : `深刻度${severity}`;
}

export const alertKindLabels = { crisis: '炎上の疑い', notice: 'お知らせ' } as const;
export const alertStatusLabels = { open: '継続中', closed: '終了' } as const;

export const sourceHealthLabels: Record<SourceHealth, string> = {
  unknown: '未確認',
  ok: '正常',
  failing: '失敗あり',
  unhealthy: '停止中',
};

export const incidentRoleLabels = { commander: '指揮者', communications: '広報窓口', scribe: '記録係' } as const;

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
