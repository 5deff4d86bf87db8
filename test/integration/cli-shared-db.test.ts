import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { livePostmaster, pidAlive, readServerRecord, serverRecordFile } from '../../src/db/embedded-sharing.ts';

// Issue 12: the CLI and the service share the data directory's embedded Postgres. Real processes:
// the service is `node bin/hinoko.mjs start`, the commands are `node bin/hinoko.mjs …`.

const bin = fileURLToPath(new URL('../../bin/hinoko.mjs', import.meta.url));
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HINOKO_LOG_LEVEL: 'warn' };

function hinoko(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A long-running `hinoko` process; resolves once its output matches `ready` (generous cap). */
async function startLong(args: string[], env: Record<string, string>, ready: RegExp): Promise<Running & { match: RegExpExecArray }> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...baseEnv, HINOKO_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready within 90 s:\n${out}`));
    }, 90_000);
    const check = () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready:\n${out}`));
    });
  });
  return { child, output: () => out, exited, match };
}

// The server runs detached; a failed test must not leave one behind.
const dataDirs: string[] = [];
function tempDataDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dataDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dataDirs) {
    const pid = livePostmaster(path.join(dir, 'pg'));
    if (pid !== null) process.kill(pid, 'SIGINT');
  }
});

const servicePattern = /火の粉 Hinoko: (http:\/\/[^/\s]+)\//;

function serviceEnv(dataDir: string): Record<string, string> {
  return { HINOKO_DATA_DIR: dataDir, PORT: '0', HINOKO_SCHEDULER: 'false' };
}

describe('CLI commands while the service runs on the embedded Postgres', () => {
  it("use the service's server (users list, import, audit verify), leave it running, and the service stops it cleanly", async () => {
    const dataDir = tempDataDir('hinoko-shared-');
    const env = { HINOKO_DATA_DIR: dataDir };
    const service = await startLong(['start'], serviceEnv(dataDir), servicePattern);
    try {
      const url = service.match[1]!;
      // Postgres's own lock file names the server the service started.
      const postmasterPid = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(pidAlive(postmasterPid)).toBe(true);

      const users = await hinoko(['users', 'list', '--org', 'sakura-demo'], env);
      expect(users.code, users.stderr).toBe(0);
      expect(users.stdout).toContain('admin@sakura-demo.example.com');
      expect(users.stderr).not.toMatch(/orphan/);

      const sources = await hinoko(['sources', 'list'], env);
      const orgId = /^\d+\t(\d+)\tdemo\t/m.exec(sources.stdout)?.[1];
      expect(orgId, sources.stdout + sources.stderr).toBeDefined();
      const file = path.join(dataDir, 'reviews.jsonl');
      writeFileSync(
        file,
        [
          JSON.stringify({ id: 'shared-1', text: '受付の対応がとても丁寧でした', posted_at: '2026-11-01T10:00:00+09:00' }),
          JSON.stringify({ id: 'shared-2', text: '待ち時間が長すぎる', posted_at: '2026-11-02T10:00:00+09:00' }),
        ].join('\n') + '\n',
      );
      const imported = await hinoko(['import', file, '--org', orgId!, '--portal', 'caloo'], env);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain('imported 2 new mention(s)');

      const audit = await hinoko(['audit', 'verify'], env);
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
      expect(audit.stdout).toContain('audit log intact');

      // The service and its database are untouched: same server, still answering.
      expect(service.child.exitCode).toBeNull();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(pidAlive(postmasterPid)).toBe(true);
      expect(service.output()).not.toMatch(/orphan/);
      // …and recorded as the service's: port, password files, owner and postmaster, readable by us only.
      const record = readServerRecord(dataDir)!;
      expect(record).toMatchObject({
        ownerPid: service.child.pid,
        postmasterPid,
        passwordFile: path.join(path.resolve(dataDir), 'pg-password'),
      });
      expect(statSync(serverRecordFile(dataDir)).mode & 0o777).toBe(0o600);
      // Every command deregistered on its way out.
      expect(readdirSync(path.join(dataDir, 'pg-clients'))).toEqual([]);

      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      expect(readServerRecord(dataDir)).toBeNull();
      expect(pidAlive(postmasterPid)).toBe(false);
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
    }
  }, 240_000);

  it('a service that attached to a server a CLI command started keeps it when the command ends, and stops it itself', async () => {
    const dataDir = tempDataDir('hinoko-handover-');
    const env = { HINOKO_DATA_DIR: dataDir };
    expect((await hinoko(['migrate'], env)).code).toBe(0);
    expect(readServerRecord(dataDir)).toBeNull();
    // `collect` without --once runs the scheduler in the foreground: a command that lasts.
    const collector = await startLong(['collect'], env, /収集スケジューラを実行中/);
    let service: Running | undefined;
    try {
      const started = readServerRecord(dataDir)!;
      expect(started.ownerPid).toBe(collector.child.pid);
      const s = await startLong(['start'], serviceEnv(dataDir), servicePattern);
      service = s;
      expect(readServerRecord(dataDir)!.ownerPid).toBe(collector.child.pid);

      collector.child.kill('SIGTERM');
      expect(await collector.exited).toBe(0);
      // Handed over, not stopped: the service owns the same server now and still answers.
      const handed = readServerRecord(dataDir)!;
      expect(handed).toMatchObject({ postmasterPid: started.postmasterPid, port: started.port, ownerPid: s.child.pid });
      expect(pidAlive(started.postmasterPid)).toBe(true);
      expect((await fetch(`${s.match[1]}/healthz`)).status).toBe(200);

      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(readServerRecord(dataDir)).toBeNull();
      expect(pidAlive(started.postmasterPid)).toBe(false);
    } finally {
      if (collector.child.exitCode === null) collector.child.kill('SIGKILL');
      if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    }
  }, 240_000);
});

