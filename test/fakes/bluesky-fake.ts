// Fake Bluesky PDS: com.atproto.server.createSession / refreshSession and
// app.bsky.feed.searchPosts per shared/api-contracts/bluesky/lexicons, with RateLimit-* headers,
// XRPC error bodies ({error, message}) and token expiry knobs.

import { decodeToken, encodeToken, FaultyServer, FaultyServerFake, json, type FakeRequest, type FakeResponse } from './faulty-server.ts';

export interface FakePost {
  uri: string;
  cid: string;
  author: { did: string; handle: string; displayName?: string };
  record: Record<string, unknown> & { $type: 'app.bsky.feed.post'; text: string; createdAt: string };
  indexedAt: string;
  likeCount: number;
  repostCount: number;
  replyCount: number;
  quoteCount: number;
  embed?: unknown;
}

function xrpcError(status: number, error: string, message: string, headers: Record<string, string> = {}): FakeResponse {
  return json(status, { error, message }, headers);
}

export class BlueskyFake extends FaultyServerFake {
  readonly http: FaultyServer;
  identifier = 'hinoko-monitor.bsky.social';
  password = 'abcd-efgh-ijkl-mnop';
  createSessionCalls = 0;
  refreshSessionCalls = 0;
  /** searchPosts requests answered with posts (not refused). */
  searchCalls = 0;
  private accessTokens = new Set<string>();
  private expiredAccessTokens = new Set<string>();
  private refreshTokens = new Set<string>();
  private posts: FakePost[] = [];
  private minted = 0;
  private nextRkey = 1;
  private remaining = 3000;
  private readonly clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.clock = options.now ?? Date.now;
    this.http = new FaultyServer({
      handle: (r) => this.handle(r),
      rateLimited: (resetAt) => xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', this.rateHeaders(0, resetAt)),
      serverError: (status) => xrpcError(status, status === 503 ? 'UpstreamFailure' : 'InternalServerError', 'Internal Server Error'),
      now: this.clock,
    });
  }

  private rateHeaders(remaining: number, resetAt: Date): Record<string, string> {
    return {
      'ratelimit-limit': '3000',
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': String(Math.ceil(resetAt.getTime() / 1000)),
      'ratelimit-policy': '3000;w=300',
    };
  }

  /** Makes the next successful answer report an exhausted window (remaining 0, reset in `ms`). */
  exhaustWindow(): void {
    this.remaining = 0;
  }

  post(input: {
    text: string;
    handle?: string;
    at: Date;
    indexedAt?: Date;
    langs?: string[];
    replyTo?: string;
    quoteOf?: string;
    likes?: number;
  }): FakePost {
    const did = `did:plc:${(input.handle ?? 'user').replace(/[^a-z0-9]/g, '')}`;
    const rkey = `3l${String(this.nextRkey).padStart(11, '0')}`;
    this.nextRkey += 1;
    const uri = `at://${did}/app.bsky.feed.post/${rkey}`;
    const record: FakePost['record'] = {
      $type: 'app.bsky.feed.post',
      text: input.text,
      createdAt: input.at.toISOString(),
      langs: input.langs ?? ['ja'],
    };
    if (input.replyTo !== undefined)
      record.reply = { root: { uri: input.replyTo, cid: 'bafyroot' }, parent: { uri: input.replyTo, cid: 'bafyparent' } };
    if (input.quoteOf !== undefined) record.embed = { $type: 'app.bsky.embed.record', record: { uri: input.quoteOf, cid: 'bafyquoted' } };
    const post: FakePost = {
      uri,
      cid: `bafy${rkey}`,
      author: { did, handle: input.handle ?? 'user.bsky.social', displayName: `表示名 ${input.handle ?? 'user'}` },
      record,
      indexedAt: (input.indexedAt ?? input.at).toISOString(),
      likeCount: input.likes ?? 0,
      repostCount: 0,
      replyCount: 0,
      quoteCount: 0,
    };
    this.posts.push(post);
    return post;
  }

  deletePost(uri: string): void {
    this.posts = this.posts.filter((p) => p.uri !== uri);
  }

  /** Access tokens stop working with ExpiredToken (they live ~2 h on the real service). */
  expireAccessTokens(): void {
    for (const t of this.accessTokens) this.expiredAccessTokens.add(t);
    this.accessTokens.clear();
  }
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** A JWT-shaped token as the PDS issues (signature not meaningful here): access ~2 h, refresh ~90 days. */
  private jwt(scope: string, lifetimeS: number): string {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const iat = Math.floor(this.clock() / 1000);
    return `${part({ typ: 'at+jwt', alg: 'ES256K' })}.${part({ scope, sub: 'did:plc:hinokomonitor', iat, exp: iat + lifetimeS, jti: `${scope}-${this.minted}` })}.c2ln`;
  }

  private static expired(token: string, nowMs: number): boolean {
    try {
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
      return typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs;
    } catch {
      return false;
    }
  }

  private mint(): FakeResponse {
    this.minted += 1;
    const access = this.jwt('com.atproto.appPass', 7200);
    const refresh = this.jwt('com.atproto.refresh', 90 * 86_400);
    this.accessTokens.add(access);
    this.refreshTokens.add(refresh);
    return json(200, { accessJwt: access, refreshJwt: refresh, handle: this.identifier, did: 'did:plc:hinokomonitor', active: true });
  }

  private handle(request: FakeRequest): FakeResponse {
    const path = request.url.pathname;
    const bearer = request.headers.authorization?.startsWith('Bearer ') === true ? request.headers.authorization.slice(7) : null;
    if (path === '/xrpc/com.atproto.server.createSession' && request.method === 'POST') {
      this.createSessionCalls += 1;
      let body: unknown;
      try {
        body = JSON.parse(request.body.toString('utf8'));
      } catch {
        return xrpcError(400, 'InvalidRequest', 'Request body must be JSON');
      }
      const b = body as { identifier?: unknown; password?: unknown };
      if (b.identifier !== this.identifier || b.password !== this.password)
        return xrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password');
      return this.mint();
    }
    if (path === '/xrpc/com.atproto.server.refreshSession' && request.method === 'POST') {
      this.refreshSessionCalls += 1;
      if (bearer === null || !this.refreshTokens.has(bearer)) return xrpcError(400, 'ExpiredToken', 'Token has been revoked');
      this.refreshTokens.delete(bearer);
      return this.mint();
    }
    if (path === '/xrpc/app.bsky.feed.searchPosts' && request.method === 'GET') {
      if (bearer === null) return xrpcError(401, 'AuthenticationRequired', 'Authentication Required');
      if (this.expiredAccessTokens.has(bearer) || (this.accessTokens.has(bearer) && BlueskyFake.expired(bearer, this.clock())))
        return xrpcError(400, 'ExpiredToken', 'Token has expired');
      if (!this.accessTokens.has(bearer)) return xrpcError(401, 'InvalidToken', 'Malformed token');
      this.searchCalls += 1;
      return this.search(request.url.searchParams);
    }
    return xrpcError(501, 'MethodNotImplemented', 'Method Not Implemented');
  }

  private search(params: URLSearchParams): FakeResponse {
    const q = params.get('q');
    if (q === null || q.trim() === '') return xrpcError(400, 'InvalidRequest', 'Error: Params must have the property "q"');
    const limit = Number(params.get('limit') ?? '25');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return xrpcError(400, 'InvalidRequest', 'Error: limit must be <= 100');
    const phrase = q.replace(/"/g, '').normalize('NFKC').toLowerCase();
    const since = params.get('since');
    const lang = params.get('lang');
    const sortAt = (p: FakePost) => (p.record.createdAt < p.indexedAt ? p.record.createdAt : p.indexedAt);
    const matches = this.posts
      .filter((p) => p.record.text.normalize('NFKC').toLowerCase().includes(phrase))
      .filter((p) => since === null || Date.parse(sortAt(p)) >= Date.parse(since))
      .filter((p) => lang === null || (p.record.langs as string[] | undefined)?.includes(lang) === true)
      .sort((a, b) => sortAt(b).localeCompare(sortAt(a)) || b.uri.localeCompare(a.uri));
    const token = params.get('cursor');
    const offset = token === null ? 0 : decodeToken<{ o: number }>(token)?.o;
    if (offset === undefined || !Number.isInteger(offset)) return xrpcError(400, 'InvalidRequest', 'Malformed cursor');
    const page = matches.slice(offset, offset + limit);
    const resetAt = new Date(this.clock() + 300_000);
    const headers = this.rateHeaders(this.remaining, resetAt);
    this.remaining = 3000;
    return json(
      200,
      {
        posts: page.map((p) => ({
          ...p,
          ...(p.record.embed === undefined
            ? {}
            : {
                embed: {
                  $type: 'app.bsky.embed.record#view',
                  record: { $type: 'app.bsky.embed.record#viewRecord', uri: (p.record.embed as { record: { uri: string } }).record.uri },
                },
              }),
        })),
        ...(offset + limit < matches.length ? { cursor: encodeToken({ o: offset + limit }) } : {}),
        hitsTotal: matches.length,
      },
      headers,
    );
  }
}
