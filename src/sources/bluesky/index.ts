import type { SourceDefinition } from '../types.ts';
import { collectBluesky } from './collector.ts';
import { parseBlueskyConfig, type BlueskyConfig } from './config.ts';

export type { BlueskyConfig } from './config.ts';

export const blueskySource: SourceDefinition<BlueskyConfig> = {
  type: 'bluesky',
  label: 'Bluesky',
  // Search is cheap (3,000 requests per 5 minutes per account); sessions are reused across runs.
  defaultSchedule: '*/5 * * * *',
  parseConfig: parseBlueskyConfig,
  secretNames: (config) => [config.identifierEnv, config.appPasswordEnv],
  collect: collectBluesky,
};
