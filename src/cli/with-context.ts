import os from 'node:os';
import type { AuditActor } from '../audit/record.ts';
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { openDatabase } from '../db/open.ts';
import { logger } from '../logger.ts';
import { loadPipelineStages } from '../pipeline-stages.ts';
import { checkServerKeyFingerprint } from '../secrets/check-fingerprint.ts';
import { loadServerKeys } from '../secrets/server-keys.ts';

/** The audit actor for changes made from the command line. */
export function cliActor(): AuditActor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep 'unknown'
  }
  return { type: 'cli', id: `${user}@${os.hostname()}` };
}

/** Opens the database (embedded unless DATABASE_URL), runs `fn`, and always shuts down. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, options: { stages?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  logger.level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  const database = await openDatabase(config);
  const shutdown = new AbortController();
  const onSignal = () => shutdown.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const stages = options.stages ? await loadPipelineStages(config) : null;
    const keys = loadServerKeys(config);
    await checkServerKeyFingerprint(database.sql, keys);
    const ctx = createContext({ config, sql: database.sql, db: database.db, keys, shutdown: shutdown.signal, ...stages });
    stages?.detection.bind(ctx);
    try {
      return await fn(ctx);
    } finally {
      // Detection passes kicked by stored batches finish before the database closes.
      await stages?.detection.drain();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await database.shutdown();
  }
}
