import cron from 'node-cron';
import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson, type Sql, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { SourceType } from '../mention.ts';
import type { SourceDefinition } from '../sources/types.ts';
import {
  checkCredentialEnvNames,
  credentialStates,
  parseCredentialsInput,
  storedCredentialNames,
  writeCredentials,
  type CredentialState,
} from './source-credentials.ts';

export interface SourceRecord {
  id: string;
  orgId: string;
  type: SourceType;
  name: string;
  /** The stored config. Never holds a credential (those are sealed apart and write-only). */
  config: Record<string, unknown>;
  /** Each credential the type uses: whether it is set, never its value. */
  credentials: CredentialState[];
  enabled: boolean;
  schedule: string;
  health: SourceHealth;
  healthMessage: string | null;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
}

export type SourceHealth = Row<'sources'>['health'];
type SourceRow = Row<'sources'>;

function toRecord(ctx: Pick<AppContext, 'sources' | 'config'>, r: SourceRow, stored: Set<string> | undefined): SourceRecord {
  const def = ctx.sources[r.type];
  let credentials: CredentialState[] = [];
  if (def) {
    try {
      credentials = credentialStates(ctx.config, def, r.org_id, def.parseConfig(r.config), stored ?? new Set());
    } catch {
      // A config saved under older rules that no longer parses: the run reports it; list what is stored.
      credentials = [...(stored ?? [])].map((name) => ({ name, label: name, required: false, set: true, via: 'stored' as const }));
    }
  }
  return {
    id: r.id,
    orgId: r.org_id,
    type: r.type as SourceType,
    name: r.name,
    config: r.config,
    credentials,
    enabled: r.enabled,
    schedule: r.schedule,
    health: r.health,
    healthMessage: r.health_message,
    lastRunAt: r.last_run_at,
    lastSuccessAt: r.last_success_at,
    createdAt: r.created_at,
  };
}

export function definitionFor(ctx: Pick<AppContext, 'sources'>, type: string): SourceDefinition<any> {
  const def = ctx.sources[type];
  if (!def)
    throw new ValidationError(`source type "${type.slice(0, 40)}" is not available; known types: ${Object.keys(ctx.sources).join(', ')}`);
  return def;
}

export interface AddSourceInput {
  orgId: string;
  type: SourceType;
  name: string;
  config: Record<string, unknown>;
  schedule?: string;
  enabled?: boolean;
  /** Unvalidated until the type is known: parsed against its slots in addSource. */
  credentials?: unknown;
}

export function checkSchedule(schedule: string): void {
  if (!cron.validate(schedule)) {
    throw new ValidationError(
      `schedule: 「${schedule}」は cron 式として読めません。例: */5 * * * *（5分ごと） (not a valid cron expression, e.g. "*/5 * * * *" for every 5 minutes)`,
    );
  }
}

/** Whether the operator lets this type's platform URLs differ from the platform's own. */
export function urlOverrideAllowed(config: AppContext['config'], type: string): boolean {
  return config.sources.urlOverrideTypes.includes('*') || config.sources.urlOverrideTypes.includes(type);
}

/**
 * Validates a config with the source's own rules, then the server's: platform URLs stay the
 * platform's unless the operator allows otherwise, and environment variables are named only where
 * the operator allows them for this organisation. Returns the parsed config.
 */
export function validateConfig(
  ctx: Pick<AppContext, 'config'>,
  def: SourceDefinition<any>,
  orgId: string,
  config: Record<string, unknown>,
): unknown {
  const parsed: unknown = def.parseConfig(config);
  if (!urlOverrideAllowed(ctx.config, def.type)) {
    for (const u of def.endpoints(parsed).operatorUrls) {
      if (u.url !== u.defaultUrl) {
        throw new ValidationError(
          `${u.field}: このサーバーでは ${def.type} の接続先を変更できません (this server does not allow ${def.type} sources to use another API URL than ${u.defaultUrl})`,
        );
      }
    }
  }
  checkCredentialEnvNames(ctx.config, def, orgId, parsed);
  return parsed;
}

