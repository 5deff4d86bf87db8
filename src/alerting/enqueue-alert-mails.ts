import { createHash } from 'node:crypto';
import type { Tx } from '../db/connect.ts';
import { logger } from '../logger.ts';
import { composeAlertMail } from './compose-alert-mail.ts';
import { alertingSettingsOf, type AlertingSettings } from './settings.ts';

/** postgres NOTIFY channel: delivered on commit, wakes every mailer instance. */
export const OUTBOX_CHANNEL = 'hinoko_mail_outbox';

export interface AlertMailEvent {
  orgId: string;
  watchTargetId: string | null;
  alertId: string;
  alertEventId: string;
  action: string;
  kind: string;
  severity: number;
  summary: string;
  explanation: unknown;
  /** Start of the bucket that raised the event: part of the dedupe key, so it must be deterministic. */
  at: Date;
}

export interface MailEnqueueConfig {
  from: string;
  publicUrl: string;
}

/** Whether an event that asked to notify is mailed under these settings. */
export function shouldMail(event: Pick<AlertMailEvent, 'kind' | 'severity'>, settings: AlertingSettings): boolean {
  if (settings.recipients.length === 0) return false;
  if (event.kind === 'notice') return settings.notices;
  return event.severity >= settings.minSeverity;
}

/**
 * Stable per alert, action, severity, bucket and recipient — not per event row, because a
 * re-run of detection over the same bucket would write a new event row for the same news.
 */
export function dedupeKeyFor(event: Pick<AlertMailEvent, 'alertId' | 'action' | 'severity' | 'at'>, recipient: string): string {
  return `alert:${event.alertId}:${event.action}:s${event.severity}:${event.at.toISOString()}:to:${recipient.toLowerCase()}`;
}

/** <hash of org + dedupe key @ the sender's domain>: the same mail always carries the same id. */
export function messageIdFor(orgId: string, dedupeKey: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'hinoko.invalid';
  const hash = createHash('sha256').update(`${orgId}\n${dedupeKey}`).digest('hex').slice(0, 32);
  return `<alert.${hash}@${domain}>`;
}

/**
 * Writes one outbox row per recipient, inside the caller's transaction (the one that stores the
 * alert event), so the mail exists if and only if the event does. Sends nothing.
 */
export async function enqueueAlertMails(tx: Tx, config: MailEnqueueConfig, event: AlertMailEvent): Promise<number> {
  const [org] = await tx<{ name: string; settings: unknown }[]>`select name, settings from organizations where id = ${event.orgId}`;
  if (!org) return 0;
  const settings = alertingSettingsOf(org.settings);
  if (!shouldMail(event, settings)) {
    if (settings.recipients.length === 0 && event.kind === 'crisis' && event.severity >= settings.minSeverity) {
      logger.warn({ orgId: event.orgId, alertId: event.alertId }, '通知先が未設定のためアラートメールを送りません (no alert recipients configured)');
    }
    return 0;
  }
  let targetName: string | null = null;
  if (event.watchTargetId !== null) {
    const [t] = await tx<{ name: string }[]>`select name from watch_targets where org_id = ${event.orgId} and id = ${event.watchTargetId}`;
    targetName = t?.name ?? null;
  }
  // An alert that opened below the threshold and escalated past it is news to the recipients:
  // "深刻度が上がりました" only when they were mailed about it before.
  const [before] = await tx`select 1 from mail_outbox where org_id = ${event.orgId} and alert_id = ${event.alertId} limit 1`;
  const mail = composeAlertMail({
    orgId: event.orgId, orgName: org.name, targetName, alertId: event.alertId, action: before ? event.action : 'open', kind: event.kind,
    severity: event.severity, summary: event.summary, explanation: event.explanation, at: event.at, dashboardUrl: config.publicUrl,
  });
  const rows = settings.recipients.map((to) => {
    const dedupeKey = dedupeKeyFor(event, to);
    return {
      org_id: event.orgId, dedupe_key: dedupeKey, alert_id: event.alertId, alert_event_id: event.alertEventId, to_address: to,
      subject: mail.subject, text_body: mail.text, html_body: mail.html, message_id: messageIdFor(event.orgId, dedupeKey, config.from),
    };
  });
  const inserted = await tx`
    insert into mail_outbox ${tx(rows, 'org_id', 'dedupe_key', 'alert_id', 'alert_event_id', 'to_address', 'subject', 'text_body', 'html_body', 'message_id')}
    on conflict (org_id, dedupe_key) do nothing
    returning id`;
  if (inserted.length > 0) await tx`select pg_notify(${OUTBOX_CHANNEL}, ${event.orgId})`;
  return inserted.length;
}
