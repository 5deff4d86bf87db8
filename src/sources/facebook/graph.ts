import { createHmac } from 'node:crypto';
import { createHttpClient, type HttpClient } from '../http.ts';
import { SourceHttpError, SourceResponseError, type ErrorDisposition, type ErrorResponse } from '../http-errors.ts';
import type { SourceRuntime } from '../types.ts';
import { isRecord } from '../payload.ts';

// The Meta Graph API client shared by the Facebook and Instagram sources (same host, auth, paging
// and error envelope). Tokens travel as the access_token parameter, so every URL that reaches a log
// or an error is redacted by http.ts, and paging follows the `after` cursor with a URL we build
// ourselves: paging.next embeds the token, and storing it in a cursor would put it in the database.
// Some edges page by time (paging.next with until / __paging_token and no cursors): then the
// parameters of paging.next are the cursor — without the token and proof, and only for the same
// host and path we asked (a next link elsewhere would carry our token there).

export interface GraphAuthConfig {
  baseUrl: string;
  accessTokenEnv: string | null;
  appSecretEnv: string | null;
  requestTimeoutMs: number;
}

export interface GraphPage {
  data: unknown[];
  /**
   * The cursor for the next page, or null on the last one (paging.next absent): the `after` cursor,
   * or `next?<query>` — paging.next's parameters without the token — for time-based paging.
   */
  after: string | null;
}

// Error codes from Meta's "Handling Errors" reference and facebook-python-business-sdk.
const throttleCodes = new Set([4, 17, 32, 341, 613]);
const authCodes = new Set([102, 190]);

export function classifyGraphError(response: ErrorResponse): ErrorDisposition | undefined {
  const error = isRecord(response.json) && isRecord(response.json.error) ? response.json.error : null;
  if (!error) return undefined;
  const code = typeof error.code === 'number' ? error.code : -1;
  if (authCodes.has(code)) return { kind: 'auth' };
  // Permission errors (10, 200–299) need a person to grant access; retrying cannot fix them.
  if (code === 10 || (code >= 200 && code <= 299)) return { kind: 'auth' };
  // 80001–80014: business use case rate limits (pages, instagram, …).
  if (throttleCodes.has(code) || (code >= 80_001 && code <= 80_014)) return { kind: 'throttled' };
  if (code === 1 || code === 2 || error.is_transient === true) return { kind: 'transient' };
  return response.status >= 500 ? { kind: 'transient' } : { kind: 'fatal' };
}

export interface GraphClient {
  get(path: string, params?: Record<string, string>): Promise<Record<string, unknown>>;
  list(path: string, params: Record<string, string>, after: string | null): Promise<GraphPage>;
  http: HttpClient;
}

export function createGraphClient(config: GraphAuthConfig, runtime: SourceRuntime, label: string): GraphClient {
  const token = runtime.secret('accessToken');
  // With an app secret set, every call carries appsecret_proof (required if the app enforces it).
  const proof = runtime.hasSecret('appSecret') ? createHmac('sha256', runtime.secret('appSecret')).update(token).digest('hex') : null;
  const http = createHttpClient({ runtime, label, timeoutMs: config.requestTimeoutMs, classifyError: classifyGraphError });

  function url(path: string, params: Record<string, string>): URL {
    // Ids come from the platform's own responses or validated config; encode anyway.
    const u = new URL(`${config.baseUrl}/${path.split('/').map(encodeURIComponent).join('/')}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    u.searchParams.set('access_token', token);
    if (proof) u.searchParams.set('appsecret_proof', proof);
    return u;
  }

  async function get(path: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const { body } = await http.requestJson(url(path, params));
    if (!isRecord(body)) throw new SourceResponseError(`${label}: 応答がオブジェクトではありません (response is not an object)`);
    return body;
  }

  async function list(path: string, params: Record<string, string>, after: string | null): Promise<GraphPage> {
    const query = after?.startsWith(nextPrefix)
      ? Object.fromEntries(new URLSearchParams(after.slice(nextPrefix.length)))
      : after
        ? { ...params, after }
        : params;
    const body = await get(path, query);
    if (!Array.isArray(body.data)) throw new SourceResponseError(`${label}: data が配列ではありません (data is not an array)`);
    const paging = isRecord(body.paging) ? body.paging : {};
    const cursors = isRecord(paging.cursors) ? paging.cursors : {};
    // `after` is present even on the last page; only paging.next says there is more.
    if (typeof paging.next !== 'string' || paging.next.length === 0) return { data: body.data, after: null };
    const cursor = typeof cursors.after === 'string' && cursors.after.length > 0 && cursors.after.length <= 1024 ? cursors.after : null;
    if (cursor) return { data: body.data, after: cursor };
    const resumed = resumeFrom(paging.next, url(path, {}));
    if (!resumed) {
      // Stopping here would look like the end of the list and lose the rest silently.
      throw new SourceResponseError(
        `${label}: 次のページがあるのに続きを読めません（cursors.after がなく、paging.next が別の宛先） (paging.next present but neither a cursor nor a next link on the same path)`,
      );
    }
    return { data: body.data, after: resumed };
  }

  return { get, list, http };
}

const nextPrefix = 'next?';
const maxNextQuery = 4096;
/** The longest cursor list() returns: an `after` cursor (≤ 1,024) or a next query with its prefix. */
export const maxGraphCursorChars = nextPrefix.length + maxNextQuery;

/**
 * paging.next as a cursor: its query without the token and proof, when it points at the path we
 * asked (same origin and path); null otherwise.
 */
function resumeFrom(next: string, asked: URL): string | null {
  let u: URL;
  try {
    u = new URL(next);
  } catch {
    return null;
  }
  if (u.origin !== asked.origin || u.pathname !== asked.pathname) return null;
  u.searchParams.delete('access_token');
  u.searchParams.delete('appsecret_proof');
  const query = u.searchParams.toString();
  return query.length > 0 && query.length <= maxNextQuery ? `${nextPrefix}${query}` : null;
}

/** Graph timestamps look like 2019-05-17T16:24:04+0000; webhooks send unix seconds. */
export function parseGraphTime(v: unknown): Date | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v > 1e12 ? v : v * 1000);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (typeof v !== 'string' || v.length > 40) return null;
  const d = new Date(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * True for Graph's "Unsupported get request. Object … does not exist" (code 100, subcode 33): the
 * object was deleted, or this token may no longer see it.
 */
export function isMissingObject(error: unknown): boolean {
  if (!(error instanceof SourceHttpError) || error.status !== 400) return false;
  const details = isRecord(error.details) ? error.details : {};
  const body = isRecord(details.body) ? details.body : {};
  const e = isRecord(body.error) ? body.error : {};
  return e.code === 100 && e.error_subcode === 33;
}

export const graphIdPattern = /^[0-9]{1,40}(_[0-9]{1,40})?$/;

/** A Graph object id: digits, or page-scoped `<page>_<post>`. */
export function isGraphId(value: unknown): value is string {
  return typeof value === 'string' && graphIdPattern.test(value);
}
