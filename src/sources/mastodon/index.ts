import type { SourceDefinition } from '../types.ts';
import { collectMastodon } from './collector.ts';
import { parseMastodonConfig, type MastodonConfig } from './config.ts';

export type { MastodonConfig } from './config.ts';

export const mastodonSource: SourceDefinition<MastodonConfig> = {
  type: 'mastodon',
  label: 'Mastodon ハッシュタグ (Mastodon hashtags)',
  // 300 requests per 5 minutes per IP on default instances; a run takes a few.
  defaultSchedule: '*/5 * * * *',
  parseConfig: parseMastodonConfig,
  secretNames: (config) => (config.accessTokenEnv === null ? [] : [config.accessTokenEnv]),
  collect: collectMastodon,
};
