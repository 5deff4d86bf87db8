import { seedMentions } from '../../collection/seed.ts';
import { UsageError } from '../../errors.ts';
import { idString } from '../../validation.ts';
import { intOption, stringOption, type CliCommand } from '../command.ts';
import { withContext } from '../with-context.ts';
import { usages } from './usage.ts';

export const seedCommand: CliCommand = {
  usage: usages.seed,
  options: { mentions: { type: 'string' }, days: { type: 'string' }, org: { type: 'string' } },
  async run(args, io) {
    const count = intOption(args, 'mentions');
    if (!count || count < 1 || count > 50_000_000) throw new UsageError('--mentions N is required (1 to 50,000,000)');
    const days = intOption(args, 'days', 30)!;
    if (days < 1 || days > 3650) throw new UsageError('--days must be between 1 and 3650');
    const orgArg = stringOption(args, 'org');
    const result = await withContext((ctx) =>
      seedMentions(ctx, {
        count,
        days,
        orgId: orgArg === undefined ? undefined : idString(orgArg, '--org'),
        onProgress: (done) => io.stderr.write(`\r${done.toLocaleString()} / ${count.toLocaleString()}`),
      }),
    );
    io.stderr.write('\n');
    io.stdout.write(
      `seeded ${result.inserted} mentions into org ${result.orgId} (source ${result.sourceId}) in ${result.seconds.toFixed(1)} s\n`,
    );
    return 0;
  },
};
