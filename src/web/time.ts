import { formatDuration } from '../postmortems/metrics.ts';

/** How long since `at`, as of `now`, as people say it (「42分」「3時間5分」): the post-mortems' formatter. */
export function sinceJa(at: Date, now: Date): string {
  return formatDuration(Math.max(0, now.getTime() - at.getTime()));
}

/** A time as a datetime-local field shows it, in JST (what a Japanese user reads and types); '' for none. */
export function jstInputValue(d: Date | string | null): string {
  return d ? new Date(new Date(d).getTime() + 9 * 3_600_000).toISOString().slice(0, 16) : '';
}
