import { GraphFake, graphError, graphTime, type GraphFakeOptions } from './facebook-fake.ts';

// A fake Instagram Graph API (same host, auth, paging and errors as Facebook — see GraphFake):
// /{ig-user-id}/tags and /media (newest first), /{media-id}/comments (newest first, with a
// nested first page of replies carrying its own paging), /{comment-id}/replies, ig_hashtag_search
// with the 30-unique-hashtags-per-7-days limit enforced, and /{hashtag-id}/recent_media — last
// 24 hours only, at most 50 a page, not chronological, with the same `after` cursor on every page
// (as documented), the position being kept server-side per hashtag.

export interface FakeMedia {
  id: string;
  caption?: string;
  timestamp: string;
  permalink: string;
  media_type: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  like_count: number;
  comments_count: number;
  username: string;
}

export interface FakeIgComment {
  id: string;
  text: string;
  timestamp: string;
  username: string;
  from: { id: string; username: string };
  like_count: number;
  hidden: boolean;
  parent_id?: string;
  mediaId: string;
}

const nestedReplies = 3;
const hashtagAfter = 'QVFIUmZAkOXRtVHdfZAWNrU2RJNVZAlYzA2';

export class InstagramFake extends GraphFake {
  readonly ownMedia: FakeMedia[] = [];
  readonly taggedMedia: FakeMedia[] = [];
  readonly hashtagMedia = new Map<string, FakeMedia[]>(); // hashtag name → media
  readonly comments: FakeIgComment[] = [];
  /** Hashtags queried through ig_hashtag_search, each with the start of its 7-day window (ms). */
  readonly hashtagQueries: { tag: string; at: number }[] = [];
  hashtagLimitErrors = 0;
  private readonly hashtagSessions = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly igUserId = '17841400000000001',
    options: GraphFakeOptions = {},
  ) {
    super(options);
    this.route(/^\/(\d+)\/tags$/, (url, m) => this.paginate(this.forUser(m[1]!, this.taggedMedia), url, 25, 50));
    this.route(/^\/(\d+)\/media$/, (url, m) => this.paginate(this.forUser(m[1]!, this.ownMedia), url, 25, 50));
    this.route(/^\/(\d+)\/comments$/, (url, m) => {
      const media = this.ownMedia.find((x) => x.id === m[1]);
      if (!media) throw graphError(400, 100, 'Unsupported get request. Object does not exist', { error_subcode: 33 });
      const top = this.comments.filter((c) => c.mediaId === media.id && !c.parent_id).reverse();
      const body = this.paginate(
        top.map((c) => this.publicComment(c)),
        url,
        25,
        50,
      );
      body.data = (body.data as ReturnType<InstagramFake['publicComment']>[]).map((c) => {
        const replies = this.comments.filter((r) => r.parent_id === c.id);
        if (replies.length === 0) return c;
        const first = replies.slice(0, nestedReplies).map((r) => this.publicComment(r));
        const paging: Record<string, unknown> = { cursors: { before: 'b', after: Buffer.from(first.at(-1)!.id).toString('base64url') } };
        if (replies.length > nestedReplies)
          paging.next = `${this.baseUrl}/${c.id}/replies?after=${(paging.cursors as { after: string }).after}`;
        return { ...c, replies: { data: first, paging } };
      });
      return body;
    });
    this.route(/^\/(\d+)\/replies$/, (url, m) => {
      const replies = this.comments.filter((r) => r.parent_id === m[1]).map((r) => this.publicComment(r));
      return this.paginate(replies, url, 25, 50);
    });
    this.route(/^\/ig_hashtag_search$/, (url) => {
      if (url.searchParams.get('user_id') !== this.igUserId) throw graphError(400, 100, 'user_id is required');
      const tag = (url.searchParams.get('q') ?? '').toLowerCase();
      const now = this.clock().getTime();
      const inWindow = new Set(this.hashtagQueries.filter((q) => q.at > now - 7 * 86_400_000).map((q) => q.tag));
      if (!inWindow.has(tag) && inWindow.size >= 30) {
        this.hashtagLimitErrors += 1;
        // Code and subcode unverified (CONTRACTS.md gives none); the collector must never see it.
        throw graphError(400, 24, '(#24) You have reached the maximum number of unique hashtags that can be queried in a 7 day period', {
          error_subcode: 2207051,
        });
      }
      // A repeat inside the window neither counts again nor restarts the tag's 7 days.
      if (!inWindow.has(tag)) this.hashtagQueries.push({ tag, at: now });
      if (!this.hashtagMedia.has(tag)) return { data: [] };
      return { data: [{ id: hashtagIdOf(tag) }] };
    });
    this.route(/^\/(\d+)\/recently_searched_hashtags$/, (_url, m) => {
      if (m[1] !== this.igUserId) throw graphError(400, 100, 'Unsupported get request.', { error_subcode: 33 });
      const now = this.clock().getTime();
      const tags = new Set(this.hashtagQueries.filter((q) => q.at > now - 7 * 86_400_000).map((q) => q.tag));
      return { data: [...tags].map((t) => ({ id: hashtagIdOf(t) })) };
    });
    this.route(/^\/(\d+)\/recent_media$/, (url, m) => {
      const tag = [...this.hashtagMedia.keys()].find((t) => hashtagIdOf(t) === m[1]);
      if (!tag) throw graphError(400, 100, 'Unsupported get request. Object does not exist', { error_subcode: 33 });
      const dayAgo = this.clock().getTime() - 86_400_000;
      // Not chronological: a fixed shuffle by id.
      const media = this.hashtagMedia
        .get(tag)!
        .filter((x) => Date.parse(x.timestamp.replace(/\+0000$/, 'Z')) >= dayAgo)
        .sort((a, b) => scramble(a.id) - scramble(b.id))
        .map(({ username: _u, ...x }) => x);
      const limit = Math.min(50, Number(url.searchParams.get('limit') ?? 25) || 25);
      const offset = url.searchParams.get('after') === hashtagAfter ? (this.hashtagSessions.get(tag) ?? 0) : 0;
      this.hashtagSessions.set(tag, offset + limit);
      const data = media.slice(offset, offset + limit);
      const paging: Record<string, unknown> = { cursors: { after: hashtagAfter } };
      if (offset + limit < media.length) paging.next = `${this.baseUrl}/${m[1]}/recent_media?after=${hashtagAfter}`;
      return { data, paging };
    });
  }

  private forUser(id: string, list: FakeMedia[]): FakeMedia[] {
    if (id !== this.igUserId) throw graphError(400, 100, 'Unsupported get request.', { error_subcode: 33 });
    return [...list].sort((a, b) => Date.parse(b.timestamp.replace(/\+0000$/, 'Z')) - Date.parse(a.timestamp.replace(/\+0000$/, 'Z')));
  }

  private publicComment(c: FakeIgComment) {
    const { mediaId: _m, ...rest } = c;
    return rest;
  }

  private nextId(): string {
    this.seq += 1;
    return String(17_900_000_000_000_000n + BigInt(this.seq));
  }

  private media(caption: string | undefined, username: string, at?: Date): FakeMedia {
    const id = this.nextId();
    return {
      id,
      timestamp: graphTime(at ?? this.clock()),
      permalink: `https://www.instagram.com/p/${id.slice(-8)}/`,
      media_type: 'IMAGE',
      like_count: 0,
      comments_count: 0,
      username,
      ...(caption === undefined ? {} : { caption }),
    };
  }

  addOwnMedia(caption: string, at?: Date): FakeMedia {
    const m = this.media(caption, 'sakura_naika', at);
    this.ownMedia.push(m);
    return m;
  }

  /** Deleted or archived: gone from every listing, its comments with it. */
  removeOwnMedia(mediaId: string): void {
    const i = this.ownMedia.findIndex((m) => m.id === mediaId);
    if (i >= 0) this.ownMedia.splice(i, 1);
    for (let j = this.comments.length - 1; j >= 0; j -= 1) if (this.comments[j]!.mediaId === mediaId) this.comments.splice(j, 1);
  }

  addTaggedMedia(caption: string, username = 'patient_a', at?: Date): FakeMedia {
    const m = this.media(caption, username, at);
    this.taggedMedia.push(m);
    return m;
  }

  addHashtagMedia(tag: string, caption: string, at?: Date): FakeMedia {
    const m = this.media(caption, 'someone', at);
    const list = this.hashtagMedia.get(tag) ?? [];
    list.push(m);
    this.hashtagMedia.set(tag, list);
    return m;
  }

  addComment(mediaId: string, text: string, options: { parentId?: string; username?: string; at?: Date } = {}): FakeIgComment {
    const username = options.username ?? 'patient_b';
    const c: FakeIgComment = {
      id: this.nextId(),
      text,
      timestamp: graphTime(options.at ?? this.clock()),
      username,
      from: { id: this.nextId(), username },
      like_count: 0,
      hidden: false,
      mediaId,
      ...(options.parentId ? { parent_id: options.parentId } : {}),
    };
    this.comments.push(c);
    const media = this.ownMedia.find((m) => m.id === mediaId);
    if (media) media.comments_count += 1;
    return c;
  }

  /** The commenter deleted it (or the account did): gone, and the media's count goes down. */
  removeComment(commentId: string): void {
    const i = this.comments.findIndex((c) => c.id === commentId);
    if (i < 0) return;
    const [c] = this.comments.splice(i, 1);
    const media = this.ownMedia.find((m) => m.id === c!.mediaId);
    if (media) media.comments_count -= 1;
  }

  /**
   * Every id a complete collection should hold: tagged media, own media, their comments and
   * replies, and hashtag media still inside recent_media's 24 hours.
   */
  allIds(): string[] {
    const dayAgo = this.clock().getTime() - 86_400_000;
    const hashtag = [...this.hashtagMedia.values()].flat().filter((m) => Date.parse(m.timestamp.replace(/\+0000$/, 'Z')) >= dayAgo);
    return [...new Set([...this.taggedMedia, ...this.ownMedia, ...this.comments, ...hashtag].map((x) => x.id))].sort();
  }

  /** A webhook delivery as Meta sends it for this account. */
  delivery(changes: { field: string; value: unknown }[], secret?: string): { rawBody: Buffer; headers: Record<string, string> } {
    return this.signedDelivery(
      { object: 'instagram', entry: [{ id: this.igUserId, time: Math.floor(this.clock().getTime() / 1000), changes }] },
      secret,
    );
  }
}

export function hashtagIdOf(tag: string): string {
  let h = 17843000000000000n;
  for (const ch of tag) h = ((h * 31n + BigInt(ch.codePointAt(0)!)) % 1000000000000000n) + 17843000000000000n;
  return h.toString();
}

function scramble(id: string): number {
  let h = 2166136261;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}
