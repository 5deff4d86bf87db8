import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedFaultServer } from './scripted-fault-server.ts';

// A fake X API v2 on 127.0.0.1 that speaks the contract in shared/api-contracts (search/recent
// subset of X's OpenAPI): Bearer auth, query/since_id/next_token/max_results, newest-first paging
// with stable opaque tokens, author and referenced-post expansions, partial errors for referenced
// posts that were deleted, edits as new post ids with edit_history_tweet_ids, GET /2/tweets
// lookups, x-rate-limit-* headers on every response with a real window, and fault injection
// (scripted or at a seeded random rate) for 429, 5xx, hangs, connection resets, malformed,
// oversized and usage-capped responses.
//
// The query matcher understands what the collector sends: quoted phrases and @handles joined
// with OR (in parentheses or not), -"phrase" exclusions, lang:xx and -is:retweet.

export type XFaultKind =
  'rate-limit' | 'server-error' | 'unavailable' | 'hang' | 'reset' | 'malformed' | 'oversized' | 'usage-capped' | 'unauthorized';

export interface XFakeOptions {
  token?: string;
  /** The clock for default created_at values and rate-limit windows (share the test runtime's). */
  now?: () => Date;
  rateLimit?: { limit: number; windowSeconds: number };
  /** Probability that a request gets a random fault from faultKinds. */
  faultRate?: number;
  faultSeed?: number;
  faultKinds?: XFaultKind[];
  /** Reset announced with an injected 429. */
  faultResetSeconds?: number;
  maxQueryLength?: number;
}

export interface FakeTweet {
  id: string;
  text: string;
  author_id: string;
  created_at: string;
  lang: string;
  conversation_id: string;
  edit_history_tweet_ids: string[];
  referenced_tweets?: { type: 'retweeted' | 'quoted' | 'replied_to'; id: string }[];
  public_metrics: {
    retweet_count: number;
    reply_count: number;
    like_count: number;
    quote_count: number;
    bookmark_count: number;
    impression_count: number;
  };
}

export interface FakeUser {
  id: string;
  name: string;
  username: string;
}

interface ParsedQuery {
  include: string[];
  exclude: string[];
  lang: string | null;
  noRetweets: boolean;
}

const problem = (type: string, title: string, status: number, detail: string, extra: Record<string, unknown> = {}) => ({
  type: type === 'about:blank' ? type : `https://api.twitter.com/2/problems/${type}`,
  title,
  status,
  detail,
  ...extra,
});

export function parseFakeQuery(query: string): ParsedQuery {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const m of query.matchAll(/(-?)"([^"]*)"/g)) (m[1] ? exclude : include).push(m[2]!.toLowerCase());
  for (const m of query.matchAll(/(?:^|[\s(])@([A-Za-z0-9_]{1,15})/g)) include.push(`@${m[1]!.toLowerCase()}`);
  const lang = /(?:^|\s)lang:([a-z]{2,3})\b/.exec(query)?.[1] ?? null;
  return { include, exclude, lang, noRetweets: /(?:^|\s)-is:retweet\b/.test(query) };
}

/** A 200 body with the newer revisions' field names. */
function renamedForNewerSpec(body: unknown): unknown {
  if (!isObj(body)) return body;
  const post = (t: unknown) => {
    if (!isObj(t)) return t;
    const { referenced_tweets, edit_history_tweet_ids, ...rest } = t as Record<string, unknown>;
    return {
      ...rest,
      ...(referenced_tweets === undefined ? {} : { referenced_posts: referenced_tweets }),
      ...(edit_history_tweet_ids === undefined ? {} : { edit_history_post_ids: edit_history_tweet_ids }),
    };
  };
  const out: Record<string, unknown> = { ...body };
  if (Array.isArray(body.data)) out.data = body.data.map(post);
  if (isObj(body.includes)) {
    const { tweets, ...includes } = body.includes as Record<string, unknown>;
    out.includes = { ...includes, ...(Array.isArray(tweets) ? { posts: tweets.map(post) } : {}) };
  }
  return out;
}

