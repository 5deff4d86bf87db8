import type { Config } from '../config.ts';
import { logger } from '../logger.ts';
import { connect, type DbHandle } from './connect.ts';
import { embeddedLocation, NoDatabaseError, startEmbeddedPostgres } from './embedded.ts';
import { ensureMonthPartitions } from './partitions.ts';
import { migrate } from './migrate.ts';
import { canRewriteAuditLog, enableReadonlyLogin, ensureLoginRole, grantAppRole } from './roles.ts';

export interface OpenDatabase extends DbHandle {
  embedded: boolean;
  /** Where the database is, without credentials: `HINOKO_DATA_DIR=/abs/dir` or `DATABASE_URL=postgres://host:5432/db`. */
  location: string;
  /** Whether this call created the database's tables (it had none). */
  created: boolean;
  /** Migrations applied by this start. */
  applied: string[];
  /** The pool for reads that may lag (DATABASE_READ_URL's replica), or `sql` when there is none. */
  readSql: DbHandle['sql'];
  /** The same database as `readSql`, on connections that reuse each statement's generic plan (AppContext.readGenericSql). */
  readGenericSql: DbHandle['sql'];
  /** Closes the pool, then ends our use of the embedded server (stopping it if nobody else uses it). */
  shutdown(): Promise<void>;
}

/** Which database a config points at, for messages: never a user name or password. */
export function databaseLocation(config: Pick<Config, 'database' | 'dataDir'>): string {
  if (!config.database.url) return embeddedLocation(config.dataDir);
  try {
    const u = new URL(config.database.url);
    return `DATABASE_URL=${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** Whether the connected database has been migrated at least once. */
async function hasSchema(sql: DbHandle['sql']): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`select to_regclass('public.schema_migrations') is not null as present`;
  return row!.present;
}

/** HINOKO_READONLY_PASSWORD set: the dashboards' role may log in with it (docker-compose's Grafana). */
async function readonlyLogin(owner: DbHandle['sql'], config: Readonly<Config>): Promise<void> {
  if (config.database.readonlyPassword === null) return;
  // Dashboards are not worth refusing to start over: a role that may not alter roles is a warning.
  const enabled = await enableReadonlyLogin(owner, config.database.readonlyPassword).catch((err: unknown) => {
    logger.warn({ err }, 'could not let hinoko_readonly log in');
    return true;
  });
  if (!enabled) logger.warn('HINOKO_READONLY_PASSWORD is set but the role hinoko_readonly does not exist (README, "Dashboards")');
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
 * The embedded server may be one another Hinoko process runs (src/db/embedded-sharing.ts).
 * `create: false` (CLI commands other than start and migrate) refuses a database that was never
 * migrated, naming where it looked, instead of creating an empty one: a command run in the wrong
 * folder must not answer "organization 1 not found" from a database it just made.
 */
export async function openDatabase(config: Readonly<Config>, options: { migrate?: boolean; create?: boolean } = {}): Promise<OpenDatabase> {
  const create = options.create ?? true;
  const location = databaseLocation(config);
  const embedded = config.database.url ? null : await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, { create });
  const ownerUrl = embedded?.url ?? config.database.migrationUrl ?? config.database.url!;
  const appUrl = embedded?.appUrl ?? config.database.url!;
  let applied: string[] = [];
  let created = false;
  let handle: DbHandle | null = null;
  const checkSchema = async (sql: DbHandle['sql']) => {
    created = !(await hasSchema(sql));
    if (created && !create) throw new NoDatabaseError(location);
  };
  try {
    if (ownerUrl !== appUrl) {
      const owner = connect(ownerUrl, { max: 1, applicationName: 'hinoko-migrate' });
      try {
        await checkSchema(owner.sql);
        if (options.migrate !== false) applied = await migrate(owner.sql);
        if (embedded) await ensureLoginRole(owner.sql, embedded.appRole, embedded.appPassword);
        await grantAppRole(owner.sql, roleOf(appUrl));
        await readonlyLogin(owner.sql, config);
      } finally {
        await owner.close();
      }
    }
    handle = connect(appUrl, { max: config.database.poolSize });
    await handle.sql`select 1`;
    if (ownerUrl === appUrl) {
      await checkSchema(handle.sql);
      if (options.migrate !== false) applied = await migrate(handle.sql);
      await readonlyLogin(handle.sql, config);
    }
    // This month and the next two exist before anything is stored (the daily retention job keeps
    // it so). Not worth refusing to start over: a month not made yet stores into the default
    // partition, and the next pass moves it out.
    if (options.migrate !== false) {
      await ensureMonthPartitions(handle.sql, new Date()).catch((err: unknown) =>
        logger.warn({ err }, '月別パーティションを作成できませんでした (could not make the monthly partitions; the daily job tries again)'),
      );
    }
    if (await canRewriteAuditLog(handle.sql)) {
      logger.warn(
        'サービスのデータベースロールが監査ログを書き換えられます。README「Security」の2つのロールを設定してください (the service runs as a database role that owns audit_log or is a superuser: it could rewrite the audit log; set up the two roles described in README, "Security")',
      );
    }
  } catch (err) {
    await handle?.close();
    await embedded?.stop();
    throw err;
  }
  const h = handle;
  // A replica is read only through its own pool; the primary's is never used for it, nor the reverse.
  const read = config.database.readUrl
    ? connect(config.database.readUrl, { max: config.database.poolSize, applicationName: 'hinoko-read' })
    : null;
  const readGeneric = connect(config.database.readUrl ?? appUrl, {
    max: config.database.poolSize,
    applicationName: 'hinoko-read-plans',
    plans: 'generic',
  });
  return {
    ...h,
    readSql: read?.sql ?? h.sql,
    readGenericSql: readGeneric.sql,
    embedded: embedded !== null,
    location,
    created,
    applied,
    async shutdown() {
      await readGeneric.close();
      await read?.close();
      await h.close();
      if (embedded) await embedded.stop().catch((err) => logger.error({ err }, 'embedded Postgres did not stop cleanly'));
    },
  };
}
