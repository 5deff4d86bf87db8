// Business Profile API v4 over the shared HTTP client, with OAuth access tokens minted from a
// refresh token (Google access tokens live an hour; a run mints one and re-mints once on 401).

import { createHttpClient, type HttpClient } from '../http.ts';
import { SourceHttpError, SourceResponseError, type ErrorClassifier } from '../http-errors.ts';
import { SourceAuthError, type SourceRuntime } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { GoogleReviewsConfig } from './config.ts';

export interface ListReviewsPage {
  reviews: unknown[];
  nextPageToken: string | null;
  totalReviewCount: number | null;
}

/** Google's error body is `{error:{code,message,status}}`. */
const classifyGoogleError: ErrorClassifier = (response) => {
  const error = isRecord(response.json) && isRecord(response.json.error) ? response.json.error : null;
  const status = typeof error?.status === 'string' ? error.status : null;
  if (response.status === 429 || status === 'RESOURCE_EXHAUSTED') return { kind: 'throttled' };
  if (status === 'UNAUTHENTICATED' || status === 'PERMISSION_DENIED') return { kind: 'auth' };
  return undefined;
};

// The token endpoint answers a revoked refresh token or a wrong client with 400/401 — both
// mean the credentials must be fixed by a person, not retried.
const classifyTokenError: ErrorClassifier = (response) =>
  response.status === 400 || response.status === 401 || response.status === 403 ? { kind: 'auth' } : undefined;

export class GoogleReviewsClient {
  private readonly http: HttpClient;
  private readonly tokenHttp: HttpClient;
  private accessToken: string | null = null;

  constructor(
    private readonly config: GoogleReviewsConfig,
    private readonly runtime: SourceRuntime,
  ) {
    this.http = createHttpClient({
      runtime,
      label: 'google_reviews',
      timeoutMs: config.requestTimeoutMs,
      classifyError: classifyGoogleError,
    });
    this.tokenHttp = createHttpClient({
      runtime,
      label: 'google_reviews oauth',
      timeoutMs: config.requestTimeoutMs,
      classifyError: classifyTokenError,
    });
  }

  get stats() {
    return this.http.stats;
  }

  private async token(): Promise<string> {
    if (this.accessToken !== null) return this.accessToken;
    const auth = this.config.auth;
    if (auth.kind === 'access-token') {
      this.accessToken = this.runtime.secret('accessToken');
      return this.accessToken;
    }
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.runtime.secret('clientId'),
      client_secret: this.runtime.secret('clientSecret'),
      refresh_token: this.runtime.secret('refreshToken'),
    });
    const response = await this.tokenHttp.requestJson(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const token = isRecord(response.body) ? response.body.access_token : undefined;
    if (typeof token !== 'string' || token === '' || token.length > 4096) {
      throw new SourceAuthError('google_reviews: トークン応答に access_token がありません (token response without access_token)');
    }
    this.accessToken = token;
    return token;
  }

  /** GET with a bearer token; a rejected token is re-minted once before giving up. */
  private async get(url: string): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.token();
      try {
        const response = await this.http.requestJson(url, { headers: { authorization: `Bearer ${token}` } });
        return response.body;
      } catch (error) {
        if (!(error instanceof SourceAuthError) || attempt > 0 || this.config.auth.kind !== 'oauth') throw error;
        this.accessToken = null;
      }
    }
  }

  async listReviews(location: string, pageToken: string | null): Promise<ListReviewsPage> {
    const url = new URL(`${this.config.baseUrl}/v4/${location}/reviews`);
    url.searchParams.set('pageSize', String(this.config.pageSize));
    // Newest change first: an incremental run stops at the first review it has already seen.
    url.searchParams.set('orderBy', 'update_time desc');
    if (pageToken !== null) url.searchParams.set('pageToken', pageToken);
    const body = await this.get(url.toString());
    if (!isRecord(body)) throw new SourceResponseError('google_reviews: 応答の形式が不正です (response is not an object)');
    const reviews = body.reviews ?? [];
    if (!Array.isArray(reviews)) throw new SourceResponseError('google_reviews: reviews が配列ではありません (reviews is not an array)');
    const next = body.nextPageToken;
    const total = body.totalReviewCount;
    return {
      reviews,
      nextPageToken: typeof next === 'string' && next !== '' && next.length <= 4096 ? next : null,
      totalReviewCount: typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : null,
    };
  }

  /** reviews.get: the review, or null when Google answers 404 (deleted or removed). */
  async getReview(reviewName: string): Promise<unknown> {
    try {
      return await this.get(`${this.config.baseUrl}/v4/${reviewName}`);
    } catch (error) {
      if (error instanceof SourceHttpError && error.status === 404) return null;
      throw error;
    }
  }
}
