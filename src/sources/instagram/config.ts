import { ValidationError } from '../../errors.ts';
import { configObject, httpUrl, integerIn, optionalEnvName } from '../config-fields.ts';
import { graphApiBaseUrl } from '../facebook/config.ts';
import type { GraphAuthConfig } from '../facebook/graph.ts';

export interface InstagramConfig extends GraphAuthConfig {
  /** The clinic's Instagram professional account id. */
  igUserId: string;
  verifyTokenEnv: string | null;
  /** Without '#'. Instagram allows 30 unique hashtags per account per rolling 7 days. */
  hashtags: string[];
  pageSize: number;
  /** Comments are followed on the account's media this recent … */
  mediaLookbackDays: number;
  /**
   * Hours after which a followed media's comments are read in full even when comments_count has
   * not changed (a deleted comment and a new one leave it as it was); 0 reads only on a change.
   */
  fullReadEveryHours: number;
  /** … up to this many of the newest. */
  maxMediaForComments: number;
  /** recent_media pages per hashtag per run (its cursor does not move, see the collector). */
  maxPagesPerHashtag: number;
  maxPagesPerRun: number;
}

/** Instagram Graph API, hashtag search: "30 unique hashtags within a rolling 7 day period". */
export const hashtagLimit = 30;
export const hashtagWindowMs = 7 * 24 * 3_600_000;

// Letters, digits and underscores in any script (ハッシュタグ are often Japanese).
const hashtagPattern = /^[\p{L}\p{N}\p{M}_]{1,100}$/u;

export function parseInstagramConfig(input: unknown): InstagramConfig {
  const raw = configObject(input);
  if (typeof raw.igUserId !== 'string' || !/^[0-9]{1,40}$/.test(raw.igUserId)) {
    throw new ValidationError('igUserId: Instagram プロアカウントの数字 ID (numeric Instagram professional account id)');
  }
  let hashtags: string[] = [];
  if (raw.hashtags !== undefined) {
    if (!Array.isArray(raw.hashtags) || raw.hashtags.length > hashtagLimit) {
      throw new ValidationError(`hashtags: ${hashtagLimit} 件以内の配列 (at most ${hashtagLimit}: Instagram's limit per 7 days)`);
    }
    hashtags = raw.hashtags.map((t: unknown, i) => {
      const tag = typeof t === 'string' ? t.normalize('NFKC').replace(/^#/, '').toLowerCase() : '';
      if (!hashtagPattern.test(tag)) throw new ValidationError(`hashtags[${i}]: # を除いた文字・数字・_ のみ (letters, digits and _ only)`);
      return tag;
    });
    hashtags = [...new Set(hashtags)];
  }
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', graphApiBaseUrl),
    igUserId: raw.igUserId,
    accessTokenEnv: optionalEnvName(raw.accessTokenEnv, 'accessTokenEnv'),
    appSecretEnv: optionalEnvName(raw.appSecretEnv, 'appSecretEnv'),
    verifyTokenEnv: optionalEnvName(raw.verifyTokenEnv, 'verifyTokenEnv'),
    hashtags,
    // recent_media returns at most 50 a page.
    pageSize: integerIn(raw.pageSize, 'pageSize', 1, 50, 50),
    mediaLookbackDays: integerIn(raw.mediaLookbackDays, 'mediaLookbackDays', 1, 90, 7),
    fullReadEveryHours: integerIn(raw.fullReadEveryHours, 'fullReadEveryHours', 0, 24 * 7, 6),
    maxMediaForComments: integerIn(raw.maxMediaForComments, 'maxMediaForComments', 0, 200, 25),
    maxPagesPerHashtag: integerIn(raw.maxPagesPerHashtag, 'maxPagesPerHashtag', 1, 100, 10),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 10_000, 200),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 50, 300_000, 30_000),
  };
}
