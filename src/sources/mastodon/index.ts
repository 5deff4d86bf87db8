import type { SourceDefinition } from '../types.ts';
import { collectMastodon } from './collector.ts';
import { originOf, slot } from '../config-fields.ts';
import { parseMastodonConfig, type MastodonConfig } from './config.ts';

export type { MastodonConfig } from './config.ts';

export const mastodonSource: SourceDefinition<MastodonConfig> = {
  type: 'mastodon',
  label: 'Mastodon ハッシュタグ (Mastodon hashtags)',
  // 300 requests per 5 minutes per IP on default instances; a run takes a few.
  defaultSchedule: '*/5 * * * *',
  parseConfig: parseMastodonConfig,
  credentials: [
    slot('accessToken', 'アクセストークン (access token; only for instances that hide public timelines)', (c) => c.accessTokenEnv),
  ],
  requiredCredentials: () => [],
  // The instance is the org's choice (there is no one Mastodon); the token goes to it alone, and
  // changing the instance clears the stored token (src/collection/update-source.ts).
  endpoints: (c) => ({ credentialOrigins: [originOf(c.baseUrl)], operatorUrls: [] }),
  collect: collectMastodon,
};
