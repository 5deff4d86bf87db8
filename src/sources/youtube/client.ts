// YouTube Data API v3 with an API key. Quota errors are not auth errors: the daily quota
// resets at midnight Pacific time, so the run stops and says until when.

import { createHttpClient, type HttpClient } from '../http.ts';
import { SourceResponseError, type ErrorClassifier } from '../http-errors.ts';
import type { SourceRuntime } from '../types.ts';
import { isRecord } from '../payload.ts';
import type { YouTubeConfig } from './config.ts';

const pacificParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

function partsOf(date: Date): Record<string, number> {
  return Object.fromEntries(
    pacificParts
      .formatToParts(date)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  );
}

/** The next midnight in America/Los_Angeles (PST or PDT), when YouTube's daily quota resets. */
export function nextPacificMidnight(now: Date): Date {
  const p = partsOf(now);
  for (const offsetHours of [7, 8]) {
    const candidate = new Date(Date.UTC(p.year as number, (p.month as number) - 1, (p.day as number) + 1, offsetHours));
    const q = partsOf(candidate);
    if (q.hour === 0 && q.minute === 0) return candidate;
  }
  return new Date(now.getTime() + 24 * 3_600_000);
}

export function youtubeErrorReason(json: unknown): string | null {
  const error = isRecord(json) && isRecord(json.error) ? json.error : null;
  if (error === null) return null;
  const errors: unknown[] = Array.isArray(error.errors) ? (error.errors as unknown[]) : [];
  const first = isRecord(errors[0]) ? errors[0] : null;
  const details: unknown[] = Array.isArray(error.details) ? (error.details as unknown[]) : [];
  const detail = details.find((d) => isRecord(d) && typeof d.reason === 'string');
  if (isRecord(detail) && detail.reason === 'API_KEY_INVALID') return 'keyInvalid';
  if (typeof first?.reason === 'string') return first.reason;
  return typeof error.status === 'string' ? error.status : null;
}

function classifier(runtime: SourceRuntime): ErrorClassifier {
  return (response) => {
    const reason = youtubeErrorReason(response.json);
    switch (reason) {
      case 'quotaExceeded':
      case 'dailyLimitExceeded':
        return { kind: 'exhausted', retryAt: nextPacificMidnight(runtime.now()) };
      case 'rateLimitExceeded':
      case 'userRateLimitExceeded':
        return { kind: 'throttled' };
      case 'keyInvalid':
      case 'keyExpired':
      case 'accessNotConfigured':
      case 'forbidden':
      case 'ipRefererBlocked':
        return { kind: 'auth' };
      case 'commentsDisabled':
      case 'videoNotFound':
      case 'channelNotFound':
      case 'commentNotFound':
      case 'invalidPageToken':
        // About this video or channel, not the credentials: the collector skips it.
        return { kind: 'fatal' };
      default:
        if (response.status === 400 && typeof response.text === 'string' && response.text.includes('API key not valid'))
          return { kind: 'auth' };
        return undefined;
    }
  };
}

export interface YouTubeListPage {
  items: unknown[];
  nextPageToken: string | null;
}

export class YouTubeClient {
  private readonly http: HttpClient;

  constructor(
    private readonly config: YouTubeConfig,
    private readonly runtime: SourceRuntime,
  ) {
    this.http = createHttpClient({ runtime, label: 'youtube', timeoutMs: config.requestTimeoutMs, classifyError: classifier(runtime) });
  }

  private async list(path: string, params: Record<string, string>): Promise<YouTubeListPage> {
    const url = new URL(`${this.config.baseUrl}/youtube/v3/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    // The key is a query parameter by Google's design; http.ts redacts `key` from logs and errors.
    url.searchParams.set('key', this.runtime.secret('apiKey'));
    const { body } = await this.http.requestJson(url);
    if (!isRecord(body) || !Array.isArray(body.items))
      throw new SourceResponseError(`youtube: ${path} の応答に items がありません (response without items)`);
    const next = body.nextPageToken;
    return { items: body.items, nextPageToken: typeof next === 'string' && next !== '' && next.length <= 4096 ? next : null };
  }

  threads(feed: { videoId?: string; channelId?: string }, pageToken: string | null): Promise<YouTubeListPage> {
    return this.list('commentThreads', {
      part: 'snippet,replies',
      ...(feed.videoId === undefined ? { allThreadsRelatedToChannelId: feed.channelId as string } : { videoId: feed.videoId }),
      maxResults: String(this.config.pageSize),
      order: 'time',
      ...(pageToken === null ? {} : { pageToken }),
    });
  }

  /** Up to 50 threads by id (maxResults and order are not allowed with id). Missing ids are gone. */
  threadsById(ids: string[]): Promise<YouTubeListPage> {
    return this.list('commentThreads', { part: 'snippet,replies', id: ids.join(',') });
  }

  replies(parentId: string, pageToken: string | null): Promise<YouTubeListPage> {
    return this.list('comments', { part: 'snippet', parentId, maxResults: '100', ...(pageToken === null ? {} : { pageToken }) });
  }
}