/** The records with their credential states, one query for all of them. */
async function withCredentials(ctx: AppContext, rows: SourceRow[], sql: Sql | Tx = ctx.sql): Promise<SourceRecord[]> {
  if (rows.length === 0) return [];
  const stored = await storedCredentialNames(sql, { sourceIds: rows.map((r) => r.id) });
  return rows.map((r) => toRecord(ctx, r, stored.get(r.id)));
}

export async function addSource(ctx: AppContext, input: AddSourceInput, actor: AuditActor = systemActor): Promise<SourceRecord> {
  const def = definitionFor(ctx, input.type);
  validateConfig(ctx, def, input.orgId, input.config);
  const credentials = input.credentials === undefined ? {} : parseCredentialsInput(input.credentials, def);
  const schedule = input.schedule ?? def.defaultSchedule;
  if (def.collect) checkSchedule(schedule);
  const org = await ctx.db.selectFrom('organizations').select('id').where('id', '=', input.orgId).executeTakeFirst();
  if (!org) throw new NotFoundError(`organization ${input.orgId} not found`);
  return ctx.sql.begin(async (tx) => {
    const [row] = await tx<SourceRow[]>`
      insert into sources (org_id, type, name, config, schedule, enabled)
      values (${input.orgId}, ${input.type}, ${input.name}, ${tx.json(asJson(input.config))}, ${schedule}, ${input.enabled ?? true})
      returning *`;
    const set = await writeCredentials(tx, ctx.keys, { orgId: row!.org_id, id: row!.id }, credentials, ctx.now());
    const [source] = await withCredentials(ctx, [row!], tx);
    // The audit row names the credentials set, never their values.
    await recordAudit(tx, actor, {
      orgId: source!.orgId,
      action: 'source.add',
      targetType: 'source',
      targetId: source!.id,
      after: { ...source, credentialsSet: set },
    });
    return source!;
  }) as Promise<SourceRecord>;
}

export async function listSources(ctx: AppContext, filter: { orgId?: string; enabledOnly?: boolean } = {}): Promise<SourceRecord[]> {
  let q = ctx.db.selectFrom('sources').selectAll();
  if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
  if (filter.enabledOnly) q = q.where('enabled', '=', true);
  return withCredentials(ctx, await q.orderBy('org_id').orderBy('id').execute());
}

/**
 * The source inside a transaction, its row locked (`for update`) until the transaction ends: the
 * state a change compares against cannot move under it.
 */
export async function lockSource(ctx: AppContext, tx: Tx, sourceId: string, orgId?: string): Promise<SourceRecord> {
  const [row] = await tx<SourceRow[]>`
    select * from sources where id = ${sourceId} ${orgId ? tx`and org_id = ${orgId}` : tx``} for update`;
  if (!row) throw new NotFoundError(`source ${sourceId} not found`);
  return (await withCredentials(ctx, [row], tx))[0]!;
}

/** The source as it is in the transaction (after a change, before commit). */
export async function sourceInTransaction(ctx: AppContext, tx: Tx, src: { orgId: string; id: string }): Promise<SourceRecord> {
  const [row] = await tx<SourceRow[]>`select * from sources where org_id = ${src.orgId} and id = ${src.id}`;
  if (!row) throw new NotFoundError(`source ${src.id} not found`);
  return (await withCredentials(ctx, [row], tx))[0]!;
}

export async function getSource(ctx: AppContext, sourceId: string, orgId?: string): Promise<SourceRecord> {
  let q = ctx.db.selectFrom('sources').selectAll().where('id', '=', sourceId);
  if (orgId) q = q.where('org_id', '=', orgId);
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFoundError(`source ${sourceId} not found`);
  return (await withCredentials(ctx, [row]))[0]!;
}

export async function setSourceHealth(
  ctx: AppContext,
  src: { orgId: string; id: string },
  health: SourceHealth,
  message: string | null,
  success: boolean,
): Promise<void> {
  const now = ctx.now();
  await ctx.db
    .updateTable('sources')
    .set({ health, health_message: message, last_run_at: now, ...(success ? { last_success_at: now } : {}) })
    .where('org_id', '=', src.orgId)
    .where('id', '=', src.id)
    .execute();
}
