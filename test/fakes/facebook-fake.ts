import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedFaultServer } from './scripted-fault-server.ts';

// A fake Meta Graph API on 127.0.0.1 (the contract in shared/api-contracts/CONTRACTS.md, from
// Meta's SDK source and docs): access_token auth with optional appsecret_proof, the
// {data, paging:{cursors:{before,after}, next?}} envelope (after present even on the last page,
// next absent there), the {"error":{message,type,code,error_subcode,fbtrace_id}} envelope,
// X-App-Usage headers, and fault injection (scripted or at a seeded random rate).
// GraphFake is the core; FacebookFake adds the Page feed and comments, InstagramFake (beside
// this file) the Instagram endpoints. Both can sign webhook deliveries like Meta does.

export type GraphFaultKind =
  'throttle' | 'buc-throttle' | 'server-error' | 'transient' | 'hang' | 'reset' | 'malformed' | 'oversized' | 'auth';

export interface GraphFakeOptions {
  token?: string;
  /** When set, requests must carry the matching appsecret_proof; also signs webhooks. */
  appSecret?: string;
  now?: () => Date;
  faultRate?: number;
  faultSeed?: number;
  faultKinds?: GraphFaultKind[];
  /**
   * 'cursor' (default): cursors.after on every page, paging.next while there is more. 'time': the
   * time-based paging some edges use — no cursors, only paging.next (and previous) with until and
   * __paging_token, the token embedded as Meta does.
   */
  paging?: 'cursor' | 'time';
}

export class GraphError {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {}
}

export function graphError(
  status: number,
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): GraphError {
  return new GraphError(
    status,
    {
      error: {
        message,
        type: code === 190 || code === 102 ? 'OAuthException' : 'GraphMethodException',
        code,
        fbtrace_id: 'AbCdEfGhIjK',
        ...extra,
      },
    },
    headers,
  );
}

/** 2019-05-17T16:24:04+0000, as the Graph API writes times. */
export function graphTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

type Route = (url: URL, match: RegExpExecArray) => unknown;

export class GraphFake extends ScriptedFaultServer<GraphFaultKind> {
  protected readonly clock: () => Date;
  /** Rewrites each paging.next link (a test of a next link to another host). */
  rewriteNext: (next: string) => string = (next) => next;
  private readonly routes: { pattern: RegExp; handler: Route }[] = [];

  constructor(protected readonly options: GraphFakeOptions = {}) {
    super({
      rate: options.faultRate,
      seed: options.faultSeed ?? 11,
      kinds: options.faultKinds ?? ['throttle', 'server-error', 'transient', 'hang', 'reset'],
      basePath: '/v25.0',
    });
    this.clock = options.now ?? (() => new Date());
  }

  get token(): string {
    return this.options.token ?? 'graph-test-token';
  }

  protected route(pattern: RegExp, handler: Route): void {
    this.routes.push({ pattern, handler });
  }

