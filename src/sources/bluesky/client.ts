// XRPC client for Bluesky: app-password sessions (createSession / refreshSession) and
// app.bsky.feed.searchPosts. Access tokens live about two hours and createSession is limited
// per account (30 per 5 minutes, 300 a day), so a session outlives the run: in memory for this
// process and sealed in the database for the next one (runtime.session, sql/030) — never in the
// cursor or the log. It is refreshed when its access token has expired (by its `exp`, or on
// ExpiredToken) and re-created only when the refresh token is gone too.

import { createHttpClient, type HttpClient } from '../http.ts';
import { SourceHttpError, SourceResponseError, type ErrorClassifier } from '../http-errors.ts';
import { SourceAuthError, type SourceRuntime } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { BlueskyConfig } from './config.ts';

interface Session {
  accessJwt: string;
  refreshJwt: string;
}

// This process's copy, keyed by server and identifier so two sources on one account share it.
const sessions = new Map<string, Session>();

/** Seconds before its `exp` an access token is treated as expired (clock skew, the request's time). */
const EXPIRY_MARGIN_S = 60;

/** The `exp` (unix seconds) of a JWT, or null when it has none we can read (no signature check: the server checks). */
function expiresAt(jwt: string): number | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isRecord(claims) && typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : null;
  } catch {
    return null;
  }
}

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
    await this.keep(session);
    return session;
  }

  /** Keeps a session for this process and, sealed, for the next one. */
  private async keep(session: Session): Promise<void> {
    sessions.set(this.key, session);
    await this.runtime.session.save(JSON.stringify({ account: this.key, ...session }));
  }

  /** The session from this process, else the one the last process kept (if it is this account's). */
  private async kept(): Promise<Session | null> {
    const here = sessions.get(this.key);
    if (here) return here;
    const stored = await this.runtime.session.load();
    if (!stored) return null;
    try {
      const parsed: unknown = JSON.parse(stored);
      // Another account's session (the identifier was changed) is not this one's.
      if (!isRecord(parsed) || parsed.account !== this.key) return null;
      const session = readSession(parsed);
      sessions.set(this.key, session);
      return session;
    } catch {
      return null;
    }
  }

  private async refreshSession(session: Session): Promise<Session | null> {
    try {
      const response = await this.http.requestJson(this.xrpc('com.atproto.server.refreshSession'), {
        method: 'POST',
        headers: { authorization: `Bearer ${session.refreshJwt}` },
        rateLimitBucket: 'session',
      });
      const fresh = readSession(response.body);
      await this.keep(fresh);
      return fresh;
    } catch (error) {
      if (isTokenError(error) || error instanceof SourceAuthError) return null;
      throw error;
    }
  }

  /** A GET with the session's access token: refresh once on a token error, then log in once. */
  private async authedGet(url: URL): Promise<unknown> {
    let session = await this.kept();
    if (session) {
      // An access token past its exp would only earn an ExpiredToken: refresh first.
      const exp = expiresAt(session.accessJwt);
      if (exp !== null && exp - EXPIRY_MARGIN_S <= this.runtime.now().getTime() / 1000) {
        sessions.delete(this.key);
        session = await this.refreshSession(session);
      }
    }
    session ??= await this.createSession();
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
