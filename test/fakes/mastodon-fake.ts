// Fake Mastodon instance: /api/v1/timelines/tag/:hashtag with max_id / since_id / min_id and
// Link-header paging (no Link on an empty page), /api/v1/statuses/:id, X-RateLimit-* headers
// with an ISO 8601 reset, per the Mastodon API docs summarised in shared/api-contracts.

import { escapeMarkup, FaultyServer, FaultyServerFake, json, type FakeRequest, type FakeResponse } from './faulty-server.ts';

export interface FakeStatus {
  id: string;
  created_at: string;
  edited_at: string | null;
  in_reply_to_id: string | null;
  spoiler_text: string;
  language: string | null;
  content: string;
  text: string;
  tags: string[];
  account: { id: string; username: string; acct: string; display_name: string };
  favourites_count: number;
}

export class MastodonFake extends FaultyServerFake {
  readonly http: FaultyServer;
  /** When set, timelines answer 401 without this bearer token (instances with public preview off). */
  requiredToken: string | null = null;
  private statuses: FakeStatus[] = [];
  private nextId = 113_000_000_000_000_000n;
  private remaining = 300;
  private readonly clock: () => number;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.clock = options.now ?? Date.now;
    this.http = new FaultyServer({
      handle: (r) => this.handle(r),
      rateLimited: (resetAt) => json(429, { error: 'Too many requests' }, this.rateHeaders(0, resetAt)),
      serverError: (status) => ({
        status,
        headers: { 'content-type': 'text/html' },
        body: "<html><body>We're sorry, but something went wrong.</body></html>",
      }),
      now: this.clock,
    });
  }

  private rateHeaders(remaining: number, resetAt: Date): Record<string, string> {
    return { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': resetAt.toISOString() };
  }
  exhaustWindow(): void {
    this.remaining = 0;
  }

  post(input: {
    text: string;
    tags: string[];
    at: Date;
    user?: string;
    spoiler?: string;
    replyTo?: string;
    language?: string;
  }): FakeStatus {
    this.nextId += 1_000n + BigInt(this.statuses.length % 7);
    const user = input.user ?? 'kanja';
    const status: FakeStatus = {
      id: this.nextId.toString(),
      created_at: input.at.toISOString(),
      edited_at: null,
      in_reply_to_id: input.replyTo ?? null,
      spoiler_text: input.spoiler ?? '',
      language: input.language ?? 'ja',
      text: input.text,
      content: '',
      tags: input.tags.map((t) => t.toLowerCase()),
      account: { id: `10${user.length}${user.charCodeAt(0)}`, username: user, acct: `${user}@mstdn.example`, display_name: `${user}さん` },
      favourites_count: 0,
    };
    status.content = this.render(status);
    this.statuses.push(status);
    return status;
  }

  private render(status: FakeStatus): string {
    const tags = status.tags
      .map(
        (t) =>
          ` <a href="https://mstdn.example/tags/${encodeURIComponent(t)}" class="mention hashtag" rel="tag">#<span>${escapeMarkup(t)}</span></a>`,
      )
      .join('');
    return `<p>${escapeMarkup(status.text).replace(/\n/g, '<br />')}${tags}</p>`;
  }

  edit(id: string, text: string, at: Date): void {
    const status = this.statuses.find((s) => s.id === id);
    if (status === undefined) throw new Error(`no status ${id}`);
    status.text = text;
    status.edited_at = at.toISOString();
    status.content = this.render(status);
  }

  delete(id: string): void {
    this.statuses = this.statuses.filter((s) => s.id !== id);
  }

  allIds(tag: string): string[] {
    return this.statuses.filter((s) => s.tags.includes(tag.toLowerCase())).map((s) => s.id);
  }

  private entity(s: FakeStatus): unknown {
    return {
      id: s.id,
      created_at: s.created_at,
      in_reply_to_id: s.in_reply_to_id,
      in_reply_to_account_id: null,
      sensitive: s.spoiler_text !== '',
      spoiler_text: s.spoiler_text,
      visibility: 'public',
      language: s.language,
      uri: `https://mstdn.example/users/${s.account.username}/statuses/${s.id}`,
      url: `https://mstdn.example/@${s.account.username}/${s.id}`,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: s.favourites_count,
      edited_at: s.edited_at,
      content: s.content,
      reblog: null,
      account: { ...s.account, url: `https://mstdn.example/@${s.account.username}`, locked: false, bot: false },
      media_attachments: [],
      mentions: [],
      tags: s.tags.map((t) => ({ name: t, url: `https://mstdn.example/tags/${t}` })),
      emojis: [],
      card: null,
      poll: null,
    };
  }

  private handle(request: FakeRequest): FakeResponse {
    const resetAt = new Date(this.clock() + 300_000);
    const headers = this.rateHeaders(this.remaining, resetAt);
    this.remaining = 300;
    const path = request.url.pathname;
    const tagMatch = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(path);
    if (tagMatch !== null) {
      if (this.requiredToken !== null && request.headers.authorization !== `Bearer ${this.requiredToken}`) {
        return json(401, { error: 'This method requires an authenticated user' }, headers);
      }
      return this.timeline(decodeURIComponent(tagMatch[1] as string).toLowerCase(), request.url, headers);
    }
    const statusMatch = /^\/api\/v1\/statuses\/([0-9]+)$/.exec(path);
    if (statusMatch !== null) {
      const status = this.statuses.find((s) => s.id === statusMatch[1]);
      return status === undefined ? json(404, { error: 'Record not found' }, headers) : json(200, this.entity(status), headers);
    }
    return json(404, { error: 'Record not found' }, headers);
  }

  private timeline(tag: string, url: URL, headers: Record<string, string>): FakeResponse {
    const params = url.searchParams;
    const limit = Math.min(40, Math.max(1, Number(params.get('limit') ?? '20') || 20));
    const big = (v: string | null) => (v !== null && /^[0-9]{1,30}$/.test(v) ? BigInt(v) : null);
    const maxId = big(params.get('max_id'));
    const sinceId = big(params.get('since_id'));
    const minId = big(params.get('min_id'));
    let matching = this.statuses.filter((s) => s.tags.includes(tag)).sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    if (maxId !== null) matching = matching.filter((s) => BigInt(s.id) < maxId);
    if (sinceId !== null) matching = matching.filter((s) => BigInt(s.id) > sinceId);
    let page: FakeStatus[];
    if (minId !== null) {
      // min_id: the statuses immediately newer than it, still returned newest first.
      page = matching
        .filter((s) => BigInt(s.id) > minId)
        .reverse()
        .slice(0, limit)
        .reverse();
    } else {
      page = matching.slice(0, limit);
    }
    const base = `${this.baseUrl}/api/v1/timelines/tag/${encodeURIComponent(tag)}`;
    const link: Record<string, string> =
      page.length === 0
        ? {}
        : {
            link: `<${base}?limit=${limit}&max_id=${page.at(-1)!.id}>; rel="next", <${base}?limit=${limit}&min_id=${page[0]!.id}>; rel="prev"`,
          };
    return json(
      200,
      page.map((s) => this.entity(s)),
      { ...headers, ...link },
    );
  }
}
