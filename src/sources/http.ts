import { AppError } from '../errors.ts';
import { OutboundRefusedError } from '../outbound/guarded-fetch.ts';
import { SourceAuthError, type SourceRuntime } from './types.ts';

// The one HTTP path every collector takes to a platform API. It owns the behaviour every source
// must share and none should reimplement: a per-request timeout, a body size cap, rate limits
// honoured from the response headers *before* the platform answers 429, waiting for the reset
// after a 429, capped exponential backoff with full jitter for 5xx / timeouts / resets, auth
// failures surfaced as SourceAuthError (the platform marks the source unhealthy instead of
// hammering the API) and a finite retry budget that ends in a clear error.
// Waits go through runtime.sleep and jitter through runtime.random, so tests are instant and
// deterministic while still being able to assert every wait that was requested.

/** Raised when a platform keeps failing (5xx, timeouts, resets) past the retry budget, or refuses for good. */
export class SourceHttpError extends AppError {
  readonly status: number | null;
  constructor(message: string, status: number | null, details?: unknown) {
    super('unavailable', message, details);
    this.status = status;
  }
}

/**
 * The platform's rate limit (or daily quota) is exhausted and the reset is further away than a
 * collector should block for. The run ends; what was committed so far stays, the next run resumes.
 */
export class SourceRateLimitedError extends AppError {
  readonly retryAt: Date | null;
  constructor(message: string, retryAt: Date | null) {
    super('rate_limited', message, retryAt ? { retryAt: retryAt.toISOString() } : undefined);
    this.retryAt = retryAt;
  }
}

/** The body was not what the contract promises: too large, not JSON, or the wrong shape. */
export class SourceResponseError extends AppError {
  constructor(message: string, details?: unknown) {
    super('unavailable', message, details);
  }
}

/** How a source classifies an error response its platform sends (e.g. Meta's 400 + code 190 is an auth error). */
export type ErrorDisposition =
  /** Credentials rejected: throw SourceAuthError, never retry. */
  | { kind: 'auth' }
  /** Throttled: wait (for the given time, the rate-limit headers, or a backoff step) and retry. */
  | { kind: 'throttled'; waitMs?: number }
  /** A quota that will not come back within this run: stop with SourceRateLimitedError. */
  | { kind: 'exhausted'; retryAt?: Date }
  /** Transient server trouble: back off and retry. */
  | { kind: 'transient' }
  /** Permanent for this request: stop with SourceHttpError. */
  | { kind: 'fatal' };

export interface ErrorResponse {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or null when it is not JSON (or too large to read). */
  json: unknown;
  text: string;
}

export type ErrorClassifier = (response: ErrorResponse) => ErrorDisposition | undefined;

export interface HttpClientOptions {
  runtime: SourceRuntime;
  /** Names the platform in errors and logs, e.g. 'x', 'facebook'. */
  label: string;
  /** Sent on every request (Authorization …). Never logged. */
  headers?: Record<string, string>;
  /** Per attempt, covering connect, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Bodies larger than this are refused. Default 10 MB. */
  maxBodyBytes?: number;
  /** Attempts per request including the first. Default 6. */
  maxAttempts?: number;
  /** First backoff step; doubles each retry up to backoffCapMs. Defaults 1 s and 60 s. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /**
   * Longest single wait for a rate-limit reset. A reset further away ends the run with
   * SourceRateLimitedError rather than holding a scheduler slot. Default 16 min (X's window is 15).
   */
  maxRateLimitWaitMs?: number;
  /**
   * Meta reports usage as percentages of an hourly allowance; at or above this we pause before
   * the platform starts refusing. Default 90.
   */
  metaUsagePauseAtPercent?: number;
  /** Source-specific error mapping, consulted before the generic status rules. */
  classifyError?: ErrorClassifier;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Conditional GET: the validators from the previous response. */
  ifNoneMatch?: string | null;
  ifModifiedSince?: string | null;
  /** Separate rate-limit windows (X limits per endpoint). Default: one per client. */
  rateLimitBucket?: string;
}

export interface TextResponse {
  status: number;
  headers: Headers;
  /** True for 304 Not Modified: text is empty and the caller keeps what it had. */
  notModified: boolean;
  text: string;
  etag: string | null;
  lastModified: string | null;
}

export interface JsonResponse<T = unknown> extends Omit<TextResponse, 'text'> {
  /** undefined only when notModified. */
  body: T;
}

