import os from 'node:os';
import type { AuditActor } from '../audit/record.ts';
import { loadConfig } from '../config.ts';
import type { AppContext } from '../context.ts';
import { processContext } from '../bootstrap/process-context.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { openDatabase } from '../db/open.ts';
import { JobRunner } from '../jobs/runner.ts';
import { logger } from '../logger.ts';
import { loadPipelineStages } from '../pipeline-stages.ts';

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

export interface WithContextOptions {
  /** Load the analysis and detection stages (commands that store mentions). */
  stages?: boolean;
  /**
   * Run the detection passes the stored batches ask for before exiting. Without it the command
   * only records what detection needs (late data, re-judgements) and the service's next pass —
   * within a minute — judges the new posts: a collection or an import does not wait for it.
   */
  detect?: boolean;
  /**
   * Only `users add --org-name`, the documented way to set up a first organisation without the
   * demo, may create the database; it says so on this stream. Every other command refuses a data
   * directory or DATABASE_URL without a database and names where it looked.
   */
  createDatabase?: NodeJS.WritableStream;
}

/**
 * Opens the database (embedded unless DATABASE_URL; the embedded server the service runs, when it
 * runs), runs `fn`, and always shuts down. A "not found" from `fn` names the database it came from.
 */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, options: WithContextOptions = {}): Promise<T> {
  const config = loadConfig();
  logger.level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  const database = await openDatabase(config, { create: options.createDatabase !== undefined });
  if (database.created) {
    options.createDatabase?.write(
      `新しいデータベースを作成しました: ${database.location} (created a new database in ${database.location})\n`,
    );
  }
  const shutdown = new AbortController();
  const onSignal = () => shutdown.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const stages = options.stages ? await loadPipelineStages(config) : null;
    const ctx = await processContext(config, database, { shutdown: shutdown.signal, ...stages });
    // Not started: batches this command stores wake detection; the minute sweep is the service's.
    const detection = stages && options.detect ? new JobRunner(ctx, stages.detection) : null;
    try {
      return await fn(ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found')
        throw new NotFoundError(`${err.message} (データベース / database: ${database.location})`);
      throw err;
    } finally {
      // Detection passes kicked by stored batches finish before the database closes.
      await detection?.drain();
      await detection?.stop();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await database.shutdown();
  }
}
