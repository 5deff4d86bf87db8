import type { Config } from '../config.ts';
import { logger } from '../logger.ts';
import { connect, type DbHandle } from './connect.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';

export interface OpenDatabase extends DbHandle {
  embedded: boolean;
  /** Closes the pool, then stops the embedded server if we started one. */
  shutdown(): Promise<void>;
}

/** DATABASE_URL if set, else the embedded Postgres in the data directory; migrated either way. */
export async function openDatabase(config: Readonly<Config>, options: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  const embedded = config.database.url ? null : await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort);
  const url = config.database.url ?? embedded!.url;
  const handle = connect(url, { max: config.database.poolSize });
  try {
    await handle.sql`select 1`;
    if (options.migrate !== false) await migrate(handle.sql);
  } catch (err) {
    await handle.close();
    await embedded?.stop();
    throw err;
  }
  return {
    ...handle,
    embedded: embedded !== null,
    async shutdown() {
      await handle.close();
      if (embedded) await embedded.stop().catch((err) => logger.error({ err }, 'embedded Postgres did not stop cleanly'));
    },
  };
}