export interface HttpStats {
  requests: number;
  retries: number;
  /** Every wait requested, in order, with why. */
  waits: { ms: number; reason: 'rate-limit' | 'throttled' | 'backoff' }[];
}

export interface HttpClient {
  requestText(url: string | URL, options?: RequestOptions): Promise<TextResponse>;
  requestJson<T = unknown>(url: string | URL, options?: RequestOptions): Promise<JsonResponse<T>>;
  readonly stats: HttpStats;
}

export const defaultMaxBodyBytes = 10 * 1024 * 1024;

interface RateWindow {
  /** Do not send before this instant (epoch ms). */
  blockedUntil: number;
}

// Query parameters that carry credentials on some platforms (Meta's access_token and
// appsecret_proof, Google's key): removed from every URL that reaches a log or an error.
const secretParams = ['access_token', 'appsecret_proof', 'key', 'client_secret', 'token', 'password'];

/** The URL with credential parameters replaced, safe for logs and error messages. */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '[invalid url]';
  }
  for (const name of secretParams) {
    if (parsed.searchParams.has(name)) parsed.searchParams.set(name, 'REDACTED');
  }
  return parsed.toString();
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const {
    runtime,
    label,
    timeoutMs = 30_000,
    maxBodyBytes = defaultMaxBodyBytes,
    maxAttempts = 6,
    backoffBaseMs = 1_000,
    backoffCapMs = 60_000,
    maxRateLimitWaitMs = 16 * 60_000,
    metaUsagePauseAtPercent = 90,
    classifyError,
  } = options;
  const windows = new Map<string, RateWindow>();
  const stats: HttpStats = { requests: 0, retries: 0, waits: [] };

  async function wait(ms: number, reason: HttpStats['waits'][number]['reason']): Promise<void> {
    const rounded = Math.max(0, Math.ceil(ms));
    stats.waits.push({ ms: rounded, reason });
    if (rounded > 0) await runtime.sleep(rounded, runtime.signal);
    throwIfAborted(runtime.signal);
  }

  function backoffMs(retry: number): number {
    // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform draw in
    // [0, min(cap, base·2^n)] spreads retries of many collectors so they do not arrive together.
    const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** retry);
    return Math.floor(runtime.random() * ceiling);
  }

  function rateLimitedError(until: number): SourceRateLimitedError {
    const at = new Date(until);
    return new SourceRateLimitedError(
      `${label}: レート制限中です。${at.toISOString()} 以降に再開します (rate limited until ${at.toISOString()})`,
      at,
    );
  }

  async function respectWindow(bucket: string): Promise<void> {
    const window = windows.get(bucket);
    if (!window) return;
    const ms = window.blockedUntil - runtime.now().getTime();
    if (ms <= 0) return;
    if (ms > maxRateLimitWaitMs) throw rateLimitedError(window.blockedUntil);
    await wait(ms, 'rate-limit');
  }

  function recordWindow(bucket: string, headers: Headers, status: number): number | null {
    const now = runtime.now().getTime();
    const until = blockedUntilFromHeaders(headers, now, status, metaUsagePauseAtPercent);
    if (until !== null && until > now) {
      windows.set(bucket, { blockedUntil: until });
      return until;
    }
    windows.delete(bucket);
    return null;
  }

  async function requestText(url: string | URL, request: RequestOptions = {}): Promise<TextResponse> {
    const bucket = request.rateLimitBucket ?? 'default';
    const safeUrl = redactUrl(url);
    let lastProblem = '';
    let lastStatus: number | null = null;

    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      throwIfAborted(runtime.signal);
      await respectWindow(bucket);
      if (attempt > 0) stats.retries += 1;
      stats.requests += 1;

      const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...request.headers };
      if (request.ifNoneMatch) headers['if-none-match'] = request.ifNoneMatch;
      if (request.ifModifiedSince) headers['if-modified-since'] = request.ifModifiedSince;

      const attemptAbort = new AbortController();
      const timer = setTimeout(() => attemptAbort.abort(new TimeoutError(timeoutMs)), timeoutMs);
      const onOuterAbort = () => attemptAbort.abort(runtime.signal.reason);
      runtime.signal.addEventListener('abort', onOuterAbort, { once: true });

      let outcome: Attempt;
      try {
        outcome = await attemptOnce(runtime.fetch, String(url), {
          method: request.method ?? 'GET',
          headers,
          body: request.body,
          signal: attemptAbort.signal,
        }, maxBodyBytes);
      } finally {
        clearTimeout(timer);
        runtime.signal.removeEventListener('abort', onOuterAbort);
      }
      throwIfAborted(runtime.signal);

      if (outcome.kind === 'network') {
        lastProblem = outcome.problem;
        lastStatus = null;
        runtime.log.warn({ source: label, url: safeUrl, attempt: attempt + 1, problem: outcome.problem, code: outcome.code }, 'source request failed; will retry');
        if (attempt + 1 < maxAttempts) await wait(backoffMs(attempt), 'backoff');
        continue;
      }
      if (outcome.kind === 'too-large') {
        throw new SourceResponseError(
          `${label}: 応答が大きすぎます (${outcome.bytes} バイト超、上限 ${maxBodyBytes}) (response body over ${maxBodyBytes} bytes) ${safeUrl}`,
          { url: safeUrl, status: outcome.status },
        );
      }

      const { status, headers: responseHeaders, text } = outcome;
      const blockedUntil = recordWindow(bucket, responseHeaders, status);

      if (status === 304) {
        return {
          status, headers: responseHeaders, notModified: true, text: '', ...validators(responseHeaders, request),
        };
      }
      if (status >= 200 && status < 300) {
        return { status, headers: responseHeaders, notModified: false, text, ...validators(responseHeaders, request) };
      }

      const json = tryParseJson(text);
      const errorResponse: ErrorResponse = { status, headers: responseHeaders, json, text };
      const disposition = classifyError?.(errorResponse) ?? defaultDisposition(status);
      lastStatus = status;
      lastProblem = `HTTP ${status}${describeErrorBody(json)}`;

      switch (disposition.kind) {
        case 'auth':
          throw new SourceAuthError(
            `${label}: 認証に失敗しました (HTTP ${status}${describeErrorBody(json)}) — 資格情報を確認してください (credentials rejected)`,
          );
        case 'exhausted': {
          const retryAt = disposition.retryAt ?? (blockedUntil !== null ? new Date(blockedUntil) : null);
          throw new SourceRateLimitedError(
            `${label}: 利用上限に達しました (quota exhausted${retryAt ? ` until ${retryAt.toISOString()}` : ''}): ${lastProblem}`,
            retryAt,
          );
        }
        case 'fatal':
          throw new SourceHttpError(`${label}: リクエストが拒否されました (${lastProblem}) ${safeUrl}`, status, { body: json ?? text.slice(0, 500) });
        case 'throttled': {
          const now = runtime.now().getTime();
          if (attempt + 1 >= maxAttempts) {
            // Still refused after the whole budget: the run ends as rate limited (not as broken),
            // saying when to come back if the platform said.
            const until = Math.max(blockedUntil ?? 0, disposition.waitMs !== undefined ? now + disposition.waitMs : 0);
            throw new SourceRateLimitedError(
              `${label}: ${maxAttempts} 回続けてレート制限されました (still rate limited after ${maxAttempts} attempts): ${lastProblem}`,
              until > now ? new Date(until) : null,
            );
          }
          if (disposition.waitMs !== undefined) {
            windows.set(bucket, { blockedUntil: Math.max(blockedUntil ?? 0, now + disposition.waitMs) });
          }
          const until = windows.get(bucket)?.blockedUntil ?? null;
          if (until !== null && until > now) {
            // respectWindow() at the top of the next attempt does the waiting (or gives up when
            // the reset is too far away).
            runtime.log.warn({ source: label, url: safeUrl, waitMs: until - now }, 'source throttled; waiting for the reset');
          } else {
            await wait(backoffMs(attempt), 'throttled');
          }
          continue;
        }
        case 'transient': {
          runtime.log.warn({ source: label, url: safeUrl, attempt: attempt + 1, status }, 'source error; will retry');
          if (attempt + 1 >= maxAttempts) break;
          // A 503 may carry Retry-After; when it asks for longer than our own step the recorded
          // window makes the next attempt wait for it instead.
          const asked = blockedUntil !== null ? blockedUntil - runtime.now().getTime() : 0;
          const step = backoffMs(attempt);
          if (asked < step) await wait(step, 'backoff');
          continue;
        }
      }
    }
    throw new SourceHttpError(
      `${label}: ${maxAttempts} 回試行しましたが失敗しました (gave up after ${maxAttempts} attempts; last: ${lastProblem}) ${safeUrl}`,
      lastStatus,
    );
  }

  async function requestJson<T = unknown>(url: string | URL, request: RequestOptions = {}): Promise<JsonResponse<T>> {
    const response = await requestText(url, request);
    const { text, ...rest } = response;
    if (response.notModified) return { ...rest, body: undefined as T };
    const parsed = tryParseJson(text);
    if (parsed === undefined) {
      throw new SourceResponseError(
        `${label}: 応答が JSON ではありません (response is not valid JSON) ${redactUrl(url)}`,
        { url: redactUrl(url), status: response.status, sample: text.slice(0, 200) },
      );
    }
    return { ...rest, body: parsed as T };
  }

  return { requestText, requestJson, stats };
}

