import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { parseCommandArgs, type CliIo } from './command.ts';
import { commands } from './commands/index.ts';
import { usages, type CommandName } from './commands/usage.ts';

function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'hinoko — 火の粉: 医療機関のためのSNSモニタリング・炎上検知 (reputation & crisis monitoring for clinics)',
    '',
    'usage: hinoko <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run `hinoko <command> --help` for a command's options.",
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText() + '\n');
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr.write(`hinoko: unknown command "${name}" (see hinoko --help)\n`);
    return 2;
  }
  // Help without loading the command: its imports (the database, hono, kuromoji) take seconds.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${entry.summary}\nusage: ${usages[name as CommandName]}\n`);
    return 0;
  }
  try {
    const command = await entry.load();
    const args = parseCommandArgs(command, rest);
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof AppError) {
      io.stderr.write(`hinoko ${name}: ${err.message}\n`);
      return err.code === 'bad_request' ? 2 : 1;
    }
    logger.error({ err }, `hinoko ${name} failed`);
    io.stderr.write(`hinoko ${name}: unexpected error: ${(err as Error).message}\n`);
    return 1;
  }
}
