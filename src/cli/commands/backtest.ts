import { backtest } from '../../detection-pass/backtest.ts';
import { sensitivities } from '../../detection/index.ts';
import { UsageError } from '../../errors.ts';
import { idString, isoTime, oneOf } from '../../validation.ts';
import { formatJstDateTime } from '../../display.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { withContext } from '../with-context.ts';
import { usages } from './usage.ts';

export const backtestCommand: CliCommand = {
  usage: usages.backtest,
  options: { org: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, sensitivity: { type: 'string' } },
  async run(args, io) {
    const org = stringOption(args, 'org');
    const from = stringOption(args, 'from');
    const to = stringOption(args, 'to');
    if (!org || !from || !to) throw new UsageError('--org, --from and --to are required');
    const q = {
      orgId: idString(org, '--org'),
      from: isoTime(from, '--from'),
      to: isoTime(to, '--to'),
      sensitivity:
        stringOption(args, 'sensitivity') === undefined
          ? undefined
          : oneOf(stringOption(args, 'sensitivity'), '--sensitivity', sensitivities),
    };
    if (q.to <= q.from) throw new UsageError('--to must be after --from');
    const result = await withContext((ctx) => backtest(ctx, q));
    io.stdout.write(
      `sensitivity ${result.sensitivity}: ${result.alerts.length} notification(s) between ${formatJstDateTime(q.from)} and ${formatJstDateTime(q.to)} JST (${result.buckets.toLocaleString()} buckets replayed)\n`,
    );
    for (const a of result.alerts) {
      io.stdout.write(
        `${formatJstDateTime(a.bucketStart)}\t${a.watchTargetId ? `target ${a.watchTargetId}` : 'org'}\t${a.action}\tseverity ${a.severity}\t${a.kind}\t${a.summary}\n`,
      );
    }
    return 0;
  },
};
