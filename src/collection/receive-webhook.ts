import type { AppContext } from '../context.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { ingest, ingestDepsFrom } from '../ingest/pipeline.ts';
import type { SourceActivity, WebhookRequest } from '../sources/types.ts';
import { watchTargetSpecs } from '../organizations/organizations.ts';
import { resolveSecrets } from './source-credentials.ts';
import { definitionFor, getSource, setSourceHealth } from './sources.ts';
import { SourceAuthError } from '../sources/types.ts';

export type WebhookReply =
  | { status: 200; contentType: 'text/plain'; body: string }
  | { status: 200; contentType: 'application/json'; body: { received: number; stored: number; activities: number } }
  | { status: 400 | 401 | 403; contentType: 'application/json'; body: { error: { code: string; message: string } } };

// The same status → code pairs as every other answer (src/http/errors.ts).
const rejectionCodes = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden' } as const;

/**
 * A push delivery (LINE, Facebook, Instagram). The signature is checked over the raw bytes before
 * anything is stored; verified events are stored durably (mentions and activities are both
 * idempotent on the platform's ids, so redeliveries change nothing) and only then answered 200.
 * Analysis runs afterwards, so the platform is never kept waiting on kuromoji.
 */
export async function receiveWebhook(ctx: AppContext, sourceId: string, request: WebhookRequest): Promise<WebhookReply> {
  const source = await getSource(ctx, sourceId).catch(() => null);
  const def = source ? ctx.sources[source.type] : undefined;
  // Unknown, disabled and pull-only sources look the same from outside: nothing to probe.
  if (!source || !source.enabled || !def?.webhook) throw new NotFoundError('no webhook here');
  const config: unknown = definitionFor(ctx, source.type).parseConfig(source.config);
  const secrets = await resolveSecrets(ctx.sql, ctx.keys, ctx.config, def, source, config);
  let result;
  try {
    result = def.webhook.handle(request, config, secrets, await watchTargetSpecs(ctx.db, source.orgId));
  } catch (err) {
    // A missing or unreadable secret is the clinic's setup, not the sender's fault; nothing
    // unverified is stored, and the source shows why.
    if (err instanceof SourceAuthError) {
      await setSourceHealth(ctx, source, 'unhealthy', `${err.message} — 署名を検証できません (cannot verify webhook signatures)`, false);
      throw new AppError('unavailable', 'webhook secret is not configured for this source');
    }
    throw err;
  }
  if (result.kind === 'challenge') return { status: 200, contentType: 'text/plain', body: result.body };
  if (result.kind === 'rejected') {
    ctx.log.warn({ sourceId, status: result.status, reason: result.reason }, 'webhook rejected');
    return {
      status: result.status,
      contentType: 'application/json',
      body: { error: { code: rejectionCodes[result.status], message: result.reason } },
    };
  }
  const activities = await storeActivities(ctx, source.orgId, source.id, result.activities ?? []);
  const stored = await ingest(ingestDepsFrom(ctx, { deferAnalysis: true }), {
    orgId: source.orgId,
    sourceId: source.id,
    mentions: result.page.mentions,
    tombstones: result.page.tombstones,
    deferAnalysis: true,
  });
  return {
    status: 200,
    contentType: 'application/json',
    body: { received: result.eventIds.length, stored: stored.inserted.length + stored.edited + stored.tombstoned, activities },
  };
}

async function storeActivities(ctx: AppContext, orgId: string, sourceId: string, activities: SourceActivity[]): Promise<number> {
  const valid = activities.filter((a) => a.eventId && a.eventId.length <= 512 && !Number.isNaN(a.occurredAt.getTime()));
  if (valid.length === 0) return 0;
  const rows = await ctx.sql`
    insert into source_activities (org_id, source_id, event_id, kind, occurred_at, actor_id, is_private, raw)
    select ${orgId}::bigint, ${sourceId}::bigint, a.event_id, a.kind, a.occurred_at, a.actor_id, a.is_private, a.raw::jsonb
    from unnest(
      ${valid.map((a) => a.eventId)}::text[], ${valid.map((a) => a.kind.slice(0, 100))}::text[],
      ${valid.map((a) => a.occurredAt.toISOString())}::timestamptz[], ${valid.map((a) => a.actorId)}::text[],
      ${valid.map((a) => (a.isPrivate ? 't' : 'f'))}::text[]::boolean[],
      ${valid.map((a) => JSON.stringify(a.raw ?? null).replace(/\\u0000/g, '\\\\u0000'))}::text[]
    ) as a(event_id, kind, occurred_at, actor_id, is_private, raw)
    on conflict (org_id, source_id, event_id) do nothing
    returning event_id`;
  return rows.length;
}
