import { formatDuration } from '../postmortems/metrics.ts';

/** How long since `at`, as of `now`, as people say it (「42分」「3時間5分」): the post-mortems' formatter. */
export function sinceJa(at: Date, now: Date): string {
  return formatDuration(Math.max(0, now.getTime() - at.getTime()));
}
