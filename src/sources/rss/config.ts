import { ValidationError } from '../../errors.ts';
import { booleanOr, configObject, httpUrl, integerIn } from '../config-fields.ts';
import { isRecord } from '../payload.ts';

export interface RssFeedConfig {
  url: string;
  /**
   * Keep every item, not only those naming a watch target: for feeds that are about the clinic
   * already (a Google Alerts feed, the clinic's own blog).
   */
  matchAll: boolean;
}

export interface RssConfig {
  feeds: RssFeedConfig[];
  /** Items read per feed per fetch; feeds that list thousands are cut here. */
  maxItemsPerFeed: number;
  requestTimeoutMs: number;
  maxBodyBytes: number;
}

export function parseRssConfig(input: unknown): RssConfig {
  const raw = configObject(input);
  if (!Array.isArray(raw.feeds) || raw.feeds.length === 0 || raw.feeds.length > 200) {
    throw new ValidationError('feeds: 1〜200 件のフィード URL を指定してください (1–200 feed URLs)');
  }
  const seen = new Set<string>();
  const feeds = raw.feeds.map((entry: unknown, i) => {
    const url = httpUrl(typeof entry === 'string' ? entry : isRecord(entry) ? entry.url : null, `feeds[${i}].url`, '');
    if (seen.has(url)) throw new ValidationError(`feeds[${i}].url: 重複しています (duplicate feed)`);
    seen.add(url);
    const matchAll = booleanOr(isRecord(entry) ? entry.matchAll : undefined, `feeds[${i}].matchAll`, false);
    return { url, matchAll };
  });
  return {
    feeds,
    maxItemsPerFeed: integerIn(raw.maxItemsPerFeed, 'maxItemsPerFeed', 1, 10_000, 500),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 100, 300_000, 30_000),
    maxBodyBytes: integerIn(raw.maxBodyBytes, 'maxBodyBytes', 1024, 50 * 1024 * 1024, 10 * 1024 * 1024),
  };
}
