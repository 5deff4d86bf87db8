// Runs the whole suite while busy loops keep every core occupied (two per core by default), as a
// shared CI machine would: `npm run test:under-load [-- runs]`. Tests must not depend on a quiet
// machine; this is how that is checked.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const runs = Number(process.argv[2] ?? 2);
const loops = Number(process.env.HINOKO_LOAD_LOOPS ?? os.availableParallelism() * 2);
const workers = Array.from({ length: loops }, () => new Worker('for (;;) {}', { eval: true }));
process.stdout.write(`[under-load] ${loops} busy loops on ${os.availableParallelism()} cores; ${runs} run(s) of the suite\n`);

let failed = 0;
for (let i = 1; i <= runs; i++) {
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { stdio: 'inherit' });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  process.stdout.write(
    `[under-load] run ${i}: exit ${code} in ${Math.round((Date.now() - started) / 1000)} s, load average ${os.loadavg()[0].toFixed(1)}\n`,
  );
  if (code !== 0) failed++;
}
await Promise.all(workers.map((w) => w.terminate()));
process.exitCode = failed === 0 ? 0 : 1;