export class XFake extends ScriptedFaultServer<XFaultKind> {
  /**
   * Answer with the names of newer spec revisions (CONTRACTS.md: referenced_posts, includes.posts,
   * edit_history_post_ids), which the collector must accept as well as the documented ones.
   */
  renamedFields = false;
  /** GET /2/tweets answers 403 (an access level without lookup): search still works. */
  lookupForbidden = false;
  readonly tweets = new Map<string, FakeTweet>();
  readonly users = new Map<string, FakeUser>();
  /** Ids of versions superseded by an edit: still found by lookup, no longer by search. */
  readonly superseded = new Set<string>();
  readonly deleted = new Set<string>();
  private readonly clock: () => Date;
  private nextSeq = 1n;
  /** Bumped by every change through the methods below; search results are cached per version. */
  private version = 0;
  private readonly matchCache = new Map<string, { version: number; list: FakeTweet[] }>();
  private windows = new Map<string, { resetAt: number; used: number }>();

  constructor(private readonly options: XFakeOptions = {}) {
    super({
      rate: options.faultRate,
      seed: options.faultSeed ?? 7,
      kinds: options.faultKinds ?? ['rate-limit', 'server-error', 'unavailable', 'hang', 'reset'],
    });
    this.clock = options.now ?? (() => new Date());
  }

  get token(): string {
    return this.options.token ?? 'x-test-token';
  }

  addUser(user: Partial<FakeUser> & { username: string }): FakeUser {
    const u: FakeUser = { id: user.id ?? String(1000 + this.users.size), name: user.name ?? user.username, username: user.username };
    this.users.set(u.id, u);
    return u;
  }

  private newId(): string {
    // Snowflake-like: 19 digits, increasing in creation order.
    const id = (1_860_000_000_000_000_000n + this.nextSeq * 4096n).toString();
    this.nextSeq += 1n;
    return id;
  }

  addTweet(input: {
    text: string;
    author?: FakeUser;
    createdAt?: Date;
    lang?: string;
    referenced?: FakeTweet['referenced_tweets'];
    metrics?: Partial<FakeTweet['public_metrics']>;
  }): FakeTweet {
    const author = input.author ?? this.users.values().next().value ?? this.addUser({ username: 'patient_a' });
    const id = this.newId();
    const tweet: FakeTweet = {
      id,
      text: input.text,
      author_id: author.id,
      created_at: (input.createdAt ?? this.clock()).toISOString(),
      lang: input.lang ?? 'ja',
      conversation_id: id,
      edit_history_tweet_ids: [id],
      public_metrics: {
        retweet_count: 0,
        reply_count: 0,
        like_count: 0,
        quote_count: 0,
        bookmark_count: 0,
        impression_count: 0,
        ...input.metrics,
      },
    };
    if (input.referenced) tweet.referenced_tweets = input.referenced;
    this.tweets.set(id, tweet);
    this.version += 1;
    return tweet;
  }

  /** Publishes an edit: a new post id whose history starts with the original id. */
  editTweet(id: string, text: string): FakeTweet {
    const old = this.tweets.get(id);
    if (!old) throw new Error(`no tweet ${id}`);
    const newId = this.newId();
    const history = [...old.edit_history_tweet_ids, newId];
    const edited: FakeTweet = { ...old, id: newId, text, created_at: this.clock().toISOString(), edit_history_tweet_ids: history };
    for (const v of history.slice(0, -1)) {
      this.superseded.add(v);
      const version = this.tweets.get(v);
      if (version) version.edit_history_tweet_ids = history;
    }
    this.tweets.set(newId, edited);
    this.version += 1;
    return edited;
  }

  deleteTweet(id: string): void {
    const t = this.tweets.get(id);
    if (!t) return;
    for (const v of t.edit_history_tweet_ids) this.deleted.add(v);
    this.version += 1;
  }