describe('a service stopping its server', () => {
  it('stops the postmaster that holds the directory, not whatever process now has the pid it recorded', async () => {
    const dataDir = tempDataDir('hinoko-pid-reuse-');
    const service = await startLong(['start'], serviceEnv(dataDir), servicePattern);
    // Pids come back within minutes where pid_max is 32,768: the recorded one now names another process.
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const record = readServerRecord(dataDir)!;
      const postmaster = livePostmaster(path.join(dataDir, 'pg'));
      expect(postmaster).toBe(record.postmasterPid);
      writeFileSync(serverRecordFile(dataDir), JSON.stringify({ ...record, postmasterPid: other.pid }));
      service.child.kill('SIGTERM');
      expect(await service.exited, service.output().slice(-2000)).toBe(0);
      expect(pidAlive(postmaster!)).toBe(false);
      expect(other.exitCode === null && other.signalCode === null).toBe(true);
      expect(readServerRecord(dataDir)).toBeNull();
    } finally {
      other.kill('SIGKILL');
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
    }
  }, 240_000);
});

describe('a server whose starter was killed', () => {
  it('is taken over, not stopped, while another process still uses it; stopped and replaced once nobody does', async () => {
    const dataDir = tempDataDir('hinoko-orphan-');
    const env = { HINOKO_DATA_DIR: dataDir };
    const service = await startLong(['start'], serviceEnv(dataDir), servicePattern);
    const collector = await startLong(['collect'], env, /収集スケジューラを実行中/);
    try {
      const { postmasterPid } = readServerRecord(dataDir)!;
      service.child.kill('SIGKILL');
      await service.exited;
      // The killed starter's server lives on for the collector: the next command must not stop it.
      const users = await hinoko(['users', 'list', '--org', 'sakura-demo'], env);
      expect(users.code, users.stderr).toBe(0);
      expect(users.stdout).toContain('admin@sakura-demo.example.com');
      expect(pidAlive(postmasterPid)).toBe(true);
      expect(collector.child.exitCode).toBeNull();
      // It adopted the server and, ending, left it to the collector, which stops it.
      expect(readServerRecord(dataDir)).toMatchObject({ postmasterPid, ownerPid: collector.child.pid });
      collector.child.kill('SIGTERM');
      expect(await collector.exited).toBe(0);
      expect(pidAlive(postmasterPid)).toBe(false);
      expect(readServerRecord(dataDir)).toBeNull();

      // Killed with nobody attached: a true orphan, stopped by the next command, which runs its own.
      const again = await startLong(['start'], serviceEnv(dataDir), servicePattern);
      const orphan = readServerRecord(dataDir)!.postmasterPid;
      again.child.kill('SIGKILL');
      await again.exited;
      expect(pidAlive(orphan)).toBe(true);
      const audit = await hinoko(['audit', 'verify'], { ...env, HINOKO_LOG_LEVEL: 'warn' });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
      expect(audit.stdout).toMatch(/orphaned embedded Postgres/);
      expect(pidAlive(orphan)).toBe(false);
      expect(readServerRecord(dataDir)).toBeNull();
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      if (collector.child.exitCode === null) collector.child.kill('SIGKILL');
    }
  }, 300_000);
});

