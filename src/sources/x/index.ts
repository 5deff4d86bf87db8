import type { SourceDefinition } from '../types.ts';
import { collectX } from './collector.ts';
import { originOf, slot } from '../config-fields.ts';
import { parseXConfig, xApiBaseUrl, type XConfig } from './config.ts';

export type { XConfig } from './config.ts';

export const xSource: SourceDefinition<XConfig> = {
  type: 'x',
  label: 'X (旧Twitter)',
  // Recent search allows 450 requests per 15 minutes per app; every 5 minutes leaves room for
  // paging through a burst.
  defaultSchedule: '*/5 * * * *',
  parseConfig: parseXConfig,
  credentials: [slot('bearerToken', 'Bearer トークン (app-only bearer token)', (c) => c.bearerTokenEnv)],
  requiredCredentials: () => ['bearerToken'],
  endpoints: (c) => ({
    credentialOrigins: [originOf(c.baseUrl)],
    operatorUrls: [{ field: 'baseUrl', url: c.baseUrl, defaultUrl: xApiBaseUrl }],
  }),
  collect: collectX,
};
