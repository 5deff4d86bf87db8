import type { Context } from 'hono';
import { AppError, ValidationError } from '../errors.ts';
import { idString, isCleanText } from '../validation.ts';

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
      if (!isCleanText(s))
        throw new ValidationError(
          'body: 文字列に使えない文字 (NUL などの制御文字) が含まれています (a string holds a NUL or other control character)',
        );
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

export function pathId(c: Context, name: string): string {
  return idString(c.req.param(name), name);
}
