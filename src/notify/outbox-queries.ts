import type { Sql } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';

export type OutboxStatus = Row<'mail_outbox'>['status'];
export const outboxStatuses = ['pending', 'sending', 'sent', 'failed'] as const;

export interface OutboxEntry {
  id: string;
  alertId: string | null;
  to: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  messageId: string;
  deliveredVia: 'smtp' | 'preview' | null;
  /** The SMTP server's reply, or the .eml file name in <data dir>/mail-preview. */
  deliveryDetail: string | null;
}

type OutboxListRow = Pick<
  Row<'mail_outbox'>,
  | 'id'
  | 'alert_id'
  | 'to_address'
  | 'subject'
  | 'status'
  | 'attempts'
  | 'next_attempt_at'
  | 'last_error'
  | 'created_at'
  | 'sent_at'
  | 'message_id'
  | 'delivered_via'
  | 'delivery_detail'
>;

/** The org's mails, newest first: what went out, what waits, what failed and why. */
export async function listOutbox(
  sql: Sql,
  f: { orgId: string; status?: OutboxStatus; alertId?: string; limit?: number },
): Promise<OutboxEntry[]> {
  const rows = await sql<OutboxListRow[]>`
    select id, alert_id, to_address, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at, message_id,
      delivered_via, delivery_detail
    from mail_outbox
    where org_id = ${f.orgId}
      ${f.status ? sql`and status = ${f.status}` : sql``}
      ${f.alertId ? sql`and alert_id = ${f.alertId}` : sql``}
    order by created_at desc, id desc
    limit ${Math.min(Math.max(f.limit ?? 50, 1), 200)}`;
  return rows.map((r) => ({
    id: r.id,
    alertId: r.alert_id,
    to: r.to_address,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' || r.status === 'sending' ? r.next_attempt_at : null,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    messageId: r.message_id,
    deliveredVia: r.delivered_via,
    deliveryDetail: r.delivery_detail,
  }));
}
