import { reservedNames, type Config, type Env } from '../config.ts';

// A source may name an environment variable holding its credential (HINOKO_SOURCE_CREDENTIAL_ENV
// lists the names the operator allows, per organisation); config.ts validated those patterns at boot.

const trimmed = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

const readableName = (name: string) => /^[A-Z][A-Z0-9_]{1,127}$/.test(name) && !reservedNames.has(name);

/** Whether the operator lets organisation `orgId`'s sources read environment variable `name`. */
export function credentialEnvAllowed(config: Pick<Config, 'sources'>, orgId: string, name: string): boolean {
  const matches = (pattern: string) => {
    const concrete = pattern.replace('{org}', orgId);
    return concrete.endsWith('*') ? name.startsWith(concrete.slice(0, -1)) : name === concrete;
  };
  return readableName(name) && config.sources.credentialEnvPatterns.some(matches);
}

/**
 * The value of an environment variable a source names, only when the operator allows that name
 * for the source's organisation; undefined otherwise or when unset.
 */
export function readCredentialEnv(
  config: Pick<Config, 'sources'>,
  orgId: string,
  name: string,
  env: Env = process.env,
): string | undefined {
  return credentialEnvAllowed(config, orgId, name) ? trimmed(env[name]) : undefined;
}

/**
 * An environment variable named by a source saved before credentials were sealed per source
 * (issue 11): read once, at boot, to move its value into that source's sealed store
 * (src/collection/seal-env-credentials.ts). The platform's own secrets are still never read.
 */
export function readLegacyCredentialEnv(name: string, env: Env = process.env): string | undefined {
  return readableName(name) ? trimmed(env[name]) : undefined;
}
