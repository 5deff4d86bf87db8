import type { SourceDefinition } from '../types.ts';
import { collectRss } from './collector.ts';
import { parseRssConfig, type RssConfig } from './config.ts';

export type { RssConfig } from './config.ts';

export const rssSource: SourceDefinition<RssConfig> = {
  type: 'rss',
  label: 'RSS / Atom フィード (news and blogs)',
  // Conditional GET makes an unchanged feed nearly free; news sites update every few minutes.
  defaultSchedule: '*/10 * * * *',
  parseConfig: parseRssConfig,
  credentials: [],
  requiredCredentials: () => [],
  // Feeds are the org's choice of URL; the outbound guard keeps them off internal addresses.
  endpoints: () => ({ credentialOrigins: [], operatorUrls: [] }),
  collect: collectRss,
};
