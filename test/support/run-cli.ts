import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main.ts';

/** Runs `hinoko ARGS…` in-process with `stdin` as its input; returns the exit status and what it wrote. */
export async function runCliCapture(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const input = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  input.end(stdin);
  const code = await runCli(args, { stdin: input, stdout, stderr });
  return { code, out, err };
}