describe('CLI commands refuse to create an empty database', () => {
  it('names the data directory it looked in and leaves it empty; `users add --org-name` may create the first one', async () => {
    const dataDir = tempDataDir('hinoko-empty-');
    const env = { HINOKO_DATA_DIR: dataDir };
    for (const args of [
      ['users', 'list', '--org', 'sakura-demo'],
      ['audit', 'verify'],
      ['users', 'add', '--org', 'clinic', '--role', 'admin', '--email', 'a@clinic.example.jp', '--name', '院長'],
    ]) {
      const r = await hinoko(args, env);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(`HINOKO_DATA_DIR=${path.resolve(dataDir)}`);
      expect(r.stderr).toContain('データベースがまだありません');
      expect(r.stderr).toContain('no Hinoko database');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);

    // Without the demo, the documented way to the first admin creates the database, and says where.
    const first = await hinoko(
      [
        'users',
        'add',
        '--org',
        'clinic',
        '--org-name',
        '新しい医院',
        '--role',
        'admin',
        '--email',
        'a@clinic.example.jp',
        '--name',
        '院長',
      ],
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`created a new database in HINOKO_DATA_DIR=${path.resolve(dataDir)}`);
    expect(readServerRecord(dataDir)).toBeNull(); // the command started its own server and stopped it
    const list = await hinoko(['users', 'list', '--org', 'clinic'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('a@clinic.example.jp');
    // An organisation that is not there: the message says which database was asked.
    const missing = await hinoko(['users', 'list', '--org', 'sakura-demo'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`database: HINOKO_DATA_DIR=${path.resolve(dataDir)}`);
  }, 180_000);

  it('names the DATABASE_URL host and database (never its credentials) when that database was never migrated', async () => {
    const adminUrl = inject('hinokoAdminUrl');
    const name = `hinoko_empty_${process.pid}_${Date.now()}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    try {
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      // Trust auth on the test server ignores the password; it must never be echoed.
      u.password = 'not-shown-anywhere';
      const r = await hinoko(['import', '/dev/null', '--org', '1'], { DATABASE_URL: u.toString() });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`DATABASE_URL=postgres://${u.host}/${name}`);
      expect(r.stderr).toContain('no Hinoko database');
      expect(r.stderr).not.toContain('not-shown-anywhere');
      expect(r.stderr).not.toContain(`@${u.host}`); // no user name either
      const empty = postgres(u.toString(), { max: 1, onnotice: () => {} });
      try {
        expect(await empty`select tablename from pg_tables where schemaname = 'public'`).toEqual([]);
      } finally {
        await empty.end({ timeout: 5 });
      }
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    }
  }, 60_000);
});
