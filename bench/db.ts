import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connect, type DbHandle } from '../src/db/connect.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { logger } from '../src/logger.ts';

// Benchmarks run against a fresh database of their own: DATABASE_URL's server if set, else the
// local server at 127.0.0.1:5432, else an embedded one. It is dropped afterwards (unless
// HINOKO_BENCH_KEEP=1, to look at query plans).

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function benchDatabase(): Promise<DbHandle & { where: string; url: string; dispose(): Promise<void> }> {
  logger.level = 'warn';
  let admin = process.env.DATABASE_URL;
  let where = 'DATABASE_URL';
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!admin) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    const probe = postgres(local, { max: 1, connect_timeout: 3, onnotice: () => {} });
    const ok = await probe`select 1`.then(
      () => true,
      () => false,
    );
    await probe.end();
    if (ok) {
      admin = local;
      where = 'local Postgres 127.0.0.1:5432';
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-bench-pg-'));
      const pg = await startEmbeddedPostgres(dir);
      admin = withDb(pg.url, 'postgres');
      where = 'embedded Postgres';
      stopEmbedded = async () => {
        await pg.stop();
        rmSync(dir, { recursive: true, force: true });
      };
    }
  }
  const name = `hinoko_bench_${randomBytes(4).toString('hex')}`;
  const a = postgres(admin, { max: 1, onnotice: () => {} });
  await a.unsafe(`create database "${name}"`);
  const url = withDb(admin, name);
  const handle = connect(url, { max: 10, applicationName: 'hinoko-bench' });
  await migrate(handle.sql);
  return {
    ...handle,
    where,
    url,
    async dispose() {
      await handle.close();
      // HINOKO_BENCH_KEEP=1 leaves the database for EXPLAIN afterwards (drop it by hand).
      if (process.env.HINOKO_BENCH_KEEP === '1') {
        process.stderr.write(`kept database ${name}\n`);
        await a.end();
        return;
      }
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
      await stopEmbedded?.();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** CPU seconds used so far by every process named postgres on this machine (Linux /proc; 0 elsewhere). */
export function postgresCpuSeconds(): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

/** The machine's CPU time so far, busy and in all (Linux /proc/stat, in USER_HZ ticks; null elsewhere). */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - ticks[3]! - ticks[4]!, total };
  } catch {
    return null;
  }
}
