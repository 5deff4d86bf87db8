import { systemActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { newNonce, signAckToken } from './ack-token.ts';
import type { Recipient } from './recipients.ts';
import { appendEvent } from '../incident-record/incident.ts';
import type { ComposedMail } from './compose-alert-mail.ts';
import { messageIdFor, OUTBOX_CHANNEL } from './outbox-identity.ts';

// Mail about an incident: one outbox row per recipient, each with its own single-use
// acknowledgement link, all in one thread (In-Reply-To/References the incident's first mail),
// and a 'mail_queued' row on the timeline — inside the caller's transaction.

export interface IncidentMailConfig {
  from: string;
  publicUrl: string;
  /** This installation's random id (installation.ts): part of every Message-ID. */
  installationId: string;
  /** Signs acknowledgement links (ServerKeys.ackLinks: from the server secret, never the database). */
  ackKey: Buffer;
  ackLinkTtlMs: number;
  now: Date;
}

export interface IncidentMailRequest {
  orgId: string;
  incidentId: string;
  alertId?: string | null;
  alertEventId?: string | null;
  recipients: Recipient[];
  /** Stable per "news": the recipient's address is appended. */
  dedupePrefix: string;
  /** The severity the mail states (pages and alert mails); null for mail that states none (overdue tasks). */
  severity: number | null;
  /** Give the recipient an acknowledgement link (not once the incident is acknowledged). */
  withAck: boolean;
  compose(ackUrl: string | null): ComposedMail;
  /** Why this mail, for the timeline: 'page' (level n), 'alert_update', 'task_overdue', 'alert'. */
  purpose: Record<string, unknown>;
}

export function recipientKey(r: Recipient): string {
  return r.userId !== null ? `user:${r.userId}` : `address:${r.address.toLowerCase()}`;
}

export async function threadRootOf(tx: Tx, orgId: string, incidentId: string): Promise<string | null> {
  const [row] = await tx<Pick<Row<'mail_outbox'>, 'message_id'>[]>`
    select message_id from mail_outbox where org_id = ${orgId} and incident_id = ${incidentId} order by id limit 1`;
  return row?.message_id ?? null;
}

/** Queues the mails not queued before (dedupe key); returns the addresses queued now. */
export async function enqueueIncidentMails(tx: Tx, config: IncidentMailConfig, req: IncidentMailRequest): Promise<string[]> {
  if (req.recipients.length === 0) return [];
  const keyed = req.recipients.map((r) => ({ r, dedupeKey: `${req.dedupePrefix}:to:${r.address.toLowerCase()}` }));
  const existing = new Set(
    (
      await tx<Pick<Row<'mail_outbox'>, 'dedupe_key'>[]>`
    select dedupe_key from mail_outbox where org_id = ${req.orgId} and dedupe_key in ${tx(keyed.map((k) => k.dedupeKey))}`
    ).map((r) => r.dedupe_key),
  );
  const fresh = keyed.filter((k) => !existing.has(k.dedupeKey));
  if (fresh.length === 0) return [];
  // The incident's first mail is the thread's root; in the very first batch, its first row.
  const root =
    (await threadRootOf(tx, req.orgId, req.incidentId)) ?? messageIdFor(config.installationId, req.orgId, fresh[0]!.dedupeKey, config.from);
  const key = req.withAck ? config.ackKey : null;
  const base = config.publicUrl.replace(/\/+$/, '');
  const rows = [];
  for (const { r, dedupeKey } of fresh) {
    let ackUrl: string | null = null;
    if (key) {
      const nonce = newNonce();
      const expiresAt = new Date(config.now.getTime() + config.ackLinkTtlMs);
      await tx`
        insert into ack_links (nonce, org_id, incident_id, recipient, expires_at, created_at)
        values (${nonce}, ${req.orgId}, ${req.incidentId}, ${recipientKey(r)}, ${expiresAt}, ${config.now})`;
      ackUrl = `${base}/ack/${signAckToken(key, { orgId: req.orgId, incidentId: req.incidentId, nonce, expiresAt })}`;
    }
    const mail = req.compose(ackUrl);
    const messageId = messageIdFor(config.installationId, req.orgId, dedupeKey, config.from);
    rows.push({
      org_id: req.orgId,
      dedupe_key: dedupeKey,
      alert_id: req.alertId ?? null,
      alert_event_id: req.alertEventId ?? null,
      incident_id: req.incidentId,
      severity: req.severity,
      thread_root: messageId === root ? null : root,
      to_address: r.address,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      message_id: messageId,
    });
  }
  const inserted = await tx<Pick<Row<'mail_outbox'>, 'id' | 'to_address'>[]>`
    insert into mail_outbox ${tx(rows)}
    on conflict (org_id, dedupe_key) do nothing
    returning id, to_address`;
  if (inserted.length === 0) return [];
  await appendEvent(tx, {
    orgId: req.orgId,
    incidentId: req.incidentId,
    at: config.now,
    kind: 'mail_queued',
    actor: systemActor,
    data: { ...req.purpose, to: inserted.map((r) => r.to_address), outboxIds: inserted.map((r) => r.id) },
  });
  await tx`select pg_notify(${OUTBOX_CHANNEL}, ${req.orgId})`;
  return inserted.map((r) => r.to_address);
}

/** The highest severity any mail about the incident has stated so far (null: none has). */
export async function severityTold(tx: Tx, orgId: string, incidentId: string): Promise<number | null> {
  const [row] = await tx<{ told: number | null }[]>`
    select max(severity)::int as told from mail_outbox where org_id = ${orgId} and incident_id = ${incidentId}`;
  return row?.told ?? null;
}

/** Addresses as recipients, with the active user behind each (for "who acknowledged"), if any. */
export async function asRecipients(tx: Tx, orgId: string, addresses: string[]): Promise<Recipient[]> {
  if (addresses.length === 0) return [];
  const users = await tx<Pick<Row<'users'>, 'id' | 'email'>[]>`
    select id, email from users where org_id = ${orgId} and disabled_at is null and lower(email) in ${tx(addresses.map((a) => a.toLowerCase()))}`;
  const byEmail = new Map(users.map((u) => [u.email.toLowerCase(), u.id]));
  return addresses.map((address) => ({ address, userId: byEmail.get(address.toLowerCase()) ?? null }));
}

/** Addresses already paged about the incident: who follow-ups go to. */
export async function pagedRecipients(tx: Tx, orgId: string, incidentId: string): Promise<Recipient[]> {
  const rows = await tx<Pick<Row<'mail_outbox'>, 'to_address'>[]>`
    select distinct on (lower(to_address)) to_address from mail_outbox
    where org_id = ${orgId} and incident_id = ${incidentId} and dedupe_key like 'page:%'
    order by lower(to_address)`;
  return asRecipients(
    tx,
    orgId,
    rows.map((r) => r.to_address),
  );
}
