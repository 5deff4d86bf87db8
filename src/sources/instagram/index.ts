import { metaCredentials, metaEndpoints } from '../facebook/config.ts';
import type { SourceDefinition } from '../types.ts';
import { collectInstagram } from './collector.ts';
import { parseInstagramConfig, type InstagramConfig } from './config.ts';
import { handleInstagramWebhook } from './webhook.ts';

export type { InstagramConfig } from './config.ts';

export const instagramSource: SourceDefinition<InstagramConfig> = {
  type: 'instagram',
  label: 'Instagram',
  // recent_media only covers 24 hours; every 30 minutes keeps well inside that with few calls.
  defaultSchedule: '*/30 * * * *',
  parseConfig: parseInstagramConfig,
  credentials: metaCredentials<InstagramConfig>(),
  requiredCredentials: () => ['accessToken'],
  endpoints: metaEndpoints,
  collect: collectInstagram,
  webhook: { handle: handleInstagramWebhook },
};
