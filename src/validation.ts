import { ValidationError } from './errors.ts';

// Strict input validation for API bodies, query strings and CLI input. Every error names the
// field and what is wrong; unknown fields are refused so a typo never silently does nothing.
// The bounds every input shares live here, once: Postgres refuses what lies beyond them (a year
// past 9999, an id past bigint, a NUL in text), and a refusal there is a 500 where a 400 is due.

/** Times a person can mean: from the Unix epoch to the last year Postgres and ISO 8601 both write with four digits. */
export const MIN_TIME = Date.UTC(1970, 0, 1);
export const MAX_TIME = Date.UTC(10000, 0, 1) - 1;
/** Ids are Postgres bigint identities: 1 … 2^63−1. */
export const MAX_ID = 9223372036854775807n;
/** Text a field may not hold: NUL (Postgres text cannot) and the C0/C1 controls but tab, LF and CR. */
const forbiddenChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Whether a string is safe to store and show: well-formed UTF-16 and no forbidden control characters. */
export function isCleanText(v: string): boolean {
  return v.isWellFormed() && !forbiddenChars.test(v);
}

export function timeInRange(d: Date): boolean {
  const t = d.getTime();
  return !Number.isNaN(t) && t >= MIN_TIME && t <= MAX_TIME;
}

export function idInRange(text: string): boolean {
  return /^[1-9]\d{0,18}$/.test(text) && BigInt(text) <= MAX_ID;
}

export type Fields = Record<string, unknown>;

export function object(input: unknown, allowed: readonly string[], what = 'body'): Fields {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(`${what} must be a JSON object`);
  }
  const unknown = Object.keys(input).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(
      `${what}: unknown field(s) ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; allowed: ${allowed.join(', ')}`,
    );
  }
  return input as Fields;
}

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternHint?: string;
}

function checkString(v: unknown, field: string, rule: StringRule): string {
  if (typeof v !== 'string') throw new ValidationError(`${field} must be a string`);
  if (!isCleanText(v))
    throw new ValidationError(`${field}: 使えない文字 (制御文字など) が含まれています (contains control or invalid characters)`);
  const min = rule.min ?? 1;
  const max = rule.max ?? 1000;
  if (v.length < min || v.length > max) throw new ValidationError(`${field} must be ${min}–${max} characters long`);
  if (rule.pattern && !rule.pattern.test(v)) throw new ValidationError(`${field} ${rule.patternHint ?? 'has an invalid format'}`);
  return v;
}

export function requiredString(o: Fields, key: string, rule: StringRule = {}): string {
  if (o[key] === undefined || o[key] === null) throw new ValidationError(`${key} is required`);
  return checkString(o[key], key, rule);
}

export function optionalString(o: Fields, key: string, rule: StringRule = {}): string | undefined {
  if (o[key] === undefined || o[key] === null) return undefined;
  return checkString(o[key], key, rule);
}

export function stringArray(o: Fields, key: string, rule: StringRule & { maxItems?: number } = {}): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new ValidationError(`${key} must be an array of strings`);
  const maxItems = rule.maxItems ?? 100;
  if (v.length > maxItems) throw new ValidationError(`${key} may have at most ${maxItems} items`);
  return v.map((item, i) => checkString(item, `${key}[${i}]`, { max: 200, ...rule }));
}

export function optionalBoolean(o: Fields, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ValidationError(`${key} must be true or false`);
  return v;
}

export function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ValidationError(`${field} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function idString(v: unknown, field: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v !== 'string' || !idInRange(v)) throw new ValidationError(`${field} must be an id (a positive integer up to ${MAX_ID})`);
  return v;
}

// A date, optionally a time (seconds and fraction optional) and a zone. Date.parse alone would
// also take "1", "June 5" or "+275760-09-13".
const isoPattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function isoTime(v: unknown, field: string): Date {
  const d = typeof v === 'string' && v.length <= 40 && isoPattern.test(v) ? new Date(v) : null;
  // new Date('2026-02-30') is 2 March: a day the calendar does not have is refused, not moved.
  const [y, m, day] = typeof v === 'string' ? (v.slice(0, 10).split('-').map(Number) as [number, number, number]) : [0, 0, 0];
  const calendar = new Date(Date.UTC(2000, m - 1, day));
  calendar.setUTCFullYear(y);
  if (!d || Number.isNaN(d.getTime()) || calendar.getUTCMonth() !== m - 1 || calendar.getUTCDate() !== day) {
    throw new ValidationError(`${field} must be an ISO 8601 time such as 2026-11-25T09:00:00+09:00`);
  }
  if (!timeInRange(d)) throw new ValidationError(`${field}: 1970年から9999年までの日時を指定してください (must be between 1970 and 9999)`);
  return d;
}

export function plainJsonObject(v: unknown, field: string, maxBytes = 64 * 1024): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(`${field} must be a JSON object`);
  if (JSON.stringify(v).length > maxBytes) throw new ValidationError(`${field} is larger than ${maxBytes} bytes`);
  return v as Record<string, unknown>;
}
