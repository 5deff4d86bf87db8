import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../db/open.ts';
import { migrate } from '../../db/migrate.ts';
import { logger } from '../../logger.ts';
import type { CliCommand } from '../command.ts';

export const migrateCommand: CliCommand = {
  usage: 'hinoko migrate',
  async run(_args, io) {
    const config = loadConfig();
    logger.level = 'warn';
    const db = await openDatabase(config, { migrate: false });
    try {
      const applied = await migrate(db.sql);
      io.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      return 0;
    } finally {
      await db.shutdown();
    }
  },
};
