import type { SourceDefinition } from '../types.ts';
import { collectFacebook } from './collector.ts';
import { metaSecretNames, parseFacebookConfig, type FacebookConfig } from './config.ts';
import { handleFacebookWebhook } from './webhook.ts';

export type { FacebookConfig } from './config.ts';

export const facebookSource: SourceDefinition<FacebookConfig> = {
  type: 'facebook',
  label: 'Facebook ページ',
  // Webhooks deliver in near real time; the pull every 15 minutes fills gaps and refreshes counts.
  defaultSchedule: '*/15 * * * *',
  parseConfig: parseFacebookConfig,
  secretNames: metaSecretNames,
  collect: collectFacebook,
  webhook: { handle: handleFacebookWebhook },
};