  /** Latest versions that search can return, newest first. */
  searchable(): FakeTweet[] {
    return [...this.tweets.values()]
      .filter((t) => !this.deleted.has(t.id) && !this.superseded.has(t.id))
      .sort((a, b) => compareIds(b.id, a.id));
  }

  matches(t: FakeTweet, q: ParsedQuery): boolean {
    const text = t.text.toLowerCase();
    if (q.include.length > 0 && !q.include.some((term) => text.includes(term))) return false;
    if (q.exclude.some((term) => text.includes(term))) return false;
    if (q.lang && t.lang !== q.lang) return false;
    if (q.noRetweets && t.referenced_tweets?.some((r) => r.type === 'retweeted')) return false;
    return true;
  }

  /** What a complete, fault-free collection of this query should yield, by stable (original) id. */
  expectedIds(query: string): string[] {
    const q = parseFakeQuery(query);
    const weekAgo = this.clock().getTime() - 7 * 86_400_000;
    return this.searchable()
      .filter((t) => this.matches(t, q) && Date.parse(t.created_at) >= weekAgo)
      .map((t) => t.edit_history_tweet_ids[0]!)
      .sort(compareIds);
  }

  private rateHeaders(bucket: string): { headers: Record<string, string>; exhausted: boolean } {
    const { limit, windowSeconds } = this.options.rateLimit ?? { limit: 450, windowSeconds: 900 };
    const now = this.clock().getTime();
    let w = this.windows.get(bucket);
    if (!w || w.resetAt <= now) {
      w = { resetAt: now + windowSeconds * 1000, used: 0 };
      this.windows.set(bucket, w);
    }
    const exhausted = w.used >= limit;
    if (!exhausted) w.used += 1;
    return {
      exhausted,
      headers: {
        'x-rate-limit-limit': String(limit),
        'x-rate-limit-remaining': String(Math.max(0, limit - w.used)),
        'x-rate-limit-reset': String(Math.ceil(w.resetAt / 1000)),
      },
    };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const json = JSON.stringify(this.renamedFields && status === 200 ? renamedForNewerSpec(body) : body);
    const type =
      status >= 400 && !(isObj(body) && 'errors' in body && !('type' in body))
        ? 'application/problem+json'
        : 'application/json; charset=utf-8';
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(json)), ...headers }).end(json);
  }

  private serveFault(kind: XFaultKind, req: IncomingMessage, res: ServerResponse, rate: Record<string, string>): void {
    this.faultsServed[kind] = (this.faultsServed[kind] ?? 0) + 1;
    const reset = Math.ceil(this.clock().getTime() / 1000) + (this.options.faultResetSeconds ?? 60);
    switch (kind) {
      case 'rate-limit': {
        const headers = { ...rate, 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) };
        // Both documented 429 bodies occur (CONTRACTS.md: unverified which), so alternate.
        const body =
          (this.faultsServed[kind] ?? 0) % 2 === 0
            ? { errors: [{ code: 88, message: 'Rate limit exceeded' }] }
            : problem('about:blank', 'Too Many Requests', 429, 'Too Many Requests');
        this.send(res, 429, body, headers);
        return;
      }
      case 'usage-capped':
        this.send(
          res,
          429,
          problem('usage-capped', 'UsageCapExceeded', 429, 'Usage cap exceeded: Monthly product cap', {
            period: 'Monthly',
            scope: 'Product',
          }),
          rate,
        );
        return;
      case 'server-error':
        this.send(res, 500, problem('about:blank', 'Internal Server Error', 500, 'Internal Server Error'), rate);
        return;
      case 'unavailable':
        this.send(res, 503, problem('about:blank', 'Service Unavailable', 503, 'Service Unavailable'), rate);
        return;
      case 'unauthorized':
        this.send(res, 401, problem('about:blank', 'Unauthorized', 401, 'Unauthorized'));
        return;
      case 'hang':
        return; // the client's timeout has to end it
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json', ...rate }).end('{"data":[{"id":"1","text":"trunc');
        return;
      case 'oversized': {
        const body = this.oversizedBody();
        // Declared up front, as a real server would: the client must refuse it before reading.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), ...rate });
        res.end(body);
        return;
      }
    }
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(url);
    const bucket = url.pathname === '/2/tweets/search/recent' ? 'search' : 'lookup';
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      this.send(res, 401, problem('about:blank', 'Unauthorized', 401, 'Unauthorized'));
      return;
    }
    const { headers: rate, exhausted } = this.rateHeaders(bucket);
    const fault = this.pickFault();
    if (fault) {
      this.serveFault(fault, req, res, rate);
      return;
    }
    if (exhausted) {
      this.send(res, 429, problem('about:blank', 'Too Many Requests', 429, 'Too Many Requests'), rate);
      return;
    }
    if (url.pathname === '/2/tweets/search/recent') this.search(url, res, rate);
    else if (url.pathname === '/2/tweets' && this.lookupForbidden) {
      // What X answers an app whose access level does not include the endpoint.
      this.send(
        res,
        403,
        problem(
          'client-forbidden',
          'Client Forbidden',
          403,
          'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.',
          {
            reason: 'client-not-enrolled',
          },
        ),
        rate,
      );
    } else if (url.pathname === '/2/tweets') this.lookup(url, res, rate);
    else this.send(res, 404, problem('resource-not-found', 'Not Found Error', 404, 'no such endpoint'), rate);
  }

  private invalid(res: ServerResponse, rate: Record<string, string>, parameter: string, message: string): void {
    this.send(
      res,
      400,
      problem('invalid-request', 'Invalid Request', 400, 'One or more parameters to your request was invalid.', {
        errors: [{ parameters: { [parameter]: [] }, message }],
      }),
      rate,
    );
  }

  private search(url: URL, res: ServerResponse, rate: Record<string, string>): void {
    const query = url.searchParams.get('query') ?? '';
    const maxLength = this.options.maxQueryLength ?? 512;
    if (query.length < 1 || query.length > maxLength) {
      this.invalid(res, rate, 'query', `The \`query\` param must be between 1 and ${maxLength} characters`);
      return;
    }
    const maxResults = Number(url.searchParams.get('max_results') ?? '10');
    if (!Number.isInteger(maxResults) || maxResults < 10 || maxResults > 100) {
      this.invalid(res, rate, 'max_results', 'The `max_results` query parameter value is not between 10 and 100');
      return;
    }
    const sinceId = url.searchParams.get('since_id');
    if (sinceId !== null && !/^[0-9]{1,19}$/.test(sinceId)) {
      this.invalid(res, rate, 'since_id', 'The `since_id` query parameter value is not valid');
      return;
    }
    if (sinceId !== null) {
      // Recent search reaches back 7 days; X refuses a since_id older than that.
      const since = this.tweets.get(sinceId);
      const weekAgo = this.clock().getTime() - 7 * 86_400_000;
      if (since && Date.parse(since.created_at) < weekAgo) {
        this.invalid(
          res,
          rate,
          'since_id',
          `Invalid 'since_id':'${sinceId}'. 'since_id' must be a tweet id created after ${new Date(weekAgo).toISOString()}.`,
        );
        return;
      }
    }
    const token = url.searchParams.get('next_token') ?? url.searchParams.get('pagination_token');
    let untilId: string | null = null;
    if (token !== null) {
      untilId = decodeToken(token);
      if (untilId === null) {
        this.invalid(res, rate, 'next_token', 'The `next_token` query parameter value is not valid');
        return;
      }
    }
    // Matches newest first, cached per query until the data changes: benchmarks page through
    // 100,000 posts and must measure the collector, not this fake.
    let cached = this.matchCache.get(query);
    if (!cached || cached.version !== this.version) {
      const q = parseFakeQuery(query);
      cached = { version: this.version, list: this.searchable().filter((t) => this.matches(t, q)) };
      this.matchCache.set(query, cached);
    }
    const list = cached.list;
    // First index whose id is below untilId (list is sorted by id, descending).
    let lo = 0;
    if (untilId !== null) {
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareIds(list[mid]!.id, untilId) >= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    const all: FakeTweet[] = [];
    const weekAgo = this.clock().getTime() - 7 * 86_400_000;
    for (let i = lo; i < list.length && all.length <= maxResults; i += 1) {
      if (sinceId !== null && compareIds(list[i]!.id, sinceId) <= 0) break;
      if (Date.parse(list[i]!.created_at) < weekAgo) continue; // recent search: the last 7 days
      all.push(list[i]!);
    }
    const page = all.slice(0, maxResults);
    const more = all.length > maxResults;
    const body: Record<string, unknown> = {
      meta: {
        result_count: page.length,
        ...(page.length > 0 ? { newest_id: page[0]!.id, oldest_id: page[page.length - 1]!.id } : {}),
        ...(more ? { next_token: encodeToken(page[page.length - 1]!.id) } : {}),
      },
    };
    if (page.length > 0) {
      body.data = page;
      Object.assign(body, this.expand(page));
    }
    this.send(res, 200, body, rate);
  }

  private expand(page: FakeTweet[]): Record<string, unknown> {
    const users = new Map<string, FakeUser>();
    const refs = new Map<string, FakeTweet>();
    const errors: unknown[] = [];
    for (const t of page) {
      const u = this.users.get(t.author_id);
      if (u) users.set(u.id, u);
      for (const r of t.referenced_tweets ?? []) {
        const ref = this.tweets.get(r.id);
        if (ref && !this.deleted.has(r.id)) {
          refs.set(ref.id, ref);
          const ru = this.users.get(ref.author_id);
          if (ru) users.set(ru.id, ru);
        } else {
          errors.push({
            value: r.id,
            detail: `Could not find tweet with referenced_tweets.id: [${r.id}].`,
            title: 'Not Found Error',
            resource_type: 'tweet',
            parameter: 'referenced_tweets.id',
            resource_id: r.id,
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          });
        }
      }
    }
    const includes: Record<string, unknown> = {};
    if (users.size > 0) includes.users = [...users.values()];
    if (refs.size > 0) includes.tweets = [...refs.values()];
    return { ...(Object.keys(includes).length > 0 ? { includes } : {}), ...(errors.length > 0 ? { errors } : {}) };
  }

  private lookup(url: URL, res: ServerResponse, rate: Record<string, string>): void {
    const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length < 1 || ids.length > 100 || ids.some((id) => !/^[0-9]{1,19}$/.test(id))) {
      this.invalid(res, rate, 'ids', 'The `ids` query parameter value must be 1 to 100 post ids');
      return;
    }
    const found = ids.map((id) => this.tweets.get(id)).filter((t): t is FakeTweet => !!t && !this.deleted.has(t.id));
    const errors = ids
      .filter((id) => !found.some((t) => t.id === id))
      .map((id) => ({
        value: id,
        detail: `Could not find tweet with ids: [${id}].`,
        title: 'Not Found Error',
        resource_type: 'tweet',
        parameter: 'ids',
        resource_id: id,
        type: 'https://api.twitter.com/2/problems/resource-not-found',
      }));
    const body: Record<string, unknown> = {};
    if (found.length > 0) {
      body.data = found;
      const users = [...new Set(found.map((t) => t.author_id))].map((id) => this.users.get(id)).filter(Boolean);
      if (users.length > 0) body.includes = { users };
    }
    if (errors.length > 0) body.errors = errors;
    this.send(res, 200, body, rate);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

// Opaque to the client, like X's: the position (the last id served) in base 36.
function encodeToken(lastId: string): string {
  return `b${BigInt(lastId).toString(36).padStart(14, '0')}`;
}

function decodeToken(token: string): string | null {
  if (!/^b[0-9a-z]{1,20}$/.test(token)) return null;
  let n = 0n;
  for (const ch of token.slice(1)) n = n * 36n + BigInt(parseInt(ch, 36));
  return n.toString();
}
