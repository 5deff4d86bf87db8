// Labels the dashboard shows for stored codes. Times and escaping: src/display.ts.
export const sentimentLabels = { positive: 'ポジティブ', neutral: 'ニュートラル', negative: 'ネガティブ' } as const;

export const sourceLabels: Record<string, string> = {
  demo: 'デモ',
  x: 'X',
  facebook: 'Facebook',
  instagram: 'Instagram',
  line: 'LINE',
  google_reviews: 'Googleクチコミ',
  youtube: 'YouTube',
  bluesky: 'Bluesky',
  mastodon: 'Mastodon',
  rss: 'RSS',
  import: '取り込み',
};
