// app.bsky.feed.defs#postView → mention. Pure. Replies come from record.reply, quotes from an
// app.bsky.embed.record (or recordWithMedia) embed that points at a post. searchPosts returns
// posts only — reposts are separate app.bsky.feed.repost records it never lists.

import type { NormalizedMention } from '../../mention.ts';
import { count, definedMetrics, isRecord, optionalString, parseTime } from '../payload.ts';

export type PostMapResult = { ok: true; mention: NormalizedMention; sortAt: Date } | { ok: false; id: string | null; reason: string };

const postUriPattern = /^at:\/\/([^/\s]{1,2048})\/app\.bsky\.feed\.post\/([A-Za-z0-9._~:-]{1,512})$/;

function postUri(value: unknown): string | null {
  return typeof value === 'string' && postUriPattern.test(value) ? value : null;
}

/** `https://bsky.app/profile/<handle or did>/post/<rkey>` — the web permalink of a post. */
export function postPermalink(uri: string, handle: string | null): string | null {
  const match = postUriPattern.exec(uri);
  if (match === null) return null;
  const [, did, rkey] = match;
  const actor = handle !== null && handle !== 'handle.invalid' ? handle : did;
  return `https://bsky.app/profile/${encodeURIComponent(actor as string)}/post/${encodeURIComponent(rkey as string)}`;
}

function quotedPostUri(embed: unknown): string | null {
  if (!isRecord(embed)) return null;
  const type = embed.$type;
  if (type === 'app.bsky.embed.record' && isRecord(embed.record)) return postUri(embed.record.uri);
  if (type === 'app.bsky.embed.recordWithMedia' && isRecord(embed.record) && isRecord(embed.record.record)) {
    return postUri(embed.record.record.uri);
  }
  return null;
}

export function mapPost(post: unknown, watchTargetId: string | null): PostMapResult {
  if (!isRecord(post)) return { ok: false, id: null, reason: 'post is not an object' };
  const uri = postUri(post.uri);
  if (uri === null) return { ok: false, id: optionalString(post.uri), reason: 'uri missing or not a post uri' };
  const author = post.author;
  if (!isRecord(author) || typeof author.did !== 'string') return { ok: false, id: uri, reason: 'author missing' };
  const record = post.record;
  if (!isRecord(record) || typeof record.text !== 'string') return { ok: false, id: uri, reason: 'record.text missing' };
  const indexedAt = parseTime(post.indexedAt);
  const createdAt = parseTime(record.createdAt);
  const postedAt = createdAt ?? indexedAt;
  if (postedAt === null) return { ok: false, id: uri, reason: 'neither createdAt nor indexedAt is a date' };
  const handle = optionalString(author.handle);
  const reply = isRecord(record.reply) && isRecord(record.reply.parent) ? postUri(record.reply.parent.uri) : null;
  const langs = Array.isArray(record.langs) ? record.langs.filter((l): l is string => typeof l === 'string' && l.length <= 64) : [];
  const likes = count(post.likeCount);
  const reposts = count(post.repostCount);
  const replies = count(post.replyCount);
  const quotes = count(post.quoteCount);
  return {
    ok: true,
    // The search index orders and filters by sortAt, the earlier of createdAt and indexedAt (a
    // client can backdate createdAt, never postdate indexedAt).
    sortAt: createdAt !== null && indexedAt !== null && createdAt < indexedAt ? createdAt : (indexedAt ?? postedAt),
    mention: {
      externalId: uri,
      url: postPermalink(uri, handle),
      authorId: author.did,
      authorHandle: handle,
      authorName: optionalString(author.displayName),
      text: record.text,
      language: langs[0] ?? null,
      postedAt,
      metrics: definedMetrics({ likes, reposts, replies, quotes }),
      replyToExternalId: reply,
      quoteOfExternalId: quotedPostUri(record.embed),
      watchTargetId,
      raw: post,
    },
  };
}
