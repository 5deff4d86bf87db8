import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

// One embedded Postgres per data directory, shared by every Hinoko process that uses the
// directory (issue 12): the service, a second `start`, and CLI commands run while it serves.
//
// - The process that starts the server is its OWNER and records it in <dataDir>/pg-server.json
//   (port, password files, owner pid, postmaster pid; mode 0600, written by rename).
// - A process that finds a server whose owner is alive and which answers ATTACHES: it registers
//   its pid in <dataDir>/pg-clients/ and never stops the server.
// - At the end the owner stops the server only when no other live process is attached; otherwise
//   it HANDS OVER: the record names one attached process as the new owner, which then does the
//   same when it ends. So a CLI command that started the server while no service ran, and a
//   service that attached meanwhile, leave the server to the service, which stops it at shutdown.
// - A server whose recorded owner died (killed) is an orphan: stopped and restarted only when
//   no live process is attached; otherwise the newcomer ADOPTS it (becomes its owner).
// - A server on the directory that has no record (or another postmaster pid) was not started by
//   this protocol; nothing here stops it. Postgres's own postmaster.pid still refuses a second
//   server on one directory whatever happens here.
// Every read-decide-write step runs under <dataDir>/pg-server.lock, a file created exclusively.
// Its one known gap: a lock left by a killed process is broken by whoever sees it first; two
// processes breaking the same stale lock at the same instant could both proceed. The worst that
// follows is a start refused by postmaster.pid, never a server stopped under a live client.

export interface ServerRecord {
  version: 1;
  port: number;
  /** Files holding the superuser's and the app role's passwords (mode 0600, in the data directory). */
  passwordFile: string;
  appPasswordFile: string;
  ownerPid: number;
  /** The owner's start time where the OS tells it (Linux), so a recycled pid is not taken for the owner. */
  ownerStart: string | null;
  postmasterPid: number;
  startedAt: string;
}

export interface ProcessRef {
  pid: number;
  start: string | null;
}

export const serverRecordFile = (dataDir: string) => path.join(dataDir, 'pg-server.json');
const lockFile = (dataDir: string) => path.join(dataDir, 'pg-server.lock');
const clientsDir = (dataDir: string) => path.join(dataDir, 'pg-clients');

/** The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null off Linux. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function thisProcess(): ProcessRef {
  return { pid: process.pid, start: processStart(process.pid) };
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user (the postgres user when we run as root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and, where start times are known, the same process that was recorded (not a recycled pid). */
export function isAlive(ref: ProcessRef): boolean {
  if (!pidAlive(ref.pid)) return false;
  if (ref.start === null) return true;
  const now = processStart(ref.pid);
  return now === null || now === ref.start;
}

export function sameProcess(a: ProcessRef, b: ProcessRef): boolean {
  return a.pid === b.pid && (a.start === null || b.start === null || a.start === b.start);
}

/** The live postmaster's pid from Postgres's own lock file, or null when no server holds the directory. */
export function livePostmaster(pgDir: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  return pidAlive(pid) ? pid : null;
}

