import type { MentionMetrics, NormalizedMention } from '../../mention.ts';
import { count, definedMetrics, isRecord } from '../payload.ts';

// X API v2 payloads → mentions. Pure. Every field is checked: a post that does not have the
// contract's shape is rejected (null) and the collector logs and skips it.
// Newer spec revisions rename referenced_tweets → referenced_posts; both are read.

export interface XUser {
  id: string;
  name: string | null;
  username: string | null;
}

const tweetIdPattern = /^[0-9]{1,19}$/;
const usernamePattern = /^[A-Za-z0-9_]{1,15}$/;

export function isTweetId(v: unknown): v is string {
  return typeof v === 'string' && tweetIdPattern.test(v);
}

/** Compares two tweet ids (snowflakes beyond 2^53, so not as numbers). */
export function compareTweetIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export function parseUser(v: unknown): XUser | null {
  if (!isRecord(v) || typeof v.id !== 'string' || !tweetIdPattern.test(v.id)) return null;
  return {
    id: v.id,
    name: typeof v.name === 'string' ? v.name.slice(0, 200) : null,
    username: typeof v.username === 'string' && usernamePattern.test(v.username) ? v.username : null,
  };
}

function metricsOf(v: unknown): MentionMetrics {
  if (!isRecord(v)) return {};
  return definedMetrics({
    likes: count(v.like_count),
    reposts: count(v.retweet_count),
    quotes: count(v.quote_count),
    replies: count(v.reply_count),
    views: count(v.impression_count),
  });
}

function languageOf(v: unknown): string | null {
  // X uses 'und' for undetermined and private-use q* codes (qme: media only, qht: hashtags only).
  if (typeof v !== 'string' || !/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(v)) return null;
  if (v === 'und' || v === 'zxx' || v.startsWith('q')) return null;
  return v;
}

/**
 * The id a post keeps across edits. An edit on X publishes a new post id;
 * edit_history_tweet_ids lists every version oldest first, so the first entry names the post and
 * later versions arrive as new text for the same mention (stored as versions by the pipeline).
 */
export function stableTweetId(tweet: Record<string, unknown>): string | null {
  if (!isTweetId(tweet.id)) return null;
  const history = tweet.edit_history_tweet_ids ?? tweet.edit_history_post_ids;
  if (Array.isArray(history) && history.length > 0 && isTweetId(history[0])) return history[0];
  return tweet.id;
}

export function mapTweet(
  tweet: unknown,
  users: ReadonlyMap<string, XUser>,
  watchTargetId: string | null,
  referencedPosts: ReadonlyMap<string, unknown> = new Map(),
): NormalizedMention | null {
  if (!isRecord(tweet)) return null;
  const externalId = stableTweetId(tweet);
  if (externalId === null || typeof tweet.text !== 'string') return null;
  const postedAt = typeof tweet.created_at === 'string' ? new Date(tweet.created_at) : null;
  if (!postedAt || Number.isNaN(postedAt.getTime())) return null;

  const id = tweet.id as string;
  const authorId = isTweetId(tweet.author_id) ? tweet.author_id : null;
  const author = authorId ? users.get(authorId) : undefined;
  // Long posts arrive truncated in `text`; the full text is in note_tweet.text.
  const note = isRecord(tweet.note_tweet) && typeof tweet.note_tweet.text === 'string' ? tweet.note_tweet.text : null;

  let replyTo: string | null = null;
  let quoteOf: string | null = null;
  let repostOf: string | null = null;
  // The quoted or replied-to post as X sent it in includes: a quote's meaning depends on it.
  const referenced: unknown[] = [];
  const refs = tweet.referenced_tweets ?? tweet.referenced_posts;
  if (Array.isArray(refs)) {
    for (const ref of refs) {
      if (!isRecord(ref) || !isTweetId(ref.id)) continue;
      const included = referencedPosts.get(ref.id);
      if (included !== undefined && referenced.length < 5) referenced.push(included);
      if (ref.type === 'replied_to') replyTo ??= ref.id;
      else if (ref.type === 'quoted') quoteOf ??= ref.id;
      else if (ref.type === 'retweeted') repostOf ??= ref.id;
    }
  }

  return {
    externalId,
    url: author?.username ? `https://x.com/${author.username}/status/${id}` : `https://x.com/i/web/status/${id}`,
    authorId,
    authorHandle: author?.username ?? null,
    authorName: author?.name ?? null,
    text: note ?? tweet.text,
    language: languageOf(tweet.lang),
    postedAt,
    metrics: metricsOf(tweet.public_metrics),
    replyToExternalId: replyTo,
    quoteOfExternalId: quoteOf,
    repostOfExternalId: repostOf,
    watchTargetId,
    raw: { tweet, ...(author ? { author } : {}), ...(referenced.length > 0 ? { referenced } : {}) },
  };
}

/** includes.tweets (includes.posts in newer spec revisions) by id. */
export function referencedById(includes: unknown): Map<string, unknown> {
  const posts = new Map<string, unknown>();
  if (!isRecord(includes)) return posts;
  const list = includes.tweets ?? includes.posts;
  if (!Array.isArray(list)) return posts;
  for (const p of list) if (isRecord(p) && isTweetId(p.id)) posts.set(p.id, p);
  return posts;
}

/** includes.users as a map; malformed entries are ignored (the post just lacks author details). */
export function usersById(includes: unknown): Map<string, XUser> {
  const users = new Map<string, XUser>();
  if (!isRecord(includes) || !Array.isArray(includes.users)) return users;
  for (const u of includes.users) {
    const user = parseUser(u);
    if (user) users.set(user.id, user);
  }
  return users;
}
