import { createHttpClient, type HttpClient } from '../http.ts';
import { SourceResponseError, type ErrorDisposition, type ErrorResponse } from '../http-errors.ts';
import type { SourceRuntime } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { XConfig } from './config.ts';

// X API v2 over the shared HTTP layer: Bearer auth, X's problem types mapped to what the
// collector should do, and response envelopes checked before anything is mapped.

const tweetFields = [
  'id',
  'text',
  'created_at',
  'author_id',
  'conversation_id',
  'lang',
  'referenced_tweets',
  'public_metrics',
  'edit_history_tweet_ids',
  'in_reply_to_user_id',
  'note_tweet',
].join(',');
const expansions = ['author_id', 'referenced_tweets.id', 'referenced_tweets.id.author_id'].join(',');
const userFields = ['id', 'name', 'username'].join(',');

export interface XSearchPage {
  /** Items as sent; mapped (and rejected) one by one by the collector. */
  data: unknown[];
  includes: unknown;
  /** Partial errors: a referenced post that is gone, a protected author … */
  errors: Record<string, unknown>[];
  meta: { newestId: string | null; oldestId: string | null; resultCount: number; nextToken: string | null };
}

export interface XLookupResult {
  data: unknown[];
  includes: unknown;
  errors: Record<string, unknown>[];
}

const problemPrefix = 'https://api.twitter.com/2/problems/';

export function classifyXError(response: ErrorResponse): ErrorDisposition | undefined {
  const body = isRecord(response.json) ? response.json : {};
  const type = typeof body.type === 'string' ? body.type.replace(problemPrefix, '') : '';
  // A monthly/daily usage cap does not reset within a run (the reset headers describe the
  // 15-minute window, not the cap), so the run stops instead of waiting.
  if (type === 'usage-capped') return { kind: 'exhausted' };
  if (response.status === 429) return { kind: 'throttled' };
  if (type === 'client-forbidden' || type === 'not-authorized-for-resource' || type === 'unsupported-authentication') {
    return { kind: 'auth' };
  }
  if (type === 'invalid-request') return { kind: 'fatal' };
  return undefined;
}

export interface XClient {
  searchRecent(params: { query: string; sinceId: string | null; nextToken: string | null; maxResults: number }): Promise<XSearchPage>;
  lookup(ids: string[]): Promise<XLookupResult>;
  http: HttpClient;
}

export function createXClient(config: XConfig, runtime: SourceRuntime): XClient {
  const http = createHttpClient({
    runtime,
    label: 'x',
    headers: { authorization: `Bearer ${runtime.secret('bearerToken')}` },
    timeoutMs: config.requestTimeoutMs,
    classifyError: classifyXError,
  });

  function errorsOf(body: Record<string, unknown>): Record<string, unknown>[] {
    return Array.isArray(body.errors) ? body.errors.filter(isRecord) : [];
  }

  async function searchRecent(params: {
    query: string;
    sinceId: string | null;
    nextToken: string | null;
    maxResults: number;
  }): Promise<XSearchPage> {
    const url = new URL(`${config.baseUrl}/2/tweets/search/recent`);
    url.searchParams.set('query', params.query);
    url.searchParams.set('max_results', String(params.maxResults));
    if (params.sinceId) url.searchParams.set('since_id', params.sinceId);
    if (params.nextToken) url.searchParams.set('next_token', params.nextToken);
    url.searchParams.set('tweet.fields', tweetFields);
    url.searchParams.set('expansions', expansions);
    url.searchParams.set('user.fields', userFields);
    const { body } = await http.requestJson(url, { rateLimitBucket: 'search' });
    if (!isRecord(body) || !isRecord(body.meta)) {
      throw new SourceResponseError('x: 検索結果の形式が不正です (search response without meta)');
    }
    const data = body.data ?? [];
    if (!Array.isArray(data)) throw new SourceResponseError('x: data が配列ではありません (search data is not an array)');
    const meta = body.meta;
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : null);
    return {
      data,
      includes: body.includes,
      errors: errorsOf(body),
      meta: {
        newestId: str(meta.newest_id),
        oldestId: str(meta.oldest_id),
        resultCount: typeof meta.result_count === 'number' ? meta.result_count : data.length,
        nextToken: str(meta.next_token),
      },
    };
  }

  async function lookup(ids: string[]): Promise<XLookupResult> {
    const url = new URL(`${config.baseUrl}/2/tweets`);
    url.searchParams.set('ids', ids.join(','));
    url.searchParams.set('tweet.fields', tweetFields);
    url.searchParams.set('expansions', 'author_id');
    url.searchParams.set('user.fields', userFields);
    const { body } = await http.requestJson(url, { rateLimitBucket: 'lookup' });
    if (!isRecord(body)) throw new SourceResponseError('x: 投稿取得の応答が不正です (lookup response is not an object)');
    const data = body.data ?? [];
    if (!Array.isArray(data)) throw new SourceResponseError('x: data が配列ではありません (lookup data is not an array)');
    return { data, includes: body.includes, errors: errorsOf(body) };
  }

  return { searchRecent, lookup, http };
}
