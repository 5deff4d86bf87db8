import { recordAudit, systemActor } from '../audit/record.ts';
import type { Sql } from '../db/connect.ts';
import type { Narrowed, Row } from '../db/schema.ts';

// Every mail that went out (or was given up on) is a system action on the audit log. Recording it
// in the transaction that marks the row sent would make delivery wait on the org's audit chain,
// which detection holds while it writes; so delivered rows are audited by this sweep instead, in
// order, exactly once (the row's audited_at flips in the transaction that appends its audit row).

/** A mail the sweep audits: only finished ones (the where clause), stamped with when they finished. */
type FinishedMail = Narrowed<
  Pick<
    Row<'mail_outbox'>,
    | 'id'
    | 'status'
    | 'to_address'
    | 'subject'
    | 'message_id'
    | 'alert_id'
    | 'incident_id'
    | 'delivered_via'
    | 'delivery_detail'
    | 'last_error'
    | 'attempts'
  >,
  { status: 'sent' | 'failed' }
> & { at: Date };

const BATCH = 200;

/** Audits delivered and failed mails not yet on the log. Returns how many rows it recorded. */
export async function auditDeliveries(sql: Sql): Promise<number> {
  let recorded = 0;
  for (;;) {
    const orgs = await sql<Pick<Row<'mail_outbox'>, 'org_id'>[]>`
      select distinct org_id from mail_outbox where audited_at is null and status in ('sent', 'failed') limit 50`;
    if (orgs.length === 0) return recorded;
    let progress = 0;
    for (const { org_id: orgId } of orgs) {
      progress += await sql.begin(async (tx) => {
        // Several mailers may sweep at once: each row is taken by one of them.
        const rows = await tx<FinishedMail[]>`
          select id, status, to_address, subject, message_id, alert_id, incident_id, delivered_via, delivery_detail, last_error, attempts,
            coalesce(sent_at, clock_timestamp()) as at
          from mail_outbox where org_id = ${orgId} and audited_at is null and status in ('sent', 'failed')
          order by id limit ${BATCH} for update skip locked`;
        for (const r of rows) {
          await recordAudit(
            tx,
            systemActor,
            {
              orgId,
              action: r.status === 'sent' ? 'mail.sent' : 'mail.failed',
              targetType: 'mail_outbox',
              targetId: r.id,
              after: {
                to: r.to_address,
                subject: r.subject,
                messageId: r.message_id,
                alertId: r.alert_id,
                incidentId: r.incident_id,
                attempts: r.attempts,
                ...(r.status === 'sent' ? { via: r.delivered_via, detail: r.delivery_detail } : { error: r.last_error }),
              },
            },
            r.at,
          );
        }
        if (rows.length > 0)
          await tx`update mail_outbox set audited_at = clock_timestamp() where org_id = ${orgId} and id in ${tx(rows.map((r) => r.id))}`;
        return rows.length;
      });
    }
    recorded += progress;
    if (progress === 0) return recorded;
  }
}
