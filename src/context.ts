import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from './config.ts';
import type { Db, Sql } from './db/connect.ts';
import type { DetectionStage } from './ingest/pipeline.ts';
import type { MentionAnalyzer } from './ingest/types.ts';
import { logger, type Logger } from './logger.ts';
import { sourceRegistry } from './sources/registry.ts';
import type { SourceDefinition } from './sources/types.ts';

/** What verbs receive: built once in main.ts (or by a test), never global. */
export interface AppContext {
  config: Readonly<Config>;
  sql: Sql;
  db: Db;
  analyzer: MentionAnalyzer | null;
  detection: DetectionStage | null;
  sources: Partial<Record<string, SourceDefinition<any>>>;
  /** Names this process in run records and locks' diagnostics. */
  instanceId: string;
  now(): Date;
  fetch: typeof fetch;
  log: Logger;
  /** Aborted on shutdown: collectors stop between pages. */
  shutdown: AbortSignal;
}

export function newInstanceId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function createContext(parts: Pick<AppContext, 'config' | 'sql' | 'db'> & Partial<AppContext>): AppContext {
  return {
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
