import type { Logger } from '../logger.ts';
import type { NormalizedMention, SourceType, Tombstone } from '../ingest/types.ts';

/** A watch target as sources see it: what to search for. */
export interface WatchTargetSpec {
  id: string;
  /** Facility or brand names, e.g. さくら内科クリニック, さくら内科. */
  names: string[];
  keywords: string[];
  /** Accounts that belong to the facility on each network, e.g. { x: 'sakura_naika' }. */
  handles: Record<string, string>;
  /** Terms that mark a false match (another さくら内科 in another city). */
  exclusions: string[];
}

/** What a collector may use: no database, no process.env. */
export interface SourceRuntime {
  /** fetch with timeouts; sources wrap it with their own retry/rate-limit handling. */
  fetch: typeof fetch;
  /** Resolves a credential by the name the config references; throws if it is not set. */
  secret(name: string): string;
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  signal: AbortSignal;
  log: Logger;
}

export interface CollectInput<C> {
  config: C;
  /** What the last committed page left, or null on the first run. */
  cursor: unknown;
  targets: WatchTargetSpec[];
  runtime: SourceRuntime;
}

/**
 * One page of results. The pipeline stores the mentions and tombstones and the cursor in one
 * transaction, so the cursor must describe the position *after* this page: if the run crashes
 * right after the commit, the next run resumes from here and neither loses nor repeats anything.
 */
export interface CollectPage {
  mentions: NormalizedMention[];
  tombstones?: Tombstone[];
  cursor: unknown;
}

export interface SourceDefinition<C = unknown> {
  type: SourceType;
  /** Shown in the UI and CLI. */
  label: string;
  /** node-cron expression used when a source is added without one. */
  defaultSchedule: string;
  /** Validates a config on save; throws ValidationError naming the field. */
  parseConfig(raw: unknown): C;
  /** Names of the credentials (environment variables) this config references. */
  secretNames(config: C): string[];
  /** Pull collection (absent for push-only sources such as LINE and file imports). */
  collect?(input: CollectInput<C>): AsyncIterable<CollectPage>;
  /** Push delivery (LINE, Facebook, Instagram): verified and parsed here, stored by the platform. */
  webhook?: WebhookHandler<C>;
}

export interface WebhookRequest {
  method: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The exact bytes received: signatures are computed over these, never over re-serialised JSON. */
  rawBody: Buffer;
}

export type WebhookResult =
  /** A verification handshake (Facebook hub.challenge): answer with this body, store nothing. */
  | { kind: 'challenge'; body: string }
  /** Verified events to store durably before answering 200. */
  | { kind: 'events'; page: Omit<CollectPage, 'cursor'>; eventIds: string[]; activities?: SourceActivity[] }
  | { kind: 'rejected'; status: 401 | 400 | 403; reason: string };

/**
 * Something a platform reported that is not a post (LINE follow/unfollow, a sticker or photo
 * message, an Instagram caption mention that has to be fetched). Kept as an event, never as a
 * mention with made-up text. Unique on (source, eventId), so redeliveries are stored once.
 */
export interface SourceActivity {
  eventId: string;
  /** e.g. 'line.follow', 'line.unfollow', 'line.message.image', 'instagram.mention'. */
  kind: string;
  occurredAt: Date;
  /** The platform's id for who did it (LINE userId), if any. */
  actorId: string | null;
  /** Private to the clinic (LINE): masked like private messages. */
  isPrivate: boolean;
  raw: unknown;
}

export interface WebhookHandler<C> {
  /** Verify the signature (constant-time) and parse. Must not throw on hostile input. */
  handle(request: WebhookRequest, config: C, secret: (name: string) => string): WebhookResult;
}

/** Raised by collectors when credentials are rejected: the source is marked unhealthy. */
export class SourceAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceAuthError';
  }
}
