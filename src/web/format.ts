// Display formatting: stored times are UTC, people read Asia/Tokyo.
const jstDateTime = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
});
const jstTime = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });

export function formatJst(d: Date): string {
  return jstDateTime.format(d);
}

export function formatJstTime(d: Date): string {
  return jstTime.format(d);
}

export const sentimentLabels = { positive: 'ポジティブ', neutral: 'ニュートラル', negative: 'ネガティブ' } as const;

export const sourceLabels: Record<string, string> = {
  demo: 'デモ', x: 'X', facebook: 'Facebook', instagram: 'Instagram', line: 'LINE', google_reviews: 'Googleクチコミ',
  youtube: 'YouTube', bluesky: 'Bluesky', mastodon: 'Mastodon', rss: 'RSS', import: '取り込み',
};
