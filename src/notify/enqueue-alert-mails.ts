import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { formatJst } from '../display.ts';
import { logger } from '../logger.ts';
import { composeAlertMail } from './compose-alert-mail.ts';
import { messageIdFor, OUTBOX_CHANNEL } from './outbox-identity.ts';
import { asRecipients, enqueueIncidentMails, pagedRecipients, severityTold, type IncidentMailConfig } from './enqueue-incident-mails.ts';
import { alertingSettingsOf, type AlertingSettings } from './recipients.ts';

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
  /** The event reopened its resolved incident: news even at a severity already told. */
  relapse?: boolean;
}

export interface MailEnqueueConfig {
  from: string;
  publicUrl: string;
  /** This installation's random id (installation.ts): part of every Message-ID. */
  installationId: string;
  /** With it, mail about an alert that belongs to an incident is threaded and carries ack links. */
  incident?: IncidentMailConfig;
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

/**
 * Writes one outbox row per recipient, inside the caller's transaction (the one that stores the
 * alert event), so the mail exists if and only if the event does. Sends nothing.
 *
 * Grouping (issue 6 item 6): an alert attached to an incident is news about that incident. Its
 * mails go in the incident's thread (In-Reply-To/References its first mail) with ack links, and
 * when the incident is under an escalation policy they go only to the people already paged for
 * it — an update never pages the whole policy again. Without a policy the static recipients are
 * the one level, so they are the paged people.
 */
export async function enqueueAlertMails(tx: Tx, config: MailEnqueueConfig, event: AlertMailEvent): Promise<number> {
  const [org] = await tx<
    Pick<Row<'organizations'>, 'name' | 'settings'>[]
  >`select name, settings from organizations where id = ${event.orgId}`;
  if (!org) return 0;
  const settings = alertingSettingsOf(org.settings);
  const [link] = config.incident
    ? await tx<{ incident_id: string; escalation: string | null; acknowledged: boolean }[]>`
      select ia.incident_id, e.status as escalation, i.acknowledged_at is not null as acknowledged
      from incident_alerts ia join incidents i on i.org_id = ia.org_id and i.id = ia.incident_id
      left join incident_escalations e on e.org_id = ia.org_id and e.incident_id = ia.incident_id
      where ia.org_id = ${event.orgId} and ia.alert_id = ${event.alertId}`
    : [];
  // Grouping: about an incident, an alert is news only when it states a higher severity than the
  // incident's mails so far. Another series joining at the same level (the org-wide count and a
  // watch target's count rising in the same bucket) is on the timeline, not in another mail.
  if (link && config.incident && !event.relapse) {
    const told = await severityTold(tx, event.orgId, link.incident_id);
    if (told !== null && event.severity <= told) return 0;
  }
  // A muted watch target's notices are not mailed; a suspected 炎上 is, saying the target is muted.
  const target = await targetOf(tx, event);
  if (target?.mutedUntil && event.kind === 'notice') {
    logger.info({ orgId: event.orgId, alertId: event.alertId, mutedUntil: target.mutedUntil }, 'muted watch target: notice not mailed');
    return 0;
  }
  const targetName = target?.name ?? null;
  const mutedNote = target?.mutedUntil
    ? `※ この監視対象はお知らせをミュート中です（${formatJst(target.mutedUntil)} まで・理由: ${target.muteReason}）。炎上の疑いのため通知しています。`
    : null;
  if (link?.escalation && config.incident && (event.kind === 'notice' ? settings.notices : event.severity >= settings.minSeverity)) {
    const mail = (ackUrl: string | null) =>
      composeAlertMail({
        orgId: event.orgId,
        orgName: org.name,
        targetName,
        alertId: event.alertId,
        action: event.action === 'open' ? 'open' : 'escalate',
        kind: event.kind,
        severity: event.severity,
        summary: event.summary,
        explanation: event.explanation,
        at: event.at,
        dashboardUrl: config.publicUrl,
        incidentId: link.incident_id,
        ackUrl,
        note: ['【続報】対応中のインシデントに関する更新です。', mutedNote].filter(Boolean).join('\n'),
      });
    const sent = await enqueueIncidentMails(tx, config.incident, {
      orgId: event.orgId,
      incidentId: link.incident_id,
      alertId: event.alertId,
      alertEventId: event.alertEventId,
      recipients: await pagedRecipients(tx, event.orgId, link.incident_id),
      dedupePrefix: dedupeKeyFor(event, '').replace(/:to:$/, ''),
      withAck: !link.acknowledged,
      compose: mail,
      purpose: { purpose: 'alert_update', alertId: event.alertId, action: event.action, severity: event.severity },
      severity: event.severity,
    });
    return sent.length;
  }
  if (!shouldMail(event, settings)) {
    if (settings.recipients.length === 0 && event.kind === 'crisis' && event.severity >= settings.minSeverity) {
      logger.warn(
        { orgId: event.orgId, alertId: event.alertId },
        '通知先が未設定のためアラートメールを送りません (no alert recipients configured)',
      );
    }
    return 0;
  }
  // An alert that opened below the threshold and escalated past it is news to the recipients:
  // "深刻度が上がりました" only when they were mailed about it before.
  const [before] = await tx`select 1 from mail_outbox where org_id = ${event.orgId} and alert_id = ${event.alertId} limit 1`;
  const input = {
    orgId: event.orgId,
    orgName: org.name,
    targetName,
    alertId: event.alertId,
    action: before ? event.action : 'open',
    kind: event.kind,
    severity: event.severity,
    summary: event.summary,
    explanation: event.explanation,
    at: event.at,
    dashboardUrl: config.publicUrl,
    incidentId: link?.incident_id ?? null,
    note: mutedNote,
  };
  if (link && config.incident) {
    // No policy: the static recipients are the single level, paged with ack links in the incident's thread.
    const sent = await enqueueIncidentMails(tx, config.incident, {
      orgId: event.orgId,
      incidentId: link.incident_id,
      alertId: event.alertId,
      alertEventId: event.alertEventId,
      recipients: await asRecipients(tx, event.orgId, settings.recipients),
      dedupePrefix: dedupeKeyFor(event, '').replace(/:to:$/, ''),
      withAck: !link.acknowledged,
      compose: (ackUrl) => composeAlertMail({ ...input, ackUrl }),
      purpose: { purpose: 'alert', alertId: event.alertId, action: event.action, severity: event.severity },
      severity: event.severity,
    });
    return sent.length;
  }
  const mail = composeAlertMail(input);
  const rows = settings.recipients.map((to) => {
    const dedupeKey = dedupeKeyFor(event, to);
    return {
      org_id: event.orgId,
      dedupe_key: dedupeKey,
      alert_id: event.alertId,
      alert_event_id: event.alertEventId,
      to_address: to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      message_id: messageIdFor(config.installationId, event.orgId, dedupeKey, config.from),
    };
  });
  const inserted = await tx`
    insert into mail_outbox ${tx(rows, 'org_id', 'dedupe_key', 'alert_id', 'alert_event_id', 'to_address', 'subject', 'text_body', 'html_body', 'message_id')}
    on conflict (org_id, dedupe_key) do nothing
    returning id`;
  if (inserted.length > 0) await tx`select pg_notify(${OUTBOX_CHANNEL}, ${event.orgId})`;
  return inserted.length;
}

/** The event's watch target: its name, and its mute while it lasts (now() is the transaction's time). */
async function targetOf(tx: Tx, event: Pick<AlertMailEvent, 'orgId' | 'watchTargetId'>) {
  if (event.watchTargetId === null) return null;
  const [t] = await tx<{ name: string; muted_until: Date | null; mute_reason: string | null }[]>`
    select name, case when muted_until > now() then muted_until end as muted_until, mute_reason
    from watch_targets where org_id = ${event.orgId} and id = ${event.watchTargetId}`;
  return t ? { name: t.name, mutedUntil: t.muted_until, muteReason: t.mute_reason } : null;
}