/** One-off request with a fresh client (no rate-limit memory across calls). */
export function requestJson<T = unknown>(
  options: HttpClientOptions,
  url: string | URL,
  request?: RequestOptions,
): Promise<JsonResponse<T>> {
  return createHttpClient(options).requestJson<T>(url, request);
}

function validators(headers: Headers, request: RequestOptions): { etag: string | null; lastModified: string | null } {
  return {
    etag: headers.get('etag') ?? request.ifNoneMatch ?? null,
    lastModified: headers.get('last-modified') ?? request.ifModifiedSince ?? null,
  };
}

function defaultDisposition(status: number): ErrorDisposition {
  if (status === 401 || status === 403) return { kind: 'auth' };
  if (status === 429) return { kind: 'throttled' };
  if (status === 408 || status >= 500) return { kind: 'transient' };
  return { kind: 'fatal' };
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof Error ? reason : new Error('collection aborted');
  }
}

type Attempt =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'too-large'; status: number; bytes: number }
  | { kind: 'network'; problem: string; code?: string };

async function attemptOnce(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  maxBodyBytes: number,
): Promise<Attempt> {
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (error) {
    // The outbound guard's refusal is final: retrying an internal address changes nothing.
    const refused = refusal(error);
    if (refused) throw refused;
    return { kind: 'network', problem: describeNetworkError(error, init.signal), code: networkErrorCode(error) };
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    await response.body?.cancel().catch(() => {});
    return { kind: 'too-large', status: response.status, bytes: declared };
  }
  try {
    const body = await readCapped(response, maxBodyBytes);
    if (body === null) return { kind: 'too-large', status: response.status, bytes: maxBodyBytes };
    return { kind: 'response', status: response.status, headers: response.headers, text: body };
  } catch (error) {
    return { kind: 'network', problem: describeNetworkError(error, init.signal), code: networkErrorCode(error) };
  }
}

