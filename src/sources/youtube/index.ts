import type { SourceDefinition } from '../types.ts';
import { collectYouTube } from './collector.ts';
import { originOf, slot } from '../config-fields.ts';
import { parseYouTubeConfig, youtubeApiBaseUrl, type YouTubeConfig } from './config.ts';

export type { YouTubeConfig } from './config.ts';

export const youtubeSource: SourceDefinition<YouTubeConfig> = {
  type: 'youtube',
  label: 'YouTube コメント (YouTube comments)',
  // 10,000 quota units a day by default; a list call costs 1, so every 15 minutes leaves room
  // for several channels with reply pages.
  defaultSchedule: '*/15 * * * *',
  parseConfig: parseYouTubeConfig,
  credentials: [slot('apiKey', 'API キー (Data API v3 key)', (c) => c.apiKeyEnv)],
  requiredCredentials: () => ['apiKey'],
  endpoints: (c) => ({
    credentialOrigins: [originOf(c.baseUrl)],
    operatorUrls: [{ field: 'baseUrl', url: c.baseUrl, defaultUrl: youtubeApiBaseUrl }],
  }),
  collect: collectYouTube,
};
