import { ValidationError } from '../../errors.ts';
import { configObject, httpUrl, integerIn, optionalEnvName, stringList } from '../config-fields.ts';

export interface BlueskyConfig {
  /** The account's PDS; it serves the session and proxies app.bsky.* to the AppView. */
  baseUrl: string;
  identifierEnv: string | null;
  appPasswordEnv: string | null;
  /** Extra search queries besides the watch targets' names and keywords. */
  queries: string[];
  /** Only posts in this language (e.g. ja), or all when null. */
  lang: string | null;
  pageSize: number;
  maxPagesPerRun: number;
  requestTimeoutMs: number;
}

export const blueskyBaseUrl = 'https://bsky.social';

export function parseBlueskyConfig(input: unknown): BlueskyConfig {
  const raw = configObject(input);
  const lang = raw.lang;
  if (lang !== undefined && lang !== null && (typeof lang !== 'string' || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang))) {
    throw new ValidationError('lang: 言語コード (BCP 47, e.g. ja)');
  }
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', blueskyBaseUrl),
    identifierEnv: optionalEnvName(raw.identifierEnv, 'identifierEnv'),
    appPasswordEnv: optionalEnvName(raw.appPasswordEnv, 'appPasswordEnv'),
    queries: stringList(raw.queries, 'queries', /^[^\u0000-\u001f]{1,256}$/, 50),
    lang: typeof lang === 'string' ? lang : null,
    // searchPosts allows limit 1–100.
    pageSize: integerIn(raw.pageSize, 'pageSize', 1, 100, 100),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 1000, 20),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 100, 300_000, 30_000),
  };
}
