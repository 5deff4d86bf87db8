import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../db/open.ts';
import { logger } from '../../logger.ts';
import type { CliCommand } from '../command.ts';
import { usages } from './usage.ts';

export const migrateCommand: CliCommand = {
  usage: usages.migrate,
  async run(_args, io) {
    const config = loadConfig();
    logger.level = 'warn';
    // Migrations run as the owner (embedded superuser or HINOKO_MIGRATION_DATABASE_URL), inside openDatabase.
    const db = await openDatabase(config);
    try {
      io.stdout.write(db.applied.length ? `applied: ${db.applied.join(', ')}\n` : 'database is up to date\n');
      return 0;
    } finally {
      await db.shutdown();
    }
  },
};
