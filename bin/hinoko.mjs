#!/usr/bin/env node
// Entry point for `npx hinoko` and `npm start`: runs the TypeScript sources through tsx so a
// fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
