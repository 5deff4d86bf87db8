// Mastodon REST API: hashtag timelines with Link-header paging, and single statuses (to see
// edits and deletions of what was already collected).

import { createHttpClient, type HttpClient } from '../http.ts';
import { parseLinkHeader } from '../http-response.ts';
import { SourceHttpError, SourceResponseError } from '../http-errors.ts';
import type { SourceRuntime } from '../types.ts';
import type { MastodonConfig } from './config.ts';

export interface TimelinePage {
  statuses: unknown[];
  /** Query parameters of the rel="next" (older) and rel="prev" (newer) links. */
  next: { maxId: string } | null;
  prev: { minId: string } | null;
}

function linkParam(url: string | undefined, name: string): string | null {
  if (url === undefined) return null;
  try {
    const value = new URL(url).searchParams.get(name);
    return value !== null && /^[0-9A-Za-z_-]{1,64}$/.test(value) ? value : null;
  } catch {
    return null;
  }
}

export class MastodonClient {
  private readonly http: HttpClient;

  constructor(
    private readonly config: MastodonConfig,
    private readonly runtime: SourceRuntime,
  ) {
    this.http = createHttpClient({ runtime, label: 'mastodon', timeoutMs: config.requestTimeoutMs });
  }

  private headers(): Record<string, string> {
    return this.runtime.hasSecret('accessToken') ? { authorization: `Bearer ${this.runtime.secret('accessToken')}` } : {};
  }

  async tagTimeline(tag: string, params: { maxId?: string; minId?: string }): Promise<TimelinePage> {
    const url = new URL(`${this.config.baseUrl}/api/v1/timelines/tag/${encodeURIComponent(tag)}`);
    url.searchParams.set('limit', String(this.config.pageSize));
    if (params.maxId !== undefined) url.searchParams.set('max_id', params.maxId);
    if (params.minId !== undefined) url.searchParams.set('min_id', params.minId);
    const response = await this.http.requestJson(url, { headers: this.headers() });
    if (!Array.isArray(response.body))
      throw new SourceResponseError('mastodon: タイムラインの応答が配列ではありません (timeline response is not an array)');
    // Paging follows the Link header, not the ids in the body: the server may filter statuses
    // out of a page, and the link still marks where that page ended.
    const links = parseLinkHeader(response.headers.get('link'));
    const maxId = linkParam(links.next, 'max_id');
    const minId = linkParam(links.prev, 'min_id') ?? linkParam(links.prev, 'since_id');
    return { statuses: response.body, next: maxId === null ? null : { maxId }, prev: minId === null ? null : { minId } };
  }

  /** The status, or null when the instance answers 404 (deleted, or no longer visible). */
  async status(id: string): Promise<unknown> {
    try {
      const response = await this.http.requestJson(`${this.config.baseUrl}/api/v1/statuses/${encodeURIComponent(id)}`, {
        headers: this.headers(),
      });
      return response.body;
    } catch (error) {
      if (error instanceof SourceHttpError && (error.status === 404 || error.status === 410)) return null;
      throw error;
    }
  }
}
