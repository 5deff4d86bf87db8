import type { SourceDefinition } from '../types.ts';
import { collectBluesky } from './collector.ts';
import { originOf, slot } from '../config-fields.ts';
import { blueskyBaseUrl, parseBlueskyConfig, type BlueskyConfig } from './config.ts';

export type { BlueskyConfig } from './config.ts';

export const blueskySource: SourceDefinition<BlueskyConfig> = {
  type: 'bluesky',
  label: 'Bluesky',
  // Search is cheap (3,000 requests per 5 minutes per account); sessions are reused across runs.
  defaultSchedule: '*/5 * * * *',
  parseConfig: parseBlueskyConfig,
  credentials: [
    slot('identifier', 'ハンドルまたはメール (handle or e-mail)', (c) => c.identifierEnv),
    slot('appPassword', 'アプリパスワード (app password)', (c) => c.appPasswordEnv),
  ],
  requiredCredentials: () => ['identifier', 'appPassword'],
  endpoints: (c) => ({
    credentialOrigins: [originOf(c.baseUrl)],
    operatorUrls: [{ field: 'baseUrl', url: c.baseUrl, defaultUrl: blueskyBaseUrl }],
  }),
  collect: collectBluesky,
};
