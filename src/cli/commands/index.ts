import type { CliCommand } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { detectCommand } from './detect.ts';

// Every `hinoko` sub-command, by name. A command lives in its own file beside this one.
export const commands: Record<string, CliCommand> = {
  analyze: analyzeCommand,
  detect: detectCommand,
};
