import { ValidationError } from '../errors.ts';
import { isRecord } from './payload.ts';
import type { CredentialSlot } from './types.ts';

// Field readers for source configs (collectors-B's sources use them; any source may). Each
// throws ValidationError naming the field, in Japanese first, so `hinoko sources add` and the
// API can show the message as is.

const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function configObject(raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) throw new ValidationError('config: オブジェクトが必要です (must be an object)');
  return raw;
}

/** An http(s) URL without a trailing slash, or the fallback when absent. */
export function httpUrl(value: unknown, field: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length > 2048) throw new ValidationError(`${field}: URL を指定してください (must be a URL)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${field}: URL として読めません (not a valid URL)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError(`${field}: http(s) の URL のみ (http or https only)`);
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError(`${field}: URL に資格情報を含めないでください (no credentials in URLs; use an *Env field)`);
  }
  return value.replace(/\/+$/, '');
}

/** The NAME of an environment variable holding a credential — never the credential itself. */
export function envName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !envNamePattern.test(value)) {
    throw new ValidationError(`${field}: 環境変数名を指定してください (must name an environment variable, e.g. MY_TOKEN)`);
  }
  return value;
}

export function optionalEnvName(value: unknown, field: string): string | null {
  return value === undefined || value === null ? null : envName(value, field);
}

export function integerIn(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${field}: ${min}〜${max} の整数 (integer from ${min} to ${max})`);
  }
  return value;
}

export function booleanOr(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ValidationError(`${field}: true か false (boolean)`);
  return value;
}

export function stringList(value: unknown, field: string, pattern: RegExp, maxItems: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > maxItems)
    throw new ValidationError(`${field}: ${maxItems} 件以内の配列 (array of at most ${maxItems})`);
  return value.map((v: unknown, i) => {
    if (typeof v !== 'string' || !pattern.test(v)) throw new ValidationError(`${field}[${i}]: 形式が正しくありません (invalid value)`);
    return v;
  });
}

/** The origin (scheme://host:port) of a URL the config already validated. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * A credential slot whose config field may name an environment variable: `accessToken` is read
 * from the source's sealed credentials, or from the variable that `accessTokenEnv` names when the
 * operator allows that name.
 */
export function slot<C>(name: string, label: string, envName: (config: C) => string | null): CredentialSlot<C> {
  return { name, label, envField: `${name}Env`, envName };
}
