import type { Context } from 'hono';
import { AppError, ValidationError } from '../errors.ts';
import { idString, isCleanText, isoTime, oneOf } from '../validation.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body strictly: JSON content type, UTF-8 that decodes without substitution, valid
 * JSON without duplicate keys (two parsers reading {"role":"pr_staff","role":"admin"} differently
 * is how checks get bypassed), nesting within MAX_JSON_DEPTH, and no string holding a NUL or
 * other control character — else a clear 4xx, before any handler sees it.
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError('unsupported_media_type', 'Content-Type must be application/json');
  }
  let text: string;
  try {
    text = strictUtf8.decode(await c.req.arrayBuffer());
  } catch {
    throw new ValidationError('body: UTF-8 として読めません (the body is not valid UTF-8)');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
  checkJsonShape(text);
  return value;
}

/** Deeper than any body of ours (the deepest, a source config, is 4). */
export const MAX_JSON_DEPTH = 32;

/** Walks JSON text already known to parse: depth, duplicate keys, forbidden characters in strings. */
function checkJsonShape(text: string): void {
  const frames: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1)) as string;
      if (!isCleanText(s)) throw new ValidationError('body: 文字列に使えない文字 (NUL などの制御文字) が含まれています (a string holds a NUL or other control character)');
      const top = frames.at(-1);
      if (top?.keys && top.expectKey) {
        if (top.keys.has(s)) throw new ValidationError(`body: 項目 "${s.slice(0, 40)}" が重複しています (duplicate key)`);
        top.keys.add(s);
        top.expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      if (frames.length >= MAX_JSON_DEPTH) throw new ValidationError(`body: 入れ子が深すぎます (nested deeper than ${MAX_JSON_DEPTH})`);
      frames.push({ keys: ch === '{' ? new Set() : null, expectKey: ch === '{' });
    } else if (ch === '}' || ch === ']') {
      frames.pop();
    } else if (ch === ',') {
      const top = frames.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
}

const allowed = (c: Context, names: readonly string[]) => {
  const unknown = Object.keys(c.req.query()).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(`unknown query parameter(s) ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; allowed: ${names.join(', ')}`);
  }
};

export function queryOf(c: Context, names: readonly string[]) {
  // Repeated and undecodable parameters are refused before any handler (src/http/operation-guard.ts).
  allowed(c, names);
  const q = c.req.query();
  return {
    id(name: string, required = false): string | undefined {
      const v = q[name];
      if (v === undefined || v === '') {
        if (required) throw new ValidationError(`${name} is required`);
        return undefined;
      }
      return idString(v, name);
    },
    time(name: string, required = false): Date | undefined {
      const v = q[name];
      if (v === undefined || v === '') {
        if (required) throw new ValidationError(`${name} is required`);
        return undefined;
      }
      return isoTime(v, name);
    },
    oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
      const v = q[name];
      return v === undefined || v === '' ? undefined : oneOf(v, name, values);
    },
    string(name: string, max = 200): string | undefined {
      const v = q[name];
      if (v === undefined || v === '') return undefined;
      if (v.length > max) throw new ValidationError(`${name} must be at most ${max} characters`);
      if (!isCleanText(v)) throw new ValidationError(`${name}: 使えない文字 (制御文字など) が含まれています (contains control or invalid characters)`);
      return v;
    },
    int(name: string, min: number, max: number): number | undefined {
      const v = q[name];
      if (v === undefined || v === '') return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ValidationError(`${name} must be an integer between ${min} and ${max}`);
      return Number(v);
    },
  };
}

export function pathId(c: Context, name: string): string {
  return idString(c.req.param(name), name);
}

/**
 * The path's :orgId. Always the caller's own organization — the auth middleware (src/auth/middleware.ts)
 * answers 404 for any other before a handler runs — so it exists and needs no lookup here.
 */
export function orgIdParam(c: Context): string {
  return pathId(c, 'orgId');
}
