import { ValidationError } from './errors.ts';

// Strict input validation for API bodies, query strings and CLI input. Every error names the
// field and what is wrong; unknown fields are refused so a typo never silently does nothing.

export type Fields = Record<string, unknown>;

export function object(input: unknown, allowed: readonly string[], what = 'body'): Fields {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(`${what} must be a JSON object`);
  }
  const unknown = Object.keys(input).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(`${what}: unknown field(s) ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
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
  if (!v.isWellFormed() || v.includes('\u0000')) throw new ValidationError(`${field} contains invalid characters`);
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
  if (typeof v !== 'string' || !/^[1-9]\d{0,17}$/.test(v)) throw new ValidationError(`${field} must be an id (a positive integer)`);
  return v;
}

export function isoTime(v: unknown, field: string): Date {
  if (typeof v !== 'string' || v.length > 40 || Number.isNaN(Date.parse(v))) {
    throw new ValidationError(`${field} must be an ISO 8601 time such as 2026-11-25T09:00:00+09:00`);
  }
  return new Date(v);
}

export function plainJsonObject(v: unknown, field: string, maxBytes = 64 * 1024): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(`${field} must be a JSON object`);
  if (JSON.stringify(v).length > maxBytes) throw new ValidationError(`${field} is larger than ${maxBytes} bytes`);
  return v as Record<string, unknown>;
}
