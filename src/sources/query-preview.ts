import { searchTerms } from './bluesky/collector.ts';
import { hashtagsFor } from './mastodon/collector.ts';
import { parseMastodonConfig } from './mastodon/config.ts';
import type { WatchTargetSpec } from './types.ts';
import { parseXConfig } from './x/config.ts';
import { buildXQueries } from './x/query.ts';

// What the searching collectors will ask each network for one watch target, computed by the same
// functions the collectors run, with the organisation's own source settings (an X source on the
// Pro tier allows 4,096 characters, not 512). Shown beside the watch-target form before saving.

export type PreviewNetwork = 'x' | 'bluesky' | 'mastodon';

export interface QueryPreview {
  network: PreviewNetwork;
  /** Queries (X), phrase searches (Bluesky) or hashtags followed (Mastodon). */
  queries: string[];
  /** What the person should know: exclusions applied after fetching, terms left out, no source yet. */
  notes: string[];
}

export function previewTargetQueries(target: WatchTargetSpec, sources: readonly { type: string; config: unknown }[]): QueryPreview[] {
  const configOf = (type: PreviewNetwork) => sources.find((s) => s.type === type)?.config;
  const unset = (type: PreviewNetwork) =>
    configOf(type) === undefined ? ['このネットワークのソースは未登録です（既定の設定で表示）。'] : [];

  const x = parseXConfig(configOf('x') ?? {});
  const plan = buildXQueries(target, { maxLength: x.maxQueryLength, lang: x.lang, excludeRetweets: x.excludeRetweets });
  const xNotes = [...unset('x')];
  if (plan.clientSideExclusions.length > 0) {
    xNotes.push(`クエリに入りきらない除外語は取得後に除きます: ${plan.clientSideExclusions.join('、')}`);
  }
  if (plan.skippedTerms.length > 0) xNotes.push(`長すぎて検索できない語: ${plan.skippedTerms.join('、')}`);

  const mastodon = parseMastodonConfig(configOf('mastodon') ?? {});
  const tags = hashtagsFor({ ...mastodon, hashtags: [] }, [target]).map((t) => `#${t.tag}`);
  const mastodonNotes = [...unset('mastodon')];
  if (!mastodon.hashtagsFromTargets) mastodonNotes.push('このソースは監視対象の名前からハッシュタグを作らない設定です。');
  else if (tags.length === 0) mastodonNotes.push('ハッシュタグにできる名前がありません（空白を除いた文字・数字・_ のみ）。');

  return [
    { network: 'x', queries: plan.queries, notes: xNotes },
    { network: 'bluesky', queries: searchTerms([target], []).map((t) => t.q), notes: unset('bluesky') },
    { network: 'mastodon', queries: mastodon.hashtagsFromTargets ? tags : [], notes: mastodonNotes },
  ];
}
