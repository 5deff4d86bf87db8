// Fake YouTube Data API v3: commentThreads.list (videoId | allThreadsRelatedToChannelId) and
// comments.list (parentId), API-key auth, daily quota (403 quotaExceeded), comments disabled
// (403 commentsDisabled), per shared/api-contracts/google/youtube-v3-commentThreads.

import {
  decodeToken,
  encodeToken,
  escapeMarkup,
  FaultyServer,
  FaultyServerFake,
  json,
  type FakeRequest,
  type FakeResponse,
} from './faulty-server.ts';

export interface FakeComment {
  id: string;
  videoId: string;
  channelId: string;
  authorDisplayName: string;
  authorChannelId: string;
  textOriginal: string;
  likeCount: number;
  publishedAt: string;
  updatedAt: string;
  parentId?: string;
}

interface FakeThread {
  top: FakeComment;
  replies: FakeComment[];
}

function youtubeError(code: number, reason: string, domain: string, message: string, status?: string): FakeResponse {
  return json(code, { error: { code, message, errors: [{ message, domain, reason }], ...(status === undefined ? {} : { status }) } });
}

function escapeHtml(text: string): string {
  return escapeMarkup(text).replace(/'/g, '&#39;').replace(/\n/g, '<br>');
}

/** How many replies commentThreads embeds; the rest come from comments.list. */
export const embeddedReplies = 5;

export class YouTubeFake extends FaultyServerFake {
  readonly http: FaultyServer;
  apiKey = 'yt-key-1';
  /** Remaining quota units; each list call costs 1. */
  quota = Number.POSITIVE_INFINITY;
  readonly disabledVideos = new Set<string>();
  /** Include textOriginal in responses (some responses only carry textDisplay). */
  sendTextOriginal = true;
  private videos = new Map<string, { channelId: string; threads: FakeThread[] }>();
  private nextId = 1;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.http = new FaultyServer({
      handle: (r) => this.handle(r),
      rateLimited: () =>
        youtubeError(429, 'rateLimitExceeded', 'youtube.quota', 'The request cannot be completed because you have exceeded your quota.'),
      serverError: (status) => youtubeError(status, 'backendError', 'global', 'Backend Error'),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  addVideo(videoId: string, channelId: string): void {
    if (!this.videos.has(videoId)) this.videos.set(videoId, { channelId, threads: [] });
  }

  comment(videoId: string, input: { text: string; author?: string; at: Date; likes?: number; replyTo?: string }): FakeComment {
    const video = this.videos.get(videoId);
    if (video === undefined) throw new Error(`no video ${videoId}`);
    const id = input.replyTo === undefined ? `Ugz${this.nextId}` : `${input.replyTo}.r${this.nextId}`;
    this.nextId += 1;
    const comment: FakeComment = {
      id,
      videoId,
      channelId: video.channelId,
      authorDisplayName: input.author ?? `@viewer${this.nextId}`,
      authorChannelId: `UCauthor${this.nextId}`,
      textOriginal: input.text,
      likeCount: input.likes ?? 0,
      publishedAt: input.at.toISOString(),
      updatedAt: input.at.toISOString(),
      ...(input.replyTo === undefined ? {} : { parentId: input.replyTo }),
    };
    if (input.replyTo === undefined) video.threads.push({ top: comment, replies: [] });
    else {
      const thread = video.threads.find((t) => t.top.id === input.replyTo);
      if (thread === undefined) throw new Error(`no thread ${input.replyTo}`);
      thread.replies.push(comment);
    }
    return comment;
  }

  /** Deletes a comment (a top-level one takes its thread and replies with it). */
  remove(commentId: string): void {
    for (const video of this.videos.values()) {
      video.threads = video.threads.filter((t) => t.top.id !== commentId);
      for (const thread of video.threads) thread.replies = thread.replies.filter((r) => r.id !== commentId);
    }
  }

  edit(commentId: string, text: string, at: Date): void {
    for (const video of this.videos.values()) {
      for (const thread of video.threads) {
        for (const c of [thread.top, ...thread.replies]) {
          if (c.id === commentId) {
            c.textOriginal = text;
            c.updatedAt = at.toISOString();
            return;
          }
        }
      }
    }
    throw new Error(`no comment ${commentId}`);
  }

  /** Every comment the fake holds, for exact-set assertions. */
  allCommentIds(): string[] {
    return [...this.videos.values()].flatMap((v) => v.threads.flatMap((t) => [t.top.id, ...t.replies.map((r) => r.id)]));
  }

  private resource(c: FakeComment): unknown {
    return {
      kind: 'youtube#comment',
      etag: `etag-${c.id}-${c.updatedAt}`,
      id: c.id,
      snippet: {
        channelId: c.channelId,
        videoId: c.videoId,
        textDisplay: escapeHtml(c.textOriginal),
        ...(this.sendTextOriginal ? { textOriginal: c.textOriginal } : {}),
        ...(c.parentId === undefined ? {} : { parentId: c.parentId }),
        authorDisplayName: c.authorDisplayName,
        authorProfileImageUrl: 'https://yt3.example/a.jpg',
        authorChannelUrl: `http://www.youtube.com/channel/${c.authorChannelId}`,
        authorChannelId: { value: c.authorChannelId },
        canRate: true,
        viewerRating: 'none',
        likeCount: c.likeCount,
        publishedAt: c.publishedAt,
        updatedAt: c.updatedAt,
      },
    };
  }

  private handle(request: FakeRequest): FakeResponse {
    const params = request.url.searchParams;
    if (params.get('key') !== this.apiKey) {
      return youtubeError(400, 'badRequest', 'global', 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT');
    }
    if (this.quota <= 0) {
      return youtubeError(
        403,
        'quotaExceeded',
        'youtube.quota',
        'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      );
    }
    this.quota -= 1;
    if (request.url.pathname === '/youtube/v3/commentThreads') return this.threads(params);
    if (request.url.pathname === '/youtube/v3/comments') return this.replies(params);
    return json(404, {
      error: { code: 404, message: 'Not Found', errors: [{ message: 'Not Found', domain: 'global', reason: 'notFound' }] },
    });
  }

  private pageOf<T>(all: T[], params: URLSearchParams, fallbackSize: number): { page: T[]; next: string | null } | FakeResponse {
    const maxResults = Number(params.get('maxResults') ?? String(fallbackSize));
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      return youtubeError(400, 'invalidParameter', 'youtube.parameter', 'Invalid value for maxResults');
    }
    const token = params.get('pageToken');
    const offset = token === null ? 0 : decodeToken<{ o: number }>(token)?.o;
    if (offset === undefined || !Number.isInteger(offset))
      return youtubeError(400, 'invalidPageToken', 'youtube.parameter', 'The request specifies an invalid page token.');
    return {
      page: all.slice(offset, offset + maxResults),
      next: offset + maxResults < all.length ? encodeToken({ o: offset + maxResults }) : null,
    };
  }

  private threads(params: URLSearchParams): FakeResponse {
    const parts = (params.get('part') ?? '').split(',');
    if (!parts.includes('snippet'))
      return youtubeError(400, 'missingRequiredParameter', 'global', 'No filter selected. Expected one of: part');
    const videoId = params.get('videoId');
    const channelId = params.get('allThreadsRelatedToChannelId');
    const ids = params.get('id');
    let threads: FakeThread[];
    if (ids !== null) {
      // id: comma-separated, at most 50; maxResults is not allowed with it; unknown ids are left out.
      const wanted = ids.split(',');
      if (wanted.length > 50 || params.has('maxResults'))
        return youtubeError(400, 'invalidParameter', 'youtube.parameter', 'Invalid combination with id');
      threads = [...this.videos.values()].flatMap((v) => v.threads).filter((t) => wanted.includes(t.top.id));
    } else if (videoId !== null) {
      const video = this.videos.get(videoId);
      if (video === undefined)
        return youtubeError(
          404,
          'videoNotFound',
          'youtube.commentThread',
          'The video identified by the videoId parameter could not be found.',
        );
      if (this.disabledVideos.has(videoId)) {
        return youtubeError(
          403,
          'commentsDisabled',
          'youtube.commentThread',
          'The video identified by the videoId parameter has disabled comments.',
        );
      }
      threads = [...video.threads];
    } else if (channelId !== null) {
      threads = [...this.videos.values()].filter((v) => v.channelId === channelId).flatMap((v) => v.threads);
    } else {
      return youtubeError(400, 'missingRequiredParameter', 'global', 'No filter selected.');
    }
    // order=time: newest thread first.
    threads.sort((a, b) => b.top.publishedAt.localeCompare(a.top.publishedAt) || b.top.id.localeCompare(a.top.id));
    // An id lookup answers every thread asked for, in one response.
    const paged = ids !== null ? { page: threads, next: null } : this.pageOf(threads, params, 20);
    if ('status' in paged) return paged;
    return json(200, {
      kind: 'youtube#commentThreadListResponse',
      etag: 'list-etag',
      ...(paged.next === null ? {} : { nextPageToken: paged.next }),
      pageInfo: { totalResults: paged.page.length, resultsPerPage: Number(params.get('maxResults') ?? 20) },
      items: paged.page.map((t) => ({
        kind: 'youtube#commentThread',
        etag: `thread-${t.top.id}`,
        id: t.top.id,
        snippet: {
          channelId: t.top.channelId,
          videoId: t.top.videoId,
          topLevelComment: this.resource(t.top),
          canReply: true,
          totalReplyCount: t.replies.length,
          isPublic: true,
        },
        ...(parts.includes('replies') && t.replies.length > 0
          ? { replies: { comments: t.replies.slice(-embeddedReplies).map((r) => this.resource(r)) } }
          : {}),
      })),
    });
  }

  private replies(params: URLSearchParams): FakeResponse {
    const parentId = params.get('parentId');
    if (parentId === null) return youtubeError(400, 'missingRequiredParameter', 'global', 'No filter selected.');
    const thread = [...this.videos.values()].flatMap((v) => v.threads).find((t) => t.top.id === parentId);
    if (thread === undefined) return youtubeError(404, 'commentNotFound', 'youtube.comment', 'The comment could not be found.');
    const paged = this.pageOf(thread.replies, params, 20);
    if ('status' in paged) return paged;
    return json(200, {
      kind: 'youtube#commentListResponse',
      etag: 'replies-etag',
      ...(paged.next === null ? {} : { nextPageToken: paged.next }),
      pageInfo: { totalResults: paged.page.length, resultsPerPage: Number(params.get('maxResults') ?? 20) },
      items: paged.page.map((r) => this.resource(r)),
    });
  }
}
