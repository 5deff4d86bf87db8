// Durations as people say them on a ward: 「12分」「3時間5分」「2日」.

export function durationJa(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return '1分未満';
  if (minutes < 60) return `${minutes}分`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}時間` : `${hours}時間${minutes % 60}分`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}日` : `${days}日${hours % 24}時間`;
}

/** How long since `at`, as of `now`. */
export function sinceJa(at: Date, now: Date): string {
  return durationJa(now.getTime() - at.getTime());
}
