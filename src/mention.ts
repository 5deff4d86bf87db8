// The mention record that travels through every stage: sources produce NormalizedMention (they never
// touch the database; the ingest pipeline stores what they yield), detection receives StoredMention.
// Every stage may import this module; it imports nothing but analysis' result type.

import type { TextAnalysis } from './analysis/types.ts';

/** Mentions are counted per 5-minute bucket (mention_counts); coarser buckets are sums of these, and detection runs on them. */
export const MENTION_BUCKET_MS = 5 * 60_000;

export const sourceTypes = [
  'demo',
  'x',
  'facebook',
  'instagram',
  'line',
  'google_reviews',
  'youtube',
  'bluesky',
  'mastodon',
  'rss',
  'import',
] as const;
export type SourceType = (typeof sourceTypes)[number];

export interface MentionMetrics {
  likes?: number;
  reposts?: number;
  quotes?: number;
  replies?: number;
  views?: number;
}

/** A post, comment, review or message as one source saw it, before it is stored. */
export interface NormalizedMention {
  /** Unique within the source (tweet id, comment id, review name …). */
  externalId: string;
  url: string | null;
  authorId: string | null;
  authorHandle: string | null;
  authorName: string | null;
  /** Plain text (HTML already stripped). Capped by the pipeline, not by sources. */
  text: string;
  /** BCP 47 code if the source says, else null (the pipeline guesses). */
  language: string | null;
  postedAt: Date;
  metrics: MentionMetrics;
  replyToExternalId?: string | null;
  quoteOfExternalId?: string | null;
  repostOfExternalId?: string | null;
  /** Private messages (LINE) are masked for roles that need not see them. */
  isPrivate?: boolean;
  /** Review star rating 1–5 where the source has one; a prior for sentiment. */
  rating?: number | null;
  /** Watch target this mention was collected for, when the source knows. */
  watchTargetId?: string | null;
  /** True for the built-in demo stream, so it is marked as demo everywhere it is shown. */
  isDemo?: boolean;
  /** The source's own payload, kept as evidence. */
  raw: unknown;
}

/** The platform deleted (or the sender unsent) a mention. What was said is kept as evidence. */
export interface Tombstone {
  externalId: string;
  deletedAt: Date;
  reason: 'deleted' | 'unsent' | 'hidden' | 'unavailable';
  raw?: unknown;
}

/** A mention as stored, handed to detection after its batch commits. */
export interface StoredMention {
  id: string;
  externalId: string;
  orgId: string;
  sourceId: string;
  watchTargetId: string | null;
  postedAt: Date;
  text: string;
  metrics: MentionMetrics;
  analysis: TextAnalysis | null;
}
