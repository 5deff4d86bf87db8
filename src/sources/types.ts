import type { Logger } from '../logger.ts';
import type { NormalizedMention, SourceType, Tombstone } from '../mention.ts';

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

/**
 * A source's credentials by slot name ('bearerToken', 'appPassword'…). The platform resolves them
 * from the source's own sealed credentials (or an environment variable the operator allowed);
 * a source never learns where they came from.
 */
export interface SourceSecrets {
  /** The credential in this slot; throws SourceAuthError when it is not set. */
  secret(name: string): string;
  hasSecret(name: string): boolean;
}

/** What a collector may use: no database, no process.env. */
/**
 * A small state a source keeps between runs and processes — a login session — stored sealed
 * (encrypted, bound to the source), never in the cursor or a log.
 */
export interface SessionStore {
  load(): Promise<string | null>;
  /** null forgets it. */
  save(value: string | null): Promise<void>;
}

export interface SourceRuntime extends SourceSecrets {
  /** fetch with timeouts; sources wrap it with their own retry/rate-limit handling. */
  fetch: typeof fetch;
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  signal: AbortSignal;
  log: Logger;
  session: SessionStore;
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
  /** The credentials this type uses (entered per source, write-only). */
  credentials: CredentialSlot<C>[];
  /** Which slots a config cannot run without (Google's OAuth needs three, its token mode one). */
  requiredCredentials(config: C): string[];
  /**
   * Where this source's requests go. Credentials are sent only to `credentialOrigins`; the URLs in
   * `operatorUrls` are the platform's own API and may differ from their defaults only where the
   * operator allows (HINOKO_SOURCE_URL_OVERRIDES), since an org admin could otherwise point a
   * platform token at a host of their own.
   */
  endpoints(config: C): SourceEndpoints;
  /** Pull collection (absent for push-only sources such as LINE and file imports). */
  collect?(input: CollectInput<C>): AsyncIterable<CollectPage>;
  /** Push delivery (LINE, Facebook, Instagram): verified and parsed here, stored by the platform. */
  webhook?: WebhookHandler<C>;
}

export interface CredentialSlot<C> {
  /** lowerCamel, unique within the type: 'bearerToken'. */
  name: string;
  /** Shown in pages and the CLI, Japanese first. */
  label: string;
  /** The config field that may name an environment variable instead (operator-allowed names only). */
  envField: string;
  envName(config: C): string | null;
}

export interface SourceEndpoints {
  credentialOrigins: string[];
  operatorUrls: { field: string; url: string; defaultUrl: string }[];
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
  /**
   * Verify the signature (constant-time) and parse. Must not throw on hostile input. `targets`
   * are the organisation's watch targets, for assigning mentions as the pull path does.
   */
  handle(request: WebhookRequest, config: C, secrets: SourceSecrets, targets: WatchTargetSpec[]): WebhookResult;
}

/** Raised by collectors when credentials are rejected: the source is marked unhealthy. */
export class SourceAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceAuthError';
  }
}
