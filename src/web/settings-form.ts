import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { statusByCode } from '../http/errors.ts';

// A settings form refused: each problem in Japanese, naming the field as the form labels it,
// so a person knows what to fix without reading the API's English.

export function issuesInJapanese(issues: readonly z.core.$ZodIssue[], labels: Record<string, string>): string[] {
  return issues.map((i) => {
    const named = i.path.map(String);
    const field = labels[named.join('.')] ?? labels[named.slice(0, 2).join('.')] ?? labels[named[0] ?? ''] ?? '入力';
    const last = i.path[i.path.length - 1];
    const item = typeof last === 'number' ? `（${last + 1}行目）` : '';
    switch (i.code) {
      case 'too_big':
        return i.origin === 'array' ? `${field}: ${String(i.maximum)}件までです。` : `${field}${item}: ${String(i.maximum)}文字までです。`;
      case 'too_small':
        return i.origin === 'array' ? `${field}: 1件以上入力してください。` : `${field}${item}: 入力してください。`;
      case 'invalid_format':
        return `${field}${item}: 形式が正しくありません。`;
      case 'custom':
        return `${field}${item}: ${/[ぁ-んァ-ン一-龠]/.test(i.message) ? i.message.replace(/ \(.*\)$/, '') : '使えない値です。'}`;
      default:
        return `${field}${item}: 正しくありません。`;
    }
  });
}

/** A textarea with one item per line: trimmed, blank lines dropped. */
export const lines = (v: unknown): string[] =>
  typeof v === 'string'
    ? v
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : [];

/**
 * A verb's refusal as a line for the form it came from (the page shows the form again with it);
 * anything that is not the person's to fix goes on to the page guard.
 */
export function refusalMessage(err: unknown): string {
  if (err instanceof AppError && statusByCode[err.code] < 500) return err.message;
  throw err;
}
