import { analyzeStored } from '../../ingest/analyze-stored.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { withContext } from '../with-context.ts';
import { usages } from './usage.ts';

function bar(done: number, total: number): string {
  const width = 30;
  const share = total === 0 ? 1 : Math.min(done / total, 1);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString()} / ${total.toLocaleString()} (${Math.round(share * 100)}%)`;
}

export const reanalyzeCommand: CliCommand = {
  usage: usages.reanalyze,
  options: { org: { type: 'string' } },
  async run(args, io) {
    const orgArg = stringOption(args, 'org');
    const orgId = orgArg === undefined ? undefined : idString(orgArg, '--org');
    const started = Date.now();
    const result = await withContext(
      (ctx) =>
        analyzeStored(ctx, {
          orgId,
          mode: 'stale',
          onProgress: (done, total) => io.stderr.write(`\r${bar(done, total)}`),
        }),
      // Changed sentiments change what detection sees: judged before the command returns.
      { stages: true, detect: true },
    );
    io.stderr.write('\n');
    io.stdout.write(`re-analysed ${result.analysed.toLocaleString()} mention(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  },
};
