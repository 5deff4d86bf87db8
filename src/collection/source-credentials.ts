import type { Config } from '../config.ts';
import { credentialEnvAllowed, readCredentialEnv } from './credential-env.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import { CredentialUnreadableError, openCredential, sealCredential } from '../secrets/credential-box.ts';
import type { ServerKeys } from '../secrets/server-keys.ts';
import { SourceAuthError, type SourceDefinition, type SourceSecrets } from '../sources/types.ts';

// A source's credentials: entered per source, sealed with the server's key (src/secrets), never
// returned. Where a value comes from when a source runs: the sealed credential, else an environment
// variable the config names *if* the operator allowed that name for the organisation
// (HINOKO_SOURCE_CREDENTIAL_ENV). Nothing else of the server's environment is reachable.

/** What the API and pages show of a credential: whether it is there, never what it is. */
export interface CredentialState {
  name: string;
  label: string;
  required: boolean;
  set: boolean;
  /** 'stored': entered for this source; 'environment': an operator-allowed variable. */
  via: 'stored' | 'environment' | null;
}

/** New values by slot; null clears a stored credential. */
export type CredentialInput = Record<string, string | null>;

// Tokens of the platforms we use run to a few hundred characters (Meta's long-lived tokens ~250,
// Google's refresh tokens ~100); 4 KB leaves room without letting a field become storage.
const MAX_CREDENTIAL_CHARS = 4096;

export function parseCredentialsInput(raw: unknown, def: SourceDefinition<any>): CredentialInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('credentials: { 名前: 値 } のオブジェクト (an object of name: value)');
  }
  const slots = new Set(def.credentials.map((s) => s.name));
  const out: CredentialInput = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!slots.has(name)) {
      const known = def.credentials.map((s) => s.name).join(', ') || 'なし (none)';
      throw new ValidationError(
        `credentials.${name.slice(0, 40)}: この種類の収集元にはない資格情報です (not a credential of ${def.type}; known: ${known})`,
      );
    }
    if (value === null) {
      out[name] = null;
      continue;
    }
    // Control characters would let a value split the header it is sent in.
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CREDENTIAL_CHARS || /[\u0000-\u001f\u007f]/.test(value)) {
      throw new ValidationError(
        `credentials.${name}: 1〜${MAX_CREDENTIAL_CHARS} 文字、制御文字なし (1–${MAX_CREDENTIAL_CHARS} characters without control characters), or null to clear`,
      );
    }
    out[name] = value;
  }
  return out;
}

/** Seals and stores (or clears) credentials inside the caller's transaction. Returns the slots changed. */
export async function writeCredentials(
  tx: Tx,
  keys: ServerKeys,
  source: { orgId: string; id: string },
  values: CredentialInput,
  now: Date,
): Promise<string[]> {
  const changed: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === null) {
      const gone =
        await tx`delete from source_credentials where org_id = ${source.orgId} and source_id = ${source.id} and name = ${name} returning name`;
      if (gone.length > 0) changed.push(name);
      continue;
    }
    const box = sealCredential(keys.credentials, { orgId: source.orgId, sourceId: source.id, name }, value);
    await tx`
      insert into source_credentials (org_id, source_id, name, sealed, key_id, updated_at)
      values (${source.orgId}, ${source.id}, ${name}, ${box.sealed}, ${box.keyId}, ${now})
      on conflict (org_id, source_id, name) do update set sealed = excluded.sealed, key_id = excluded.key_id, updated_at = excluded.updated_at`;
    changed.push(name);
  }
  return changed;
}

/** Removes every stored credential of a source (its destination changed). Returns the slots removed. */
export async function clearCredentials(tx: Tx, source: { orgId: string; id: string }): Promise<string[]> {
  const rows = await tx<Pick<Row<'source_credentials'>, 'name'>[]>`
    delete from source_credentials where org_id = ${source.orgId} and source_id = ${source.id} returning name`;
  return rows.map((r) => r.name).sort();
}

