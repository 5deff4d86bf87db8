import type { Config } from '../config.ts';
import { logger } from '../logger.ts';
import { connect, type DbHandle } from './connect.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { canRewriteAuditLog, ensureLoginRole, grantAppRole } from './roles.ts';

export interface OpenDatabase extends DbHandle {
  embedded: boolean;
  /** Migrations applied by this start. */
  applied: string[];
  /** Closes the pool, then stops the embedded server if we started one. */
  shutdown(): Promise<void>;
}

/** The user name in a postgres:// URL. */
function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || 'postgres';
}

/**
 * DATABASE_URL if set, else the embedded Postgres in the data directory; migrated either way.
 * Migrations and grants run as the owner; the service's pool connects as the app role, which may
 * only append to the audit log (src/db/roles.ts):
 * - embedded: the superuser migrates and creates the app role `hinoko_app` (password beside the data);
 * - DATABASE_URL with HINOKO_MIGRATION_DATABASE_URL: the latter migrates and grants to the former's role;
 * - DATABASE_URL alone: it migrates too, and the service warns when that role can rewrite the log.
 */
export async function openDatabase(config: Readonly<Config>, options: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  const embedded = config.database.url ? null : await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort);
  const ownerUrl = embedded?.url ?? config.database.migrationUrl ?? config.database.url!;
  const appUrl = embedded?.appUrl ?? config.database.url!;
  let applied: string[] = [];
  let handle: DbHandle | null = null;
  try {
    if (ownerUrl !== appUrl) {
      const owner = connect(ownerUrl, { max: 1, applicationName: 'hinoko-migrate' });
      try {
        await owner.sql`select 1`;
        if (options.migrate !== false) applied = await migrate(owner.sql);
        if (embedded) await ensureLoginRole(owner.sql, embedded.appRole, embedded.appPassword);
        await grantAppRole(owner.sql, roleOf(appUrl));
      } finally {
        await owner.close();
      }
    }
    handle = connect(appUrl, { max: config.database.poolSize });
    await handle.sql`select 1`;
    if (ownerUrl === appUrl && options.migrate !== false) applied = await migrate(handle.sql);
    if (await canRewriteAuditLog(handle.sql)) {
      logger.warn('サービスのデータベースロールが監査ログを書き換えられます。README「Security」の2つのロールを設定してください (the service runs as a database role that owns audit_log or is a superuser: it could rewrite the audit log; set up the two roles described in README, "Security")');
    }
  } catch (err) {
    await handle?.close();
    await embedded?.stop();
    throw err;
  }
  const h = handle;
  return {
    ...h,
    embedded: embedded !== null,
    applied,
    async shutdown() {
      await h.close();
      if (embedded) await embedded.stop().catch((err) => logger.error({ err }, 'embedded Postgres did not stop cleanly'));
    },
  };
}