  /** A webhook delivery signed like Meta signs it (both the SHA-256 and the legacy SHA-1 header). */
  signedDelivery(body: unknown, secret = this.options.appSecret ?? 'app-secret'): { rawBody: Buffer; headers: Record<string, string> } {
    const rawBody = Buffer.from(JSON.stringify(body));
    return {
      rawBody,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
        'x-hub-signature': `sha1=${createHmac('sha1', secret).update(rawBody).digest('hex')}`,
      },
    };
  }

  /**
   * The Graph paging envelope over an ordered list. Cursors name the last item served (like
   * Meta's opaque cursors they survive items being added elsewhere in the list).
   */
  protected paginate<T extends { id: string }>(items: T[], url: URL, defaultLimit = 25, maxLimit = 100): Record<string, unknown> {
    const limitParam = url.searchParams.get('limit');
    const limit = Math.min(maxLimit, Math.max(1, Number(limitParam ?? defaultLimit) || defaultLimit));
    const timePaging = this.options.paging === 'time';
    const after = timePaging ? url.searchParams.get('__paging_token') : url.searchParams.get('after');
    let start = 0;
    if (after) {
      const lastId = Buffer.from(after, 'base64url').toString('utf8');
      const index = items.findIndex((i) => i.id === lastId);
      if (index < 0) {
        throw graphError(400, 100, 'Invalid cursor', { error_subcode: 1357046 });
      }
      start = index + 1;
    }
    const page = items.slice(start, start + limit);
    const cursors =
      page.length > 0
        ? { before: Buffer.from(page[0]!.id).toString('base64url'), after: Buffer.from(page[page.length - 1]!.id).toString('base64url') }
        : {};
    const paging: Record<string, unknown> = timePaging ? {} : { cursors };
    if (start + limit < items.length) {
      const next = new URL(url.toString());
      if (timePaging) {
        const last = page[page.length - 1] as unknown as { created_time?: string };
        next.searchParams.delete('after');
        next.searchParams.set('until', String(Math.floor(Date.parse(fixTime(last.created_time ?? '')) / 1000)));
        next.searchParams.set('__paging_token', (cursors as { after: string }).after);
        paging.previous = `${this.baseUrl}${url.pathname.replace(/^\/v25\.0/, '')}${url.search}`;
      } else next.searchParams.set('after', (cursors as { after: string }).after);
      paging.next = this.rewriteNext(`${this.baseUrl}${next.pathname.replace(/^\/v25\.0/, '')}${next.search}`);
    }
    return { data: page, paging };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const json = JSON.stringify(body);
    res
      .writeHead(status, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': String(Buffer.byteLength(json)),
        'x-fb-trace-id': 'AbCdEfGhIjK',
        ...headers,
      })
      .end(json);
  }

  private serveFault(kind: GraphFaultKind, req: IncomingMessage, res: ServerResponse): void {
    this.faultsServed[kind] = (this.faultsServed[kind] ?? 0) + 1;
    const fail = (e: GraphError) => this.send(res, e.status, e.body, e.headers);
    switch (kind) {
      case 'throttle':
        fail(
          graphError(
            403,
            4,
            '(#4) Application request limit reached',
            { is_transient: true },
            { 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 12, total_time: 15 }) },
          ),
        );
        return;
      case 'buc-throttle':
        fail(
          graphError(
            400,
            80001,
            'There have been too many calls to this Page account. Wait a bit and try again.',
            { is_transient: true },
            {
              'x-business-use-case-usage': JSON.stringify({
                '1234567890': [{ type: 'pages', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: 2 }],
              }),
            },
          ),
        );
        return;
      case 'server-error':
        fail(graphError(500, 1, 'An unknown error occurred', { is_transient: true }));
        return;
      case 'transient':
        fail(graphError(503, 2, 'An unexpected error has occurred. Please retry your request later.', { is_transient: true }));
        return;
      case 'auth':
        fail(graphError(400, 190, 'Error validating access token: Session has expired.', { error_subcode: 463 }));
        return;
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"1_2","message":"trunc');
        return;
      case 'oversized': {
        const body = this.oversizedBody();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
        return;
      }
    }
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(url);
    const token = url.searchParams.get('access_token');
    if (token !== this.token) {
      const e = graphError(
        400,
        190,
        token
          ? 'Invalid OAuth access token - Cannot parse access token'
          : 'An active access token must be used to query information about the current user.',
      );
      this.send(res, e.status, e.body);
      return;
    }
    if (this.options.appSecret) {
      const proof = createHmac('sha256', this.options.appSecret).update(token).digest('hex');
      if (url.searchParams.get('appsecret_proof') !== proof) {
        const e = graphError(400, 100, 'Invalid appsecret_proof provided in the API argument');
        this.send(res, e.status, e.body);
        return;
      }
    }
    const fault = this.pickFault();
    if (fault) {
      this.serveFault(fault, req, res);
      return;
    }
    const path = url.pathname.replace(/^\/v25\.0/, '');
    const usage = { 'x-app-usage': JSON.stringify({ call_count: 1, total_cputime: 1, total_time: 1 }) };
    for (const { pattern, handler } of this.routes) {
      const match = pattern.exec(path);
      if (!match) continue;
      try {
        this.send(res, 200, handler(url, match), usage);
      } catch (e) {
        if (e instanceof GraphError) this.send(res, e.status, e.body, { ...usage, ...e.headers });
        else this.send(res, 500, { error: { message: String(e), code: 1 } });
      }
      return;
    }
    const e = graphError(400, 803, `(#803) Some of the aliases you requested do not exist: ${path}`);
    this.send(res, e.status, e.body, usage);
  }
}

// ---------------------------------------------------------------------------------------------

export interface FakePost {
  id: string;
  message?: string;
  created_time: string;
  updated_time: string;
  from: { id: string; name: string };
  permalink_url: string;
  status_type: string;
  shares?: { count: number };
  is_hidden: boolean;
}

export interface FakeComment {
  id: string;
  message: string;
  created_time: string;
  from?: { id: string; name: string };
  parent?: { id: string };
  like_count: number;
  comment_count: number;
  permalink_url: string;
  is_hidden: boolean;
  postId: string;
}

export class FacebookFake extends GraphFake {
  readonly posts: FakePost[] = []; // newest first
  readonly comments = new Map<string, FakeComment[]>(); // per post, oldest first
  private seq = 0;

