import type { Context } from 'hono';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { cleanText } from '../http/schemas.ts';

// What every page form needs: fields through a zod schema (a clear 400 page instead of a verb fed
// the wrong shape) and path numbers checked before they reach a query.

/** A form's fields through a zod schema: a clear 400 page instead of a verb fed the wrong shape. */
export async function formOf<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await c.req.parseBody());
  if (!parsed.success) throw new ValidationError(`入力を確認してください: ${parsed.error.issues.map((i) => i.message).join(' / ')}`);
  return parsed.data;
}

export function pathNumber(c: Context<AppEnv>, name: string, what: string): string {
  const id = c.req.param(name) ?? '';
  if (!/^[1-9]\d{0,17}$/.test(id)) throw new ValidationError(`${what}が正しくありません`);
  return id;
}
export const optionalText = (max: number) => z.preprocess((v) => (v === '' ? undefined : v), cleanText(max).optional());

/** The incident in a page's path (/incidents/:incidentId/…). */
export const incidentId = (c: Context<AppEnv>) => pathNumber(c, 'incidentId', 'インシデント番号');

/** A datetime-local field, read as JST (what the person sees on the page). */
export const jstLocal = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, '日時の形式が正しくありません')
  .transform((v) => new Date(`${v}:00+09:00`))
  .refine((d) => !Number.isNaN(d.getTime()), '日時が正しくありません');
