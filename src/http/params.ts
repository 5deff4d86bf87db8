import type { Context } from 'hono';
import { AppError, ValidationError } from '../errors.ts';
import { idString, isoTime, oneOf } from '../validation.ts';

/** Parses a JSON body strictly: JSON content type, valid JSON, else a clear 4xx. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError('unsupported_media_type', 'Content-Type must be application/json');
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
}

const allowed = (c: Context, names: readonly string[]) => {
  const unknown = Object.keys(c.req.query()).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(`unknown query parameter(s) ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}; allowed: ${names.join(', ')}`);
  }
};

export function queryOf(c: Context, names: readonly string[]) {
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
