import path from 'node:path';
import { backupDatabase, type BackupFormat } from '../../backup/backup-database.ts';
import { restoreDatabase } from '../../backup/restore-database.ts';
import { loadConfig } from '../../config.ts';
import { UsageError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { usages } from './usage.ts';

// Backup and restore of the whole database (src/backup): the database the service uses, embedded
// unless DATABASE_URL, reached as its owner.

const rowsOf = (tables: Record<string, { rows: number }> | null) =>
  tables
    ? `${Object.values(tables)
        .reduce((a, t) => a + t.rows, 0)
        .toLocaleString()} rows in ${Object.keys(tables).length} tables, `
    : '';

export const backupCommand: CliCommand = {
  usage: usages.backup,
  options: { format: { type: 'string' } },
  async run(args, io) {
    const file = args.positionals[0];
    if (!file) throw new UsageError(`FILE is required\nusage: ${usages.backup}`);
    const format = stringOption(args, 'format') ?? 'auto';
    if (!['auto', 'pg_dump', 'hinoko'].includes(format)) throw new UsageError(`--format: auto, pg_dump or hinoko\nusage: ${usages.backup}`);
    const config = loadConfig();
    logger.level = 'warn';
    const r = await backupDatabase(config, path.resolve(file), { format: format as BackupFormat | 'auto' });
    io.stdout.write(
      `バックアップしました (backed up): ${r.file} — ${r.format === 'pg_dump' ? 'pg_dump custom format' : 'Hinoko format'}, ${rowsOf(r.tables)}${r.bytes.toLocaleString()} bytes, PostgreSQL ${r.server}\n`,
    );
    return 0;
  },
};

export const restoreCommand: CliCommand = {
  usage: usages.restore,
  options: { force: { type: 'boolean' } },
  async run(args, io) {
    const file = args.positionals[0];
    if (!file) throw new UsageError(`FILE is required\nusage: ${usages.restore}`);
    const config = loadConfig();
    logger.level = 'warn';
    const r = await restoreDatabase(config, path.resolve(file), { force: args.values.force === true });
    io.stdout.write(
      `復元しました (restored): ${rowsOf(r.tables)}${r.format === 'pg_dump' ? 'pg_restore' : 'Hinoko format'}${r.migrated.length > 0 ? `, then ${r.migrated.length} migrations` : ''}\n`,
    );
    return 0;
  },
};