  constructor(
    readonly pageId = '1234567890',
    options: GraphFakeOptions = {},
  ) {
    super(options);
    this.route(/^\/(\d+)\/feed$/, (url, m) => {
      if (m[1] !== this.pageId) throw graphError(400, 100, 'Unsupported get request.', { error_subcode: 33 });
      const since = sinceOf(url);
      return this.paginate(
        this.posts.filter((p) => since === null || Date.parse(fixTime(p.created_time)) >= since),
        url,
      );
    });
    this.route(/^\/(\d+_\d+)\/comments$/, (url, m) => {
      const post = this.posts.find((p) => p.id === m[1]);
      if (!post) throw graphError(400, 100, 'Unsupported get request. Object does not exist', { error_subcode: 33 });
      const since = sinceOf(url);
      let list = (this.comments.get(post.id) ?? []).filter((c) => since === null || Date.parse(fixTime(c.created_time)) >= since);
      if (url.searchParams.get('filter') === 'toplevel') list = list.filter((c) => !c.parent);
      if (url.searchParams.get('order') === 'reverse_chronological') list = [...list].reverse();
      const body = this.paginate(
        list.map(({ postId: _p, ...c }) => c),
        url,
      );
      if (url.searchParams.get('summary') === 'true')
        body.summary = { order: 'chronological', total_count: list.length, can_comment: true };
      return body;
    });
  }

  private nextId(): string {
    this.seq += 1;
    return String(100_000 + this.seq);
  }

  addPost(message: string | undefined, options: { at?: Date; from?: { id: string; name: string } } = {}): FakePost {
    const id = `${this.pageId}_${this.nextId()}`;
    const at = graphTime(options.at ?? this.clock());
    const post: FakePost = {
      id,
      created_time: at,
      updated_time: at,
      from: options.from ?? { id: this.pageId, name: 'さくら内科クリニック' },
      permalink_url: `https://www.facebook.com/${id.replace('_', '/posts/')}`,
      status_type: 'mobile_status_update',
      is_hidden: false,
      ...(message === undefined ? {} : { message }),
    };
    this.posts.unshift(post);
    this.posts.sort((a, b) => Date.parse(fixTime(b.created_time)) - Date.parse(fixTime(a.created_time)));
    return post;
  }

  addComment(
    postId: string,
    message: string,
    options: { at?: Date; parentId?: string; from?: { id: string; name: string } } = {},
  ): FakeComment {
    const id = `${postId.split('_')[1]}_${this.nextId()}`;
    const comment: FakeComment = {
      id,
      message,
      created_time: graphTime(options.at ?? this.clock()),
      from: options.from ?? { id: '9' + this.nextId(), name: '患者さん' },
      like_count: 0,
      comment_count: 0,
      permalink_url: `https://www.facebook.com/${postId.replace('_', '/posts/')}?comment_id=${id.split('_')[1]}`,
      is_hidden: false,
      postId,
      ...(options.parentId ? { parent: { id: options.parentId } } : {}),
    };
    const list = this.comments.get(postId) ?? [];
    list.push(comment);
    this.comments.set(postId, list);
    if (options.parentId) {
      const parent = list.find((c) => c.id === options.parentId);
      if (parent) parent.comment_count += 1;
    }
    return comment;
  }

  /** Edits keep the id; Graph reports the new message (and updated_time for posts). */
  editPost(postId: string, message: string): void {
    const post = this.posts.find((p) => p.id === postId);
    if (!post) throw new Error(`no post ${postId}`);
    post.message = message;
    post.updated_time = graphTime(this.clock());
  }

  editComment(commentId: string, message: string): void {
    const comment = [...this.comments.values()].flat().find((c) => c.id === commentId);
    if (!comment) throw new Error(`no comment ${commentId}`);
    comment.message = message;
  }

  deletePost(postId: string): void {
    const i = this.posts.findIndex((p) => p.id === postId);
    if (i >= 0) this.posts.splice(i, 1);
    this.comments.delete(postId);
  }

  deleteComment(commentId: string): void {
    for (const [postId, list] of this.comments)
      this.comments.set(
        postId,
        list.filter((c) => c.id !== commentId),
      );
  }

  /** Every post and comment id a complete collection should have. */
  allIds(): string[] {
    return [...this.posts.map((p) => p.id), ...[...this.comments.values()].flat().map((c) => c.id)].sort();
  }

  /** A Page webhook delivery for changes to the feed, as Meta sends it. */
  feedDelivery(changes: Record<string, unknown>[], secret?: string): { rawBody: Buffer; headers: Record<string, string> } {
    const time = Math.floor(this.clock().getTime() / 1000);
    return this.signedDelivery(
      { object: 'page', entry: [{ id: this.pageId, time, changes: changes.map((value) => ({ field: 'feed', value })) }] },
      secret,
    );
  }
}

function fixTime(t: string): string {
  return t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function sinceOf(url: URL): number | null {
  const since = url.searchParams.get('since');
  if (since === null) return null;
  if (!/^\d{1,12}$/.test(since)) throw graphError(400, 100, '(#100) The since parameter is not a valid timestamp');
  return Number(since) * 1000;
}
