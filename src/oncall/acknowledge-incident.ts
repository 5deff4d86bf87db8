import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { verifyAckToken } from '../notify/ack-token.ts';
import { appendEvent } from '../incident-record/incident.ts';

// Acknowledging an incident: stamps acknowledged_at if unset, stops its escalation, and records
// who on the timeline and in the audit log — from the mail's link (POST of the confirm page) or
// from the API. A second acknowledgement is recorded but changes nothing.

export interface AckResult {
  incidentId: string;
  orgId: string;
  acknowledgedAt: Date;
  /** False when someone had acknowledged it before. */
  first: boolean;
  by: string;
}

async function acknowledge(
  tx: Tx,
  orgId: string,
  incidentId: string,
  by: string,
  via: 'link' | 'api',
  actor: AuditActor,
  at: Date,
): Promise<AckResult> {
  await lockAuditChain(tx, orgId);
  const [before] = await tx<Pick<Row<'incidents'>, 'acknowledged_at' | 'detected_at'>[]>`
    select acknowledged_at, detected_at from incidents where org_id = ${orgId} and id = ${incidentId} for no key update`;
  if (!before) throw new NotFoundError('インシデントが見つかりません (incident not found)');
  // The database keeps acknowledged_at ≥ detected_at; a clock a little behind is not an error.
  const stamp = at < before.detected_at ? before.detected_at : at;
  const [updated] = await tx<{ acknowledged_at: Date }[]>`
    update incidents set acknowledged_at = ${stamp}, updated_at = ${at}
    where org_id = ${orgId} and id = ${incidentId} and acknowledged_at is null
    returning acknowledged_at`;
  await tx`update incident_escalations set status = 'acknowledged', next_at = null
    where org_id = ${orgId} and incident_id = ${incidentId} and status = 'active'`;
  const first = Boolean(updated);
  await appendEvent(tx, { orgId, incidentId, at, kind: 'acknowledged', actor, data: { by, via, first } });
  await recordAudit(
    tx,
    actor,
    {
      orgId,
      action: 'incident.acknowledge',
      targetType: 'incident',
      targetId: incidentId,
      before: { acknowledgedAt: before.acknowledged_at },
      after: { acknowledgedAt: updated?.acknowledged_at ?? before.acknowledged_at, by, via },
    },
    at,
  );
  return { orgId, incidentId, acknowledgedAt: updated?.acknowledged_at ?? before.acknowledged_at!, first, by };
}

/** A logged-in user acknowledges through the API. */
export async function acknowledgeIncident(ctx: AppContext, orgId: string, incidentId: string, actor: AuditActor): Promise<AckResult> {
  const by = actor.type === 'user' ? `user:${actor.id}` : `${actor.type}:${actor.id ?? ''}`;
  return ctx.sql.begin((tx) => acknowledge(tx, orgId, incidentId, by, 'api', actor, ctx.now())) as Promise<AckResult>;
}

/** Why a link is refused: the page and the status say which. */
export class AckLinkError extends AppError {
  constructor(readonly reason: 'forged' | 'expired' | 'used') {
    super(
      reason === 'used' ? 'conflict' : reason === 'expired' ? 'bad_request' : 'validation_failed',
      reason === 'used'
        ? 'このリンクはすでに使用されています (link already used)'
        : reason === 'expired'
          ? 'このリンクは有効期限が切れています (link expired)'
          : 'このリンクは無効です (invalid link)',
    );
  }
}

/** GET: checks a link without changing anything (mail scanners follow links). */
export async function inspectAckLink(
  ctx: AppContext,
  token: string,
): Promise<{ orgId: string; incidentId: string; title: string; severity: number; acknowledgedAt: Date | null; expiresAt: Date }> {
  const now = ctx.now();
  const verdict = verifyAckToken(ctx.keys.ackLinks, token, now);
  if (!verdict.ok) throw new AckLinkError(verdict.reason);
  const { orgId, incidentId, nonce } = verdict.claims;
  const [row] = await ctx.sql<
    (Pick<Row<'ack_links'>, 'used_at' | 'expires_at'> & Pick<Row<'incidents'>, 'title' | 'severity' | 'acknowledged_at'>)[]
  >`
    select l.used_at, l.expires_at, i.title, i.severity, i.acknowledged_at
    from ack_links l join incidents i on i.org_id = l.org_id and i.id = l.incident_id
    where l.nonce = ${nonce} and l.org_id = ${orgId} and l.incident_id = ${incidentId}`;
  if (!row) throw new AckLinkError('forged');
  if (row.used_at) throw new AckLinkError('used');
  if (row.expires_at <= now) throw new AckLinkError('expired');
  return { orgId, incidentId, title: row.title, severity: row.severity, acknowledgedAt: row.acknowledged_at, expiresAt: row.expires_at };
}

/** POST: spends the link (once) and acknowledges as its recipient. */
export async function acknowledgeByLink(
  ctx: AppContext,
  token: string,
  request: { requestId?: string | null; sourceIp?: string | null },
): Promise<AckResult> {
  const now = ctx.now();
  const verdict = verifyAckToken(ctx.keys.ackLinks, token, now);
  if (!verdict.ok) throw new AckLinkError(verdict.reason);
  const { orgId, incidentId, nonce } = verdict.claims;
  return ctx.sql.begin(async (tx) => {
    const [spent] = await tx<Pick<Row<'ack_links'>, 'recipient'>[]>`
      update ack_links set used_at = ${now}
      where nonce = ${nonce} and org_id = ${orgId} and incident_id = ${incidentId} and used_at is null and expires_at > ${now}
      returning recipient`;
    if (!spent) {
      const [row] = await tx<
        Pick<Row<'ack_links'>, 'used_at'>[]
      >`select used_at from ack_links where nonce = ${nonce} and org_id = ${orgId} and incident_id = ${incidentId}`;
      throw new AckLinkError(!row ? 'forged' : row.used_at ? 'used' : 'expired');
    }
    const userId = spent.recipient.startsWith('user:') ? spent.recipient.slice(5) : null;
    const actor: AuditActor = userId
      ? { type: 'user', id: userId, requestId: request.requestId ?? null, sourceIp: request.sourceIp ?? null }
      : {
          type: 'system',
          id: `ack-link:${spent.recipient.slice('address:'.length)}`,
          requestId: request.requestId ?? null,
          sourceIp: request.sourceIp ?? null,
        };
    return acknowledge(tx, orgId, incidentId, spent.recipient, 'link', actor, now);
  }) as Promise<AckResult>;
}