/** Stored slot names per source id, for one organisation (or all), in one query. */
export async function storedCredentialNames(
  sql: Sql | Tx,
  filter: { orgId?: string; sourceIds?: string[] },
): Promise<Map<string, Set<string>>> {
  const rows = await sql<Pick<Row<'source_credentials'>, 'source_id' | 'name'>[]>`
    select source_id, name from source_credentials
    where (${filter.orgId ?? null}::bigint is null or org_id = ${filter.orgId ?? null}::bigint)
      and (${filter.sourceIds ?? null}::bigint[] is null or source_id = any(${filter.sourceIds ?? null}::bigint[]))`;
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = out.get(r.source_id) ?? new Set<string>();
    set.add(r.name);
    out.set(r.source_id, set);
  }
  return out;
}

export function credentialStates(
  config: Pick<Config, 'sources'>,
  def: SourceDefinition<any>,
  orgId: string,
  parsedConfig: unknown,
  stored: Set<string>,
): CredentialState[] {
  const required = new Set(def.requiredCredentials(parsedConfig));
  return def.credentials.map((slot) => {
    const envName = slot.envName(parsedConfig);
    const fromEnv = !stored.has(slot.name) && envName !== null && readCredentialEnv(config, orgId, envName) !== undefined;
    return {
      name: slot.name,
      label: slot.label,
      required: required.has(slot.name),
      set: stored.has(slot.name) || fromEnv,
      via: stored.has(slot.name) ? 'stored' : fromEnv ? 'environment' : null,
    };
  });
}

/** Refuses a config that names an environment variable the operator did not allow for this organisation. */
export function checkCredentialEnvNames(
  config: Pick<Config, 'sources'>,
  def: SourceDefinition<any>,
  orgId: string,
  parsedConfig: unknown,
): void {
  for (const slot of def.credentials) {
    const name = slot.envName(parsedConfig);
    if (name !== null && !credentialEnvAllowed(config, orgId, name)) {
      throw new ValidationError(
        `${slot.envField}: 環境変数 ${name.slice(0, 64)} の参照は許可されていません。資格情報は credentials.${slot.name} に入力してください ` +
          `(this server does not let sources read environment variable ${name.slice(0, 64)}; enter the credential as credentials.${slot.name})`,
      );
    }
  }
}

export interface ResolvedSecrets extends SourceSecrets {
  /** Every value handed out so far: the outbound guard keeps them on the platform's hosts. */
  handedOut(): string[];
}

/**
 * The secrets a run (or a webhook delivery) of one source may use. Values are opened when asked
 * for, so a source that never needs its optional slots never decrypts them.
 */
export async function resolveSecrets(
  sql: Sql,
  keys: ServerKeys,
  config: Pick<Config, 'sources'>,
  def: SourceDefinition<any>,
  source: { orgId: string; id: string },
  parsedConfig: unknown,
): Promise<ResolvedSecrets> {
  const rows = await sql<Pick<Row<'source_credentials'>, 'name' | 'sealed' | 'key_id'>[]>`
    select name, sealed, key_id from source_credentials where org_id = ${source.orgId} and source_id = ${source.id}`;
  const stored = new Map(rows.map((r) => [r.name, r]));
  const handed = new Set<string>();
  const slots = new Map(def.credentials.map((s) => [s.name, s]));

  function lookup(name: string): string | undefined {
    const row = stored.get(name);
    if (row) {
      try {
        return openCredential(
          keys.credentials,
          { orgId: source.orgId, sourceId: source.id, name },
          { sealed: Buffer.from(row.sealed), keyId: row.key_id },
        );
      } catch (err) {
        if (err instanceof CredentialUnreadableError) throw new SourceAuthError(err.message);
        throw err;
      }
    }
    const envName = slots.get(name)?.envName(parsedConfig) ?? null;
    return envName === null ? undefined : readCredentialEnv(config, source.orgId, envName);
  }

  return {
    secret(name) {
      const value = lookup(name);
      if (value === undefined) {
        const label = slots.get(name)?.label ?? name;
        throw new SourceAuthError(`資格情報「${label}」が設定されていません (credential ${name} is not set for this source)`);
      }
      handed.add(value);
      return value;
    },
    hasSecret(name) {
      return stored.has(name) || lookup(name) !== undefined;
    },
    handedOut: () => [...handed],
  };
}
