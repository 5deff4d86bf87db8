import { ValidationError } from '../../errors.ts';
import { booleanOr, configObject, httpUrl, integerIn, optionalEnvName, stringList } from '../config-fields.ts';

export interface YouTubeConfig {
  baseUrl: string;
  apiKeyEnv: string | null;
  /** Comment threads on one video each. */
  videoIds: string[];
  /** allThreadsRelatedToChannelId: every video of the channel and the channel's own comments. */
  channelIds: string[];
  pageSize: number;
  /** Pages per feed per run, so one busy channel cannot spend the day's quota. */
  maxPagesPerRun: number;
  /** commentThreads embeds only some replies; fetch the rest with comments.list (1 quota unit a page). */
  fetchAllReplies: boolean;
  /**
   * order=time lists threads by when they were started, so a new reply to an older thread
   * never reaches the top. Threads started this many days ago or less are re-read by id each
   * run (50 per quota unit) to catch new replies, edits and deletions; 0 = off.
   */
  watchThreadsDays: number;
  requestTimeoutMs: number;
}

export const youtubeApiBaseUrl = 'https://youtube.googleapis.com';

export function parseYouTubeConfig(input: unknown): YouTubeConfig {
  const raw = configObject(input);
  const videoIds = stringList(raw.videoIds, 'videoIds', /^[A-Za-z0-9_-]{6,64}$/, 200);
  const channelIds = stringList(raw.channelIds, 'channelIds', /^UC[A-Za-z0-9_-]{10,62}$/, 50);
  if (videoIds.length + channelIds.length === 0) {
    throw new ValidationError(
      'videoIds: 動画 ID かチャンネル ID (channelIds, UC…) を 1 つ以上指定してください (at least one video or channel)',
    );
  }
  const fetchAllReplies = booleanOr(raw.fetchAllReplies, 'fetchAllReplies', true);
  return {
    baseUrl: httpUrl(raw.baseUrl, 'baseUrl', youtubeApiBaseUrl),
    apiKeyEnv: optionalEnvName(raw.apiKeyEnv, 'apiKeyEnv'),
    videoIds,
    channelIds,
    // commentThreads.list allows maxResults 1–100.
    pageSize: integerIn(raw.pageSize, 'pageSize', 1, 100, 100),
    maxPagesPerRun: integerIn(raw.maxPagesPerRun, 'maxPagesPerRun', 1, 1000, 20),
    fetchAllReplies,
    watchThreadsDays: integerIn(raw.watchThreadsDays, 'watchThreadsDays', 0, 90, 7),
    requestTimeoutMs: integerIn(raw.requestTimeoutMs, 'requestTimeoutMs', 100, 300_000, 30_000),
  };
}
