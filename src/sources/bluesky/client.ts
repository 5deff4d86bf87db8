// XRPC client for Bluesky: app-password sessions (createSession / refreshSession) and
// app.bsky.feed.searchPosts. Access tokens live about two hours and createSession is limited
// per account (30 per 5 minutes, 300 a day), so sessions are kept in memory between runs —
// never in the cursor or the log — refreshed on ExpiredToken and re-created only when the
// refresh token is gone too.

import { createHttpClient, type HttpClient } from '../http.ts';
import { SourceHttpError, SourceResponseError, type ErrorClassifier } from '../http-errors.ts';
import { SourceAuthError, type SourceRuntime } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { BlueskyConfig } from './config.ts';

interface Session {
  accessJwt: string;
  refreshJwt: string;
}

// Process memory only. Keyed by server and identifier so two sources on one account share it.
const sessions = new Map<string, Session>();

/** For tests: forget every cached session. */
export function clearBlueskySessions(): void {
  sessions.clear();
}

const tokenErrors = new Set(['ExpiredToken', 'InvalidToken']);

function xrpcError(json: unknown): string | null {
  return isRecord(json) && typeof json.error === 'string' ? json.error : null;
}

const classify: ErrorClassifier = (response) => {
  const name = xrpcError(response.json);
  // Token trouble is ours to fix by refreshing; surface it as a plain failure, not "auth".
  if (name !== null && tokenErrors.has(name)) return { kind: 'fatal' };
  if (name === 'RateLimitExceeded') return { kind: 'throttled' };
  if (name === 'AuthenticationRequired' || name === 'AccountTakedown' || name === 'AuthFactorTokenRequired') return { kind: 'auth' };
  return undefined;
};

function isTokenError(error: unknown): boolean {
  if (!(error instanceof SourceHttpError) || !isRecord(error.details)) return false;
  const name = xrpcError(error.details.body);
  return name !== null && tokenErrors.has(name);
}

function readSession(body: unknown): Session {
  if (!isRecord(body) || typeof body.accessJwt !== 'string' || typeof body.refreshJwt !== 'string') {
    throw new SourceResponseError('bluesky: セッション応答の形式が不正です (session response without tokens)');
  }
  return { accessJwt: body.accessJwt, refreshJwt: body.refreshJwt };
}

export interface SearchPage {
  posts: unknown[];
  cursor: string | null;
}

export class BlueskyClient {
  private readonly http: HttpClient;
  private readonly key: string;

  constructor(
    private readonly config: BlueskyConfig,
    private readonly runtime: SourceRuntime,
  ) {
    this.http = createHttpClient({ runtime, label: 'bluesky', timeoutMs: config.requestTimeoutMs, classifyError: classify });
    this.key = `${config.baseUrl}\n${runtime.secret('identifier')}`;
  }

  private xrpc(method: string): string {
    return `${this.config.baseUrl}/xrpc/${method}`;
  }

  private async createSession(): Promise<Session> {
    const response = await this.http.requestJson(this.xrpc('com.atproto.server.createSession'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: this.runtime.secret('identifier'), password: this.runtime.secret('appPassword') }),
      rateLimitBucket: 'session',
    });
    const session = readSession(response.body);
    sessions.set(this.key, session);
    return session;
  }

  private async refreshSession(session: Session): Promise<Session | null> {
    try {
      const response = await this.http.requestJson(this.xrpc('com.atproto.server.refreshSession'), {
        method: 'POST',
        headers: { authorization: `Bearer ${session.refreshJwt}` },
        rateLimitBucket: 'session',
      });
      const fresh = readSession(response.body);
      sessions.set(this.key, fresh);
      return fresh;
    } catch (error) {
      if (isTokenError(error) || error instanceof SourceAuthError) return null;
      throw error;
    }
  }

  /** A GET with the session's access token: refresh once on a token error, then log in once. */
  private async authedGet(url: URL): Promise<unknown> {
    let session = sessions.get(this.key) ?? (await this.createSession());
    for (let step = 0; ; step += 1) {
      try {
        const response = await this.http.requestJson(url, { headers: { authorization: `Bearer ${session.accessJwt}` } });
        return response.body;
      } catch (error) {
        const rejected = isTokenError(error) || (error instanceof SourceAuthError && step === 0);
        if (!rejected || step >= 2) {
          if (isTokenError(error)) throw new SourceAuthError('bluesky: 新しいセッションも拒否されました (a fresh session was rejected)');
          throw error;
        }
        sessions.delete(this.key);
        session = (step === 0 ? await this.refreshSession(session) : null) ?? (await this.createSession());
      }
    }
  }

  async searchPosts(params: { q: string; since: string | null; lang: string | null; cursor: string | null }): Promise<SearchPage> {
    const url = new URL(this.xrpc('app.bsky.feed.searchPosts'));
    url.searchParams.set('q', params.q);
    url.searchParams.set('sort', 'latest');
    url.searchParams.set('limit', String(this.config.pageSize));
    if (params.since !== null) url.searchParams.set('since', params.since);
    if (params.lang !== null) url.searchParams.set('lang', params.lang);
    if (params.cursor !== null) url.searchParams.set('cursor', params.cursor);
    const body = await this.authedGet(url);
    if (!isRecord(body) || !Array.isArray(body.posts))
      throw new SourceResponseError('bluesky: searchPosts の応答に posts がありません (response without posts)');
    const cursor = body.cursor;
    return { posts: body.posts, cursor: typeof cursor === 'string' && cursor !== '' && cursor.length <= 4096 ? cursor : null };
  }
}
