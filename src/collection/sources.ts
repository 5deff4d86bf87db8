import cron from 'node-cron';
import { isValidSecretName } from '../config.ts';
import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/connect.ts';
import type { SourceHealth } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { sourceTypes, type SourceType } from '../ingest/types.ts';
import type { SourceDefinition } from '../sources/types.ts';
import { idString, object, oneOf, optionalBoolean, optionalString, plainJsonObject, requiredString } from '../validation.ts';

export interface SourceRecord {
  id: string;
  orgId: string;
  type: SourceType;
  name: string;
  /** The stored config. Holds only the *names* of credentials, never their values. */
  config: Record<string, unknown>;
  enabled: boolean;
  schedule: string;
  health: SourceHealth;
  healthMessage: string | null;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
}

type SourceRow = {
  id: string; org_id: string; type: string; name: string; config: Record<string, unknown>; enabled: boolean; schedule: string;
  health: SourceHealth; health_message: string | null; last_run_at: Date | null; last_success_at: Date | null; created_at: Date;
};

function toRecord(r: SourceRow): SourceRecord {
  return {
    id: r.id, orgId: r.org_id, type: r.type as SourceType, name: r.name, config: r.config, enabled: r.enabled,
    schedule: r.schedule, health: r.health, healthMessage: r.health_message, lastRunAt: r.last_run_at,
    lastSuccessAt: r.last_success_at, createdAt: r.created_at,
  };
}

export function definitionFor(ctx: Pick<AppContext, 'sources'>, type: string): SourceDefinition<any> {
  const def = ctx.sources[type];
  if (!def) throw new ValidationError(`source type "${type.slice(0, 40)}" is not available; known types: ${Object.keys(ctx.sources).join(', ')}`);
  return def;
}

export interface AddSourceInput {
  orgId: string;
  type: SourceType;
  name: string;
  config: Record<string, unknown>;
  schedule?: string;
  enabled?: boolean;
}

export function parseAddSourceInput(body: unknown, orgId?: string): AddSourceInput {
  const o = object(body, ['orgId', 'type', 'name', 'config', 'schedule', 'enabled']);
  return {
    orgId: orgId ?? idString(o.orgId, 'orgId'),
    type: oneOf(o.type, 'type', sourceTypes),
    name: requiredString(o, 'name', { max: 200 }),
    config: o.config === undefined ? {} : plainJsonObject(o.config, 'config'),
    schedule: optionalString(o, 'schedule', { max: 100 }),
    enabled: optionalBoolean(o, 'enabled'),
  };
}

function checkSchedule(schedule: string): void {
  if (!cron.validate(schedule)) {
    throw new ValidationError(`schedule "${schedule}" is not a valid cron expression (e.g. "*/5 * * * *" for every 5 minutes)`);
  }
}

/** Validates the config with the source's own rules and checks that credentials are referenced, not embedded. */
function validateConfig(def: SourceDefinition<any>, config: Record<string, unknown>): void {
  const parsed = def.parseConfig(config);
  for (const name of def.secretNames(parsed)) {
    if (!isValidSecretName(name)) {
      throw new ValidationError(`credential reference "${String(name).slice(0, 40)}" must be the NAME of an environment variable (A–Z, 0–9, _), not the secret itself`);
    }
  }
}

export async function addSource(ctx: AppContext, input: AddSourceInput, actor: AuditActor = systemActor): Promise<SourceRecord> {
  const def = definitionFor(ctx, input.type);
  validateConfig(def, input.config);
  const schedule = input.schedule ?? def.defaultSchedule;
  if (def.collect) checkSchedule(schedule);
  const org = await ctx.db.selectFrom('organizations').select('id').where('id', '=', input.orgId).executeTakeFirst();
  if (!org) throw new NotFoundError(`organization ${input.orgId} not found`);
  return ctx.sql.begin(async (tx) => {
    const [row] = await tx<SourceRow[]>`
      insert into sources (org_id, type, name, config, schedule, enabled)
      values (${input.orgId}, ${input.type}, ${input.name}, ${tx.json(input.config as never)}, ${schedule}, ${input.enabled ?? true})
      returning *`;
    const source = toRecord(row!);
    await recordAudit(tx, actor, { orgId: source.orgId, action: 'source.add', targetType: 'source', targetId: source.id, after: source });
    return source;
  }) as Promise<SourceRecord>;
}

export async function listSources(ctx: AppContext, filter: { orgId?: string; enabledOnly?: boolean } = {}): Promise<SourceRecord[]> {
  let q = ctx.db.selectFrom('sources').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  if (filter.enabledOnly) q = q.where('enabled', '=', true);
  return (await q.orderBy('org_id').orderBy('id').execute()).map(toRecord);
}

export async function getSource(ctx: AppContext, sourceId: string, orgId?: string): Promise<SourceRecord> {
  let q = ctx.db.selectFrom('sources').selectAll().where('id', '=', sourceId);
  if (orgId) q = q.where('org_id', '=', orgId);
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFoundError(`source ${sourceId} not found`);
  return toRecord(row);
}

/** One audited change of a source row: the before and after images land in the audit log. */
async function changeSource(
  ctx: AppContext, sourceId: string, orgId: string | undefined, actor: AuditActor, action: string,
  set: (tx: Tx, src: SourceRecord) => Promise<SourceRow[]>,
): Promise<SourceRecord> {
  const src = await getSource(ctx, sourceId, orgId);
  return ctx.sql.begin(async (tx) => {
    const [row] = await set(tx, src);
    if (!row) throw new NotFoundError(`source ${sourceId} not found`);
    const after = toRecord(row);
    await recordAudit(tx, actor, { orgId: src.orgId, action, targetType: 'source', targetId: src.id, before: src, after });
    return after;
  }) as Promise<SourceRecord>;
}

export function setSourceEnabled(ctx: AppContext, sourceId: string, enabled: boolean, orgId?: string, actor: AuditActor = systemActor): Promise<SourceRecord> {
  // Re-enabling clears an "unhealthy" verdict: the operator says the problem is fixed.
  return changeSource(ctx, sourceId, orgId, actor, enabled ? 'source.enable' : 'source.disable', (tx, src) => tx<SourceRow[]>`
    update sources set enabled = ${enabled}, updated_at = ${ctx.now()},
      health = case when ${enabled} then 'unknown' else health end,
      health_message = case when ${enabled} then null else health_message end
    where org_id = ${src.orgId} and id = ${src.id}
    returning *`);
}

export function updateSourceConfig(ctx: AppContext, sourceId: string, config: Record<string, unknown>, orgId?: string, actor: AuditActor = systemActor): Promise<SourceRecord> {
  return changeSource(ctx, sourceId, orgId, actor, 'source.configure', async (tx, src) => {
    validateConfig(definitionFor(ctx, src.type), config);
    return tx<SourceRow[]>`
      update sources set config = ${tx.json(config as never)}, updated_at = ${ctx.now()}, health = 'unknown', health_message = null
      where org_id = ${src.orgId} and id = ${src.id}
      returning *`;
  });
}

export async function setSourceHealth(ctx: AppContext, src: { orgId: string; id: string }, health: SourceHealth, message: string | null, success: boolean): Promise<void> {
  const now = ctx.now();
  await ctx.db
    .updateTable('sources')
    .set({ health, health_message: message, last_run_at: now, ...(success ? { last_success_at: now } : {}) })
    .where('org_id', '=', src.orgId)
    .where('id', '=', src.id)
    .execute();
}
