import type { MentionMetrics } from '../mention.ts';

// Readers for untrusted platform payloads (and the cursors built from them), shared by every
// source's map, client and collector.
// Each returns null (or undefined) instead of throwing: a stranger's malformed post must cost
// one skipped item, never the page.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or null: platforms send '' where they mean "absent". */
export function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Any string, '' included, or null. */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A counter (likes, replies …): a non-negative safe integer, or undefined so it is left out. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** An ISO 8601 / RFC 3339 timestamp; longer than 64 characters is not a timestamp, it is a payload. */
export function parseTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** An https URL (normalised) of at most 2048 characters, or null: anything else is not linked. */
export function httpsUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/** The counters that are present; an absent one is left out rather than stored as 0. */
export function definedMetrics(parts: { [K in keyof MentionMetrics]?: number | undefined }): MentionMetrics {
  const metrics: MentionMetrics = {};
  for (const [key, value] of Object.entries(parts)) if (value !== undefined) metrics[key as keyof MentionMetrics] = value;
  return metrics;
}

/** The later of two ISO timestamps; null means "none yet". */
export function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** An item's id for the log line that says it was skipped: capped, since a stranger wrote it. */
export function idForLog(item: unknown, maxLength: number): string {
  return isRecord(item) && typeof item.id === 'string' ? item.id.slice(0, maxLength) : '(no id)';
}