/** Reads the body, or returns null as soon as it passes the cap (without buffering the rest). */
export async function readCappedBytes(response: Response, maxBytes: number): Promise<Buffer | null> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  const bytes = await readCappedBytes(response, maxBytes);
  return bytes === null ? null : bytes.toString('utf8');
}

function refusal(error: unknown): OutboundRefusedError | null {
  if (error instanceof OutboundRefusedError) return error;
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  return cause instanceof OutboundRefusedError ? cause : null;
}

/**
 * The same words for every failure to connect: these messages reach the organisation's users in
 * run errors, and "refused" against "reset" against "no such host" would map the inside of the
 * network for whoever chose the URL. The code goes to the operator's log with the request.
 */
function describeNetworkError(error: unknown, signal: AbortSignal | null | undefined): string {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutError) return reason.message;
  }
  return '接続できませんでした (could not connect or the connection failed)';
}

/** The error code of a failed request, for the operator's log. */
function networkErrorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  return cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
}

function tryParseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, secret-free description of an error body for messages: `: <title or message>`. */
function describeErrorBody(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const o = json as Record<string, unknown>;
  const pick = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  const nested = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
  const firstError = Array.isArray(o.errors) && o.errors[0] && typeof o.errors[0] === 'object'
    ? (o.errors[0] as Record<string, unknown>) : undefined;
  const text = pick(o.detail) ?? pick(o.title) ?? pick(nested?.message) ?? pick(o.message)
    ?? pick(firstError?.message) ?? pick(o.error);
  return text ? `: ${text}` : '';
}

// ---------------------------------------------------------------------------------------------
// Rate-limit headers. Each platform spells them differently; all of them are read on every
// response so one client works for any source.

/**
 * When the next request may be sent, judged from one response's headers, or null if there is no
 * reason to wait. Exported for tests and for sources that want to log it.
 */
