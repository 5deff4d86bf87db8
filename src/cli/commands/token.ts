import { rotateApiToken } from '../../auth/api-token.ts';
import { UsageError } from '../../errors.ts';
import type { CliCommand } from '../command.ts';
import { cliActor, withContext } from '../with-context.ts';

export const tokenCommand: CliCommand = {
  usage: 'hinoko token --rotate',
  options: { rotate: { type: 'boolean' } },
  async run(args, io) {
    if (!args.values.rotate) throw new UsageError('say --rotate to replace the API token (the current one stops working)');
    const token = await withContext(async (ctx) => {
      if (ctx.config.http.apiToken) throw new UsageError('HINOKO_API_TOKEN is set in the environment; change it there instead');
      return rotateApiToken(ctx, cliActor());
    });
    io.stdout.write(`${token}\n`);
    return 0;
  },
};
