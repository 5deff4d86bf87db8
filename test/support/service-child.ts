// Runs `hinoko start` as a child process and watches it from the outside, as an operator would:
// its URL, its health, and whether it is still alive.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/hinoko.mjs', import.meta.url));

export interface ServiceChild {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
  alive(): boolean;
  /** GET /healthz with a short timeout: the status, or 0 when nothing answered. */
  health(): Promise<number>;
  stop(): Promise<number | null>;
}

export async function startServiceChild(env: Record<string, string>, timeoutMs = 90_000): Promise<ServiceChild> {
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HINOKO_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /火の粉 Hinoko: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${out}`));
    });
  });
  return {
    child,
    url,
    exited,
    output: () => out,
    alive: () => code === undefined,
    async health() {
      try {
        return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) })).status;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (code !== undefined) return code;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `f` until it returns true (or throws after `capMs`): waits for conditions, not for time. */
export async function until(f: () => Promise<boolean> | boolean, capMs: number, what: string, everyMs = 100): Promise<void> {
  const end = Date.now() + capMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
