import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../errors.ts';

// pg_dump and pg_restore, when this machine has a pair that can read the server: a client's major
// version must be at least the server's (pg_dump refuses a newer server). HINOKO_PG_BIN names the
// folder to take them from (PostgreSQL's own bin directory); otherwise PATH.

const run = promisify(execFile);

export interface PgTool {
  path: string;
  major: number;
}

/** The tool (`pg_dump` or `pg_restore`) in HINOKO_PG_BIN or on PATH, with its major version; null when there is none. */
export async function findPgTool(name: 'pg_dump' | 'pg_restore', env: NodeJS.ProcessEnv = process.env): Promise<PgTool | null> {
  const dirs = env.HINOKO_PG_BIN ? [env.HINOKO_PG_BIN] : (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    try {
      const { stdout } = await run(file, ['--version'], { timeout: 10_000 });
      const m = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
      if (m) return { path: file, major: Number(m[1]) };
    } catch {
      // not runnable: try the next directory
    }
  }
  return null;
}

/**
 * Runs a PostgreSQL client tool with the connection given in the environment (PGPASSWORD and
 * friends), never on its command line where `ps` would show the password.
 */
export async function runPgTool(tool: PgTool, args: string[], url: string): Promise<void> {
  const u = new URL(url);
  const env = {
    ...process.env,
    PGHOST: decodeURIComponent(u.hostname),
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    PGSSLMODE: u.searchParams.get('sslmode') ?? process.env.PGSSLMODE ?? 'prefer',
  };
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tool.path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new AppError('internal', `${path.basename(tool.path)} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}