export function blockedUntilFromHeaders(headers: Headers, nowMs: number, status: number, metaPauseAtPercent = 90): number | null {
  const candidates: number[] = [];

  const retryAfter = parseRetryAfter(headers.get('retry-after'), nowMs);
  if (retryAfter !== null) candidates.push(retryAfter);

  // X: x-rate-limit-*; Mastodon: x-ratelimit-*; Bluesky and the IETF draft: ratelimit-*.
  for (const prefix of ['x-rate-limit-', 'x-ratelimit-', 'ratelimit-']) {
    const remaining = headers.get(`${prefix}remaining`);
    const reset = headers.get(`${prefix}reset`);
    if (reset === null) continue;
    const resetAt = parseResetInstant(reset, nowMs);
    if (resetAt === null) continue;
    const left = remaining === null ? null : Number(remaining);
    // Exhausted windows wait for the reset; so does a 429 that carries a reset but no count.
    // An exhausted window waits for its reset; so does any 429 that names a reset.
    if (status === 429 || (left !== null && Number.isFinite(left) && left <= 0)) candidates.push(resetAt);
  }

  const meta = metaBlockedUntil(headers, nowMs, metaPauseAtPercent);
  if (meta !== null) candidates.push(meta);

  if (candidates.length === 0) return null;
  return Math.max(...candidates);
}

/** Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return nowMs + Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? date : null;
}

/**
 * A reset value: epoch seconds (X, Bluesky), an ISO 8601 instant (Mastodon), or — in the IETF
 * RateLimit draft — seconds from now. Small integers cannot be epoch seconds (that would be 1970),
 * so anything under 10^9 is read as a delay.
 */
export function parseResetInstant(value: string, nowMs: number): number | null {
  const trimmed = value.trim();
  if (/^\d{1,12}(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 1e9 ? Math.round(n * 1000) : nowMs + Math.round(n * 1000);
  }
  if (trimmed.length > 64) return null;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? date : null;
}

// Meta's usage headers (developers.facebook.com/docs/graph-api/overview/rate-limiting): X-App-Usage
// holds percentages of the app's rolling one-hour allowance; X-Business-Use-Case-Usage holds, per
// business id, a list of usages with estimated_time_to_regain_access in minutes.
const metaFullUsagePauseMs = 5 * 60_000;

function metaBlockedUntil(headers: Headers, nowMs: number, pauseAtPercent: number): number | null {
  let until: number | null = null;
  const consider = (usage: unknown) => {
    if (!usage || typeof usage !== 'object') return;
    const u = usage as Record<string, unknown>;
    const regainMinutes = Number(u.estimated_time_to_regain_access);
    if (Number.isFinite(regainMinutes) && regainMinutes > 0) {
      until = Math.max(until ?? 0, nowMs + regainMinutes * 60_000);
      return;
    }
    const peak = Math.max(
      ...['call_count', 'total_cputime', 'total_time', 'acc_id_util_pct'].map((k) => {
        const n = Number(u[k]);
        return Number.isFinite(n) ? n : 0;
      }),
    );
    // The allowance is a rolling hour, so usage falls gradually; a short pause lets it fall
    // below the threshold instead of running into code 4/17/32 errors.
    if (peak >= pauseAtPercent) until = Math.max(until ?? 0, nowMs + metaFullUsagePauseMs);
  };
  for (const name of ['x-app-usage', 'x-ad-account-usage', 'x-page-usage']) {
    const raw = headers.get(name);
    if (raw && raw.length <= 4096) consider(tryParseJson(raw));
  }
  const buc = headers.get('x-business-use-case-usage');
  if (buc && buc.length <= 16_384) {
    const parsed = tryParseJson(buc);
    if (parsed && typeof parsed === 'object') {
      for (const list of Object.values(parsed as Record<string, unknown>)) {
        if (Array.isArray(list)) for (const usage of list) consider(usage);
      }
    }
  }
  return until;
}

// ---------------------------------------------------------------------------------------------
// Paging helpers.

/** Parses an RFC 8288 Link header into rel → URL. Hostile input yields an empty map, never a throw. */
export function parseLinkHeader(value: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!value || value.length > 16_384) return links;
  const pattern = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
  for (const match of value.matchAll(pattern)) {
    const url = match[1] ?? '';
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(params)?.[1];
    if (!rel) continue;
    for (const name of rel.trim().split(/\s+/)) {
      if (!(name.toLowerCase() in links)) links[name.toLowerCase()] = url;
    }
  }
  return links;
}

/** The rel="next" URL of a response, resolved against the request URL, or null. */
export function nextLinkUrl(headers: Headers, requestUrl: string | URL): string | null {
  const next = parseLinkHeader(headers.get('link')).next;
  if (!next) return null;
  try {
    return new URL(next, requestUrl).toString();
  } catch {
    return null;
  }
}
