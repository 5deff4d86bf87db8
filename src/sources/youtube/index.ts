import type { SourceDefinition } from '../types.ts';
import { collectYouTube } from './collector.ts';
import { parseYouTubeConfig, type YouTubeConfig } from './config.ts';

export type { YouTubeConfig } from './config.ts';

export const youtubeSource: SourceDefinition<YouTubeConfig> = {
  type: 'youtube',
  label: 'YouTube コメント (YouTube comments)',
  // 10,000 quota units a day by default; a list call costs 1, so every 15 minutes leaves room
  // for several channels with reply pages.
  defaultSchedule: '*/15 * * * *',
  parseConfig: parseYouTubeConfig,
  secretNames: (config) => [config.apiKeyEnv],
  collect: collectYouTube,
};
