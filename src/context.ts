import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from './config.ts';
import type { Db, Sql } from './db/connect.ts';
import type { MentionAnalyzer } from './analysis/types.ts';
import { logger, type Logger } from './logger.ts';
import type { StoredMention } from './mention.ts';
import { ephemeralServerKeys, type ServerKeys } from './secrets/server-keys.ts';
import { sourceRegistry } from './sources/registry.ts';
import type { SourceDefinition } from './sources/types.ts';

/** Where the ingest pipeline hands stored mentions once their page commits (the detection pass). */
export interface DetectionStage {
  /** `deps` are the pipeline's own: the stage is built before the context it becomes part of. */
  afterStore(deps: Pick<AppContext, 'sql' | 'now' | 'log'>, orgId: string, mentions: StoredMention[]): Promise<void>;
  /** A collection run of the org committed at `finishedAt`, having collected what was posted before `coversUntil`. */
  afterRun(orgId: string, coversUntil: Date, finishedAt: Date): void;
}

/** What verbs receive: built once in main.ts (or by a test), never global. */
export interface AppContext {
  config: Readonly<Config>;
  sql: Sql;
  /**
   * For reads that may lag the primary a moment (the feed, counts, the overview's charts): a
   * replica's pool when DATABASE_READ_URL is set, else `sql`. Never for a read that must see what
   * this request just wrote, and never inside a transaction.
   */
  readSql: Sql;
  /**
   * The database `readSql` reads, on connections that plan each statement once and reuse that
   * generic plan: the mention feed's fixed shapes run thousands of times a minute, and planning
   * them over every month's partition at each call cost twice their run. Only for statements whose
   * best plan does not depend on the values (src/mentions/view-mentions.ts says which), with any
   * LIMIT written into the text (a generic LIMIT $n is planned as a tenth of the table). `readSql`
   * when not set (tests): the same answers, planned per call.
   */
  readGenericSql: Sql;
  db: Db;
  analyzer: MentionAnalyzer | null;
  detection: DetectionStage | null;
  sources: Partial<Record<string, SourceDefinition<any>>>;
  /** Names this process in run records and locks' diagnostics. */
  instanceId: string;
  now(): Date;
  fetch: typeof fetch;
  log: Logger;
  /** Keys derived from the server secret (never stored in the database). */
  keys: ServerKeys;
  /** Aborted on shutdown: collectors stop between pages. */
  shutdown: AbortSignal;
}

export function newInstanceId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * main.ts and the CLI pass the keys loaded from the server secret; tests may leave them out and get
 * random ones, which is right for anything that lives only as long as the test.
 */
export function createContext(parts: Pick<AppContext, 'config' | 'sql' | 'db'> & Partial<AppContext>): AppContext {
  return {
    readSql: parts.readSql ?? parts.sql,
    readGenericSql: parts.readSql ?? parts.sql,
    keys: parts.keys ?? ephemeralServerKeys(),
    analyzer: null,
    detection: null,
    sources: sourceRegistry,
    instanceId: newInstanceId(),
    now: () => new Date(),
    fetch: globalThis.fetch,
    log: logger,
    shutdown: new AbortController().signal,
    ...parts,
  };
}
