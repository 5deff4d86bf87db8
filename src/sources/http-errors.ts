import { AppError } from '../errors.ts';

// The errors every collector's HTTP path raises, and how a source tells the client what a
// platform's error response means (src/sources/http.ts).

/** A request that took longer than its timeout (the abort reason the client gives its fetch). */
export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

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

/**
 * The same words for every failure to connect: these messages reach the organisation's users in
 * run errors, and "refused" against "reset" against "no such host" would map the inside of the
 * network for whoever chose the URL. The code goes to the operator's log with the request.
 */
export function describeNetworkError(error: unknown, signal: AbortSignal | null | undefined): string {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutError) return reason.message;
  }
  return '接続できませんでした (could not connect or the connection failed)';
}

/** The error code of a failed request, for the operator's log. */
export function networkErrorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  return cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
}

/** A short, secret-free description of an error body for messages: `: <title or message>`. */
export function describeErrorBody(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const o = json as Record<string, unknown>;
  const pick = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  const nested = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
  const firstError =
    Array.isArray(o.errors) && o.errors[0] && typeof o.errors[0] === 'object' ? (o.errors[0] as Record<string, unknown>) : undefined;
  const text = pick(o.detail) ?? pick(o.title) ?? pick(nested?.message) ?? pick(o.message) ?? pick(firstError?.message) ?? pick(o.error);
  return text ? `: ${text}` : '';
}
