import type { CliCommand } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { backtestCommand } from './backtest.ts';
import { collectCommand } from './collect.ts';
import { importCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';
import { reanalyzeCommand } from './reanalyze.ts';
import { seedCommand } from './seed.ts';
import { sourcesCommand } from './sources.ts';
import { startCommand } from './start.ts';
import { tokenCommand } from './token.ts';
import { detectCommand } from './detect.ts';

// Every `hinoko` sub-command, by name. A command lives in its own file beside this one.
export const commands: Record<string, CliCommand> = {
  analyze: analyzeCommand,
  start: startCommand,
  migrate: migrateCommand,
  collect: collectCommand,
  sources: sourcesCommand,
  import: importCommand,
  seed: seedCommand,
  reanalyze: reanalyzeCommand,
  backtest: backtestCommand,
  token: tokenCommand,
  detect: detectCommand,
};
