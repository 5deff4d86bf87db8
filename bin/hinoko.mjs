#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point for `npx hinoko` and `npm start`: runs the TypeScript sources through tsx so a
// fresh clone needs no build step. The young generation may grow to 64 MB a half (V8's default is
// 16): a busy feed allocates a page of posts per request, and with the default the collector ran a
// fifth of the time (bench:api --concurrent: 290 → 350-390 requests/s). `npm start` and
// docker-compose pass the same flag.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
