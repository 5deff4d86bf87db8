import { z } from '@hono/zod-openapi';
import { idInRange, isCleanText, isoTime, MAX_ID } from '../validation.ts';

// The zod pieces every route definition shares: ids, times and query values with the bounds of
// src/validation.ts (what Postgres refuses must be a 400 here, not a 500 there), the error body,
// and small helpers for request bodies and JSON answers. Request bodies are z.strictObject so an
// unknown field is refused, never ignored; answers are z.object, open to new fields.

const idMessage = `must be an id (a positive integer up to ${MAX_ID})`;

/** Ids are bigints written as decimal strings; 0 and values past 2^63−1 are refused. */
export const id = () =>
  z
    .string()
    .regex(/^[0-9]{1,19}$/, idMessage)
    .refine(idInRange, idMessage);

/** A path parameter that is an id. */
export const idParam = (description?: string) => id().openapi({ description: description ?? 'decimal id' });

/** The :orgId every organization path starts with (src/auth/middleware.ts 404s other organizations'). */
export const orgParams = z.object({ orgId: idParam('組織 ID (organization id)') });

/** Text a person typed: well-formed, without NUL or other control characters. */
export const cleanText = (max: number, min = 1) =>
  z
    .string()
    .min(min, `must be ${min}–${max} characters long`)
    .max(max, `must be ${min}–${max} characters long`)
    .refine(isCleanText, '使えない文字 (制御文字など) が含まれています (contains control or invalid characters)');

/** A time in a request body: ISO 8601 within 1970–9999, as a Date. */
export const timeInput = () =>
  z
    .string()
    .max(40)
    .transform((v, ctx) => {
      try {
        return isoTime(v, 'time');
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^time:? /, '') });
        return z.NEVER;
      }
    })
    .openapi({ type: 'string', format: 'date-time' });

/** A time in an answer (a Date serialised by JSON). */
export const time = () => z.string().openapi({ format: 'date-time' });

// Query values arrive as strings, and an empty one (`?status=`, what a form sends for "any")
// means the parameter is absent.
const blank = (v: unknown) => (v === '' ? undefined : v);
const optionalQuery = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

export const query = {
  id: (description?: string) => optionalQuery(id()).openapi({ description: description ?? 'decimal id' }),
  time: (description?: string) =>
    optionalQuery(timeInput()).openapi({ type: 'string', format: 'date-time', ...(description ? { description } : {}) }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, description?: string) =>
    optionalQuery(z.enum(values)).openapi(description ? { description } : {}),
  int: (min: number, max: number, description?: string) =>
    optionalQuery(
      z
        .string()
        .regex(/^\d{1,15}$/, `must be an integer between ${min} and ${max}`)
        .transform(Number)
        .pipe(
          z
            .number()
            .int()
            .min(min, `must be an integer between ${min} and ${max}`)
            .max(max, `must be an integer between ${min} and ${max}`),
        ),
    ).openapi({ type: 'integer', minimum: min, maximum: max, description: description ?? `${min}–${max}` }),
  text: (max: number, description?: string) => optionalQuery(cleanText(max)).openapi(description ? { description } : {}),
};

/** How many items a list answers with, 1–max. */
export const limit = (max = 200) => query.int(1, max, `件数 (1–${max})`);

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum([
        'bad_request',
        'validation_failed',
        'unauthorized',
        'forbidden',
        'reauth_required',
        'not_found',
        'conflict',
        'payload_too_large',
        'unsupported_media_type',
        'rate_limited',
        'unavailable',
        'config_invalid',
        'internal',
      ]),
      message: z.string().openapi({ description: '日本語 (English) のメッセージ。どの項目が悪いかを示す' }),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');

/** A JSON request body (required: a route that takes a body takes one). */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true as const,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
});

/**
 * A JSON request body that may be left out (no content type, no bytes): the handler then sees `{}`,
 * so every field of its schema must be optional.
 */
export const optionalJsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: false as const,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
});

/** A JSON answer. */
export const jsonAnswer = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

/** The media types a route may answer with besides JSON. */
export type TextMediaType = 'text/markdown' | 'text/html';

/** A text answer (a Markdown export, a print page); the handler answers with answerText() (src/http/route.ts). */
export const textAnswer = <const M extends TextMediaType>(mediaType: M, description = 'OK') => ({
  description,
  content: { [mediaType]: { schema: z.string() } } as Record<M, { schema: z.ZodString }>,
});

/** `{ items: [...] }`, the shape of every list. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
