import { ValidationError } from '../../errors.ts';
import { configObject, httpUrl, integerIn, optionalEnvName } from '../config-fields.ts';

export interface XConfig {
  baseUrl: string;
  /** Name of the environment variable holding the app's Bearer token. */
  bearerTokenEnv: string | null;
  /** Restrict search to one language (X's lang: operator), e.g. 'ja'; null for all. */
  lang: string | null;
  excludeRetweets: boolean;
  /** 512 on the self-serve tiers, 4096 on Pro/Enterprise (X API docs, "Build a query"). */
  maxQueryLength: number;
  /** Results per page, 10–100 (search/recent max_results). */
  maxResults: number;
  /** Upper bound on requests per run; the cursor keeps the position, the next run continues. */
  maxPagesPerRun: number;
  /** How many recently collected posts are re-looked-up per run to detect deletions (0 = off). */
  deletionCheckIds: number;
  /** Posts older than this are no longer re-checked. */
  deletionCheckHours: number;
  requestTimeoutMs: number;
}

export const xApiBaseUrl = 'https://api.x.com';

export function parseXConfig(input: unknown): XConfig {
  const raw = configObject(input);
  let lang: string | null = null;
  if (raw.lang !== undefined && raw.lang !== null) {
    if (typeof raw.lang !== 'string' || !/^[a-z]{2,3}$/.test(raw.lang)) {
      throw new ValidationError('lang: ISO 639-1 の言語コード (例: ja) (language code such as "ja")');
    }
    lang = raw.lang;
  }
  if (raw.excludeRetweets !== undefined && typeof raw.excludeRetweets !== 'boolean') {
    throw new ValidationError('excludeRetweets: true か false (must be a boolean)');
  }
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', xApiBaseUrl),
    bearerTokenEnv: optionalEnvName(raw.bearerTokenEnv, 'bearerTokenEnv'),
    lang,
    excludeRetweets: raw.excludeRetweets ?? false,
    maxQueryLength: integerIn(raw.maxQueryLength, 'maxQueryLength', 64, 4096, 512),
    maxResults: integerIn(raw.maxResults, 'maxResults', 10, 100, 100),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 10_000, 50),
    deletionCheckIds: integerIn(raw.deletionCheckIds, 'deletionCheckIds', 0, 1_000, 100),
    deletionCheckHours: integerIn(raw.deletionCheckHours, 'deletionCheckHours', 1, 24 * 7, 48),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 50, 300_000, 30_000),
  };
}
