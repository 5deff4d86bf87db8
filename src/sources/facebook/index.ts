import type { SourceDefinition } from '../types.ts';
import { collectFacebook } from './collector.ts';
import { metaCredentials, metaEndpoints, parseFacebookConfig, type FacebookConfig } from './config.ts';
import { handleFacebookWebhook } from './webhook.ts';

export type { FacebookConfig } from './config.ts';

export const facebookSource: SourceDefinition<FacebookConfig> = {
  type: 'facebook',
  label: 'Facebook ページ',
  // Webhooks deliver in near real time; the pull every 15 minutes fills gaps and refreshes counts.
  defaultSchedule: '*/15 * * * *',
  parseConfig: parseFacebookConfig,
  credentials: metaCredentials<FacebookConfig>(),
  requiredCredentials: () => ['accessToken'],
  endpoints: metaEndpoints,
  collect: collectFacebook,
  webhook: { handle: handleFacebookWebhook },
};
