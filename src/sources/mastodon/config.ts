import { ValidationError } from '../../errors.ts';
import { booleanOr, configObject, httpUrl, integerIn, optionalEnvName } from '../config-fields.ts';

export interface MastodonConfig {
  /** The instance, e.g. https://mastodon.social or https://mstdn.jp. */
  baseUrl: string;
  /** Hashtags to follow, without '#'. Watch-target names that are valid hashtags are added. */
  hashtags: string[];
  hashtagsFromTargets: boolean;
  /** Needed only on instances that hide public timelines from anonymous clients. */
  accessTokenEnv: string | null;
  pageSize: number;
  /** Pages of history read on the very first run of a hashtag. */
  backfillPages: number;
  maxPagesPerRun: number;
  /** Recently collected statuses re-read each run to catch edits and deletions; 0 = off. */
  recheckLimit: number;
  recheckHours: number;
  requestTimeoutMs: number;
}

export const mastodonBaseUrl = 'https://mastodon.social';

// Mastodon hashtags are word characters (any script) and underscores.
export const hashtagPattern = /^[\p{L}\p{N}\p{M}_]{1,100}$/u;

export function parseMastodonConfig(input: unknown): MastodonConfig {
  const raw = configObject(input);
  const hashtags = raw.hashtags ?? [];
  if (!Array.isArray(hashtags) || hashtags.length > 50) throw new ValidationError('hashtags: 50 件以内の配列 (array of at most 50)');
  const tags = hashtags.map((t: unknown, i) => {
    const tag = typeof t === 'string' ? t.replace(/^#/, '') : '';
    if (!hashtagPattern.test(tag))
      throw new ValidationError(`hashtags[${i}]: ハッシュタグとして使えない文字があります (letters, digits and _ only)`);
    return tag;
  });
  const hashtagsFromTargets = booleanOr(raw.hashtagsFromTargets, 'hashtagsFromTargets', true);
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', mastodonBaseUrl),
    hashtags: tags,
    hashtagsFromTargets,
    accessTokenEnv: optionalEnvName(raw.accessTokenEnv, 'accessTokenEnv'),
    // Mastodon caps timeline pages at 40.
    pageSize: integerIn(raw.pageSize, 'pageSize', 1, 40, 40),
    backfillPages: integerIn(raw.backfillPages, 'backfillPages', 1, 100, 5),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 1000, 25),
    recheckLimit: integerIn(raw.recheckLimit, 'recheckLimit', 0, 200, 20),
    recheckHours: integerIn(raw.recheckHours, 'recheckHours', 1, 24 * 14, 48),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 100, 300_000, 30_000),
  };
}
