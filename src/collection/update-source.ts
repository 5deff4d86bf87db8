import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { asJson } from '../db/connect.ts';
import { ValidationError } from '../errors.ts';
import { clearCredentials, parseCredentialsInput, writeCredentials } from './source-credentials.ts';
import { checkSchedule, definitionFor, lockSource, sourceInTransaction, validateConfig, type SourceRecord } from './sources.ts';

export interface UpdateSourceInput {
  name?: string;
  /** A cron expression (pull sources only). */
  schedule?: string;
  config?: Record<string, unknown>;
  /** Parsed against the source type's slots in updateSource; null values clear. */
  credentials?: unknown;
  enabled?: boolean;
}

function sameOrigins(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
}

/**
 * Reconfigures, re-credentials, enables or disables a source: one transaction from the locked
 * read to the answer, an audit row per kind of change. When the config sends the credentials
 * somewhere else (a Mastodon instance, an operator-allowed API URL), the stored ones are cleared
 * unless this same request re-enters them: otherwise an admin could point a token entered for one
 * host at a host of their own.
 */
export async function updateSource(
  ctx: AppContext,
  sourceId: string,
  orgId: string | undefined,
  input: UpdateSourceInput,
  actor: AuditActor = systemActor,
): Promise<SourceRecord> {
  if (
    input.config === undefined &&
    input.credentials === undefined &&
    input.enabled === undefined &&
    input.name === undefined &&
    input.schedule === undefined
  ) {
    throw new ValidationError(
      'name, schedule, config, credentials, enabled のいずれかを指定してください (nothing to change: send name, schedule, config, credentials or enabled)',
    );
  }
  if (input.schedule !== undefined) checkSchedule(input.schedule);
  return ctx.sql.begin(async (tx) => {
    const now = ctx.now();
    // The row as it is now, locked: a concurrent PATCH that moved the source first is what this
    // one compares its destination with.
    const before = await lockSource(ctx, tx, sourceId, orgId);
    const def = definitionFor(ctx, before.type);
    const parsed = input.config === undefined ? undefined : validateConfig(ctx, def, before.orgId, input.config);
    const credentials = input.credentials === undefined ? {} : parseCredentialsInput(input.credentials, def);
    let destinationChanged = false;
    if (parsed !== undefined) {
      let oldOrigins: string[] | null = null;
      try {
        oldOrigins = def.endpoints(def.parseConfig(before.config)).credentialOrigins;
      } catch {
        // The old config no longer parses: treat its destination as unknown, hence changed.
      }
      destinationChanged = oldOrigins === null || !sameOrigins(oldOrigins, def.endpoints(parsed).credentialOrigins);
    }
    const config = input.config ?? before.config;
    const name = input.name ?? before.name;
    const schedule = input.schedule ?? before.schedule;
    const configChanged = input.config !== undefined || name !== before.name || schedule !== before.schedule;
    const credentialsChanged = Object.keys(credentials).length > 0;
    // A new config or credentials, or re-enabling, clears the last verdict: the operator says
    // the problem is fixed, and the next run tells.
    const clearHealth = configChanged || credentialsChanged || input.enabled === true;
    await tx`
      update sources set
        config = ${tx.json(asJson(config))}, name = ${name}, schedule = ${schedule},
        enabled = ${input.enabled ?? before.enabled},
        updated_at = ${now},
        health = case when ${clearHealth} then 'unknown' else health end,
        health_message = case when ${clearHealth} then null else health_message end
      where org_id = ${before.orgId} and id = ${before.id}`;
    const cleared = destinationChanged ? (await clearCredentials(tx, before)).filter((name) => !(name in credentials)) : [];
    const set = await writeCredentials(tx, ctx.keys, before, credentials, now);
    if (configChanged || credentialsChanged) {
      await recordAudit(tx, actor, {
        orgId: before.orgId,
        action: 'source.configure',
        targetType: 'source',
        targetId: before.id,
        before: { name: before.name, schedule: before.schedule, config: before.config, credentials: before.credentials },
        after: {
          name,
          schedule,
          config,
          credentialsSet: set.filter((n) => credentials[n] !== null),
          credentialsCleared: [...cleared, ...set.filter((n) => credentials[n] === null)],
        },
      });
    }
    if (input.enabled !== undefined && input.enabled !== before.enabled) {
      await recordAudit(tx, actor, {
        orgId: before.orgId,
        action: input.enabled ? 'source.enable' : 'source.disable',
        targetType: 'source',
        targetId: before.id,
        before: { enabled: before.enabled },
        after: { enabled: input.enabled },
      });
    }
    return sourceInTransaction(ctx, tx, before);
  }) as Promise<SourceRecord>;
}