export function readServerRecord(dataDir: string): ServerRecord | null {
  try {
    const r = JSON.parse(readFileSync(serverRecordFile(dataDir), 'utf8')) as ServerRecord;
    return r.version === 1 && Number.isInteger(r.port) && Number.isInteger(r.ownerPid) && Number.isInteger(r.postmasterPid) ? r : null;
  } catch {
    return null;
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a record. */
export function writeServerRecord(dataDir: string, record: ServerRecord): void {
  const file = serverRecordFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeServerRecord(dataDir: string): void {
  try {
    unlinkSync(serverRecordFile(dataDir));
  } catch {
    // already gone
  }
}

export function registerClient(dataDir: string, me: ProcessRef): void {
  mkdirSync(clientsDir(dataDir), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(clientsDir(dataDir), String(me.pid)), JSON.stringify(me), { mode: 0o600 });
}

export function unregisterClient(dataDir: string, pid: number): void {
  try {
    unlinkSync(path.join(clientsDir(dataDir), String(pid)));
  } catch {
    // never registered (the owner) or already gone
  }
}

/** Attached processes still alive, except `except`; files of dead ones are removed on the way. */
export function liveClients(dataDir: string, except: ProcessRef): ProcessRef[] {
  let names: string[];
  try {
    names = readdirSync(clientsDir(dataDir));
  } catch {
    return [];
  }
  const live: ProcessRef[] = [];
  for (const name of names) {
    const file = path.join(clientsDir(dataDir), name);
    let ref: ProcessRef | null;
    try {
      ref = JSON.parse(readFileSync(file, 'utf8')) as ProcessRef;
    } catch {
      ref = null;
    }
    if (ref && isAlive(ref)) {
      if (!sameProcess(ref, except)) live.push(ref);
    } else {
      try {
        unlinkSync(file);
      } catch {
        /* removed by another process */
      }
    }
  }
  return live.sort((a, b) => a.pid - b.pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` holding the data directory's server lock. Waits (polling) while a live process holds
 * it: a first start may spend a while in initdb. A lock whose holder died is broken.
 */
export async function withServerLock<T>(dataDir: string, fn: () => Promise<T>, waitMs = 180_000): Promise<T> {
  const file = lockFile(dataDir);
  const me = thisProcess();
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: ProcessRef | null;
    let age = 0;
    try {
      age = Date.now() - statSync(file).mtimeMs;
      holder = JSON.parse(readFileSync(file, 'utf8')) as ProcessRef;
    } catch {
      holder = null; // just created and not yet written, or just removed
    }
    // An empty lock older than 10 s: its creator died between creating and writing it.
    if ((holder && !isAlive(holder)) || (!holder && age > 10_000)) {
      try {
        unlinkSync(file);
      } catch {
        /* another process broke it first */
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'unavailable',
        `組み込みPostgreSQLのロックが解放されません (${file} is held by pid ${holder?.pid ?? '?'}; if no Hinoko process runs, remove it)`,
      );
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    try {
      const holder = JSON.parse(readFileSync(file, 'utf8')) as ProcessRef;
      if (sameProcess(holder, me)) unlinkSync(file);
    } catch {
      // broken by another process as stale (we were too slow): nothing of ours to remove
    }
  }
}

// ---- decisions (pure) ----

export interface OpenState {
  record: ServerRecord | null;
  /** The live postmaster holding the directory (postmaster.pid), or null. */
  postmasterPid: number | null;
  ownerAlive: boolean;
  /** Whether the recorded server accepts our superuser login on its recorded port. */
  answers: boolean;
  liveClients: number;
}

export type OpenDecision =
  /** No server holds the directory: start one and own it (a leftover record is stale). */
  | 'start'
  /** Its owner lives and it answers: use it, never stop it. */
  | 'attach'
  /** Its owner died but other live processes use it: become its owner. */
  | 'adopt'
  /** Its owner died and no live process uses it: stop it, then start our own. */
  | 'stop-orphan'
  /** Recorded and alive but not answering (starting up, recovering, shutting down): wait, then give up. */
  | 'wait'
  /** A server we have no record of holds the directory: not ours to stop. */
  | 'foreign';

export function decideOpen(s: OpenState): OpenDecision {
  if (s.postmasterPid === null) return 'start';
  if (!s.record || s.record.postmasterPid !== s.postmasterPid) return 'foreign';
  if (s.ownerAlive) return s.answers ? 'attach' : 'wait';
  if (s.liveClients === 0) return 'stop-orphan';
  return s.answers ? 'adopt' : 'wait';
}

export type ReleaseDecision = { kind: 'stop' } | { kind: 'hand-over'; to: ProcessRef } | { kind: 'detach' };

/** At the end of a process's use: only the owner may stop the server, and only when nobody else uses it. */
export function decideRelease(s: { isOwner: boolean; others: ProcessRef[] }): ReleaseDecision {
  if (!s.isOwner) return { kind: 'detach' };
  const [next] = s.others;
  return next ? { kind: 'hand-over', to: next } : { kind: 'stop' };
}
