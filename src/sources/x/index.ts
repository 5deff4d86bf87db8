import type { SourceDefinition } from '../types.ts';
import { collectX } from './collector.ts';
import { parseXConfig, type XConfig } from './config.ts';

export type { XConfig } from './config.ts';

export const xSource: SourceDefinition<XConfig> = {
  type: 'x',
  label: 'X (旧Twitter)',
  // Recent search allows 450 requests per 15 minutes per app; every 5 minutes leaves room for
  // paging through a burst.
  defaultSchedule: '*/5 * * * *',
  parseConfig: parseXConfig,
  secretNames: (config) => [config.bearerTokenEnv],
  collect: collectX,
};
