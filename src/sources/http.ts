import {
  SourceHttpError,
  SourceRateLimitedError,
  SourceResponseError,
  TimeoutError,
  describeNetworkError,
  networkErrorCode,
  describeErrorBody,
  type ErrorDisposition,
  type ErrorResponse,
  type ErrorClassifier,
} from './http-errors.ts';
import { readCapped, blockedUntilFromHeaders, tryParseJson } from './http-response.ts';
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
        outcome = await attemptOnce(
          runtime.fetch,
          String(url),
          {
            method: request.method ?? 'GET',
            headers,
            body: request.body,
            signal: attemptAbort.signal,
          },
          maxBodyBytes,
        );
      } finally {
        clearTimeout(timer);
        runtime.signal.removeEventListener('abort', onOuterAbort);
      }
      throwIfAborted(runtime.signal);

      if (outcome.kind === 'network') {
        lastProblem = outcome.problem;
        lastStatus = null;
        runtime.log.warn(
          { source: label, url: safeUrl, attempt: attempt + 1, problem: outcome.problem, code: outcome.code },
          'source request failed; will retry',
        );
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
          status,
          headers: responseHeaders,
          notModified: true,
          text: '',
          ...validators(responseHeaders, request),
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
          throw new SourceHttpError(`${label}: リクエストが拒否されました (${lastProblem}) ${safeUrl}`, status, {
            body: json ?? text.slice(0, 500),
          });
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
      throw new SourceResponseError(`${label}: 応答が JSON ではありません (response is not valid JSON) ${redactUrl(url)}`, {
        url: redactUrl(url),
        status: response.status,
        sample: text.slice(0, 200),
      });
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

async function attemptOnce(fetchFn: typeof fetch, url: string, init: RequestInit, maxBodyBytes: number): Promise<Attempt> {
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

function refusal(error: unknown): OutboundRefusedError | null {
  if (error instanceof OutboundRefusedError) return error;
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  return cause instanceof OutboundRefusedError ? cause : null;
}
