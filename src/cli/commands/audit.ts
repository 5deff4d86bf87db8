import { verifyAudit } from '../../audit/record.ts';
import { UsageError } from '../../errors.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { withContext } from '../with-context.ts';

export const auditCommand: CliCommand = {
  usage: 'hinoko audit verify [--org ID]',
  options: { org: { type: 'string' } },
  allowPositionals: true,
  async run(args, io) {
    const [action, ...rest] = args.positionals;
    if (action !== 'verify' || rest.length > 0) throw new UsageError('usage: hinoko audit verify [--org ID]');
    const org = stringOption(args, 'org');
    const result = await withContext((ctx) => verifyAudit(ctx.sql, org === undefined ? undefined : idString(org, '--org')));
    for (const b of result.breaks) {
      io.stdout.write(`BROKEN chain ${b.chain === 'platform' ? 'platform' : `org ${b.chain}`}: first broken link at #${b.seq}${b.id ? ` (row id ${b.id})` : ''}: ${b.reason}\n`);
    }
    io.stdout.write(result.breaks.length === 0
      ? `監査ログは改ざんされていません (audit log intact): ${result.chains} chain(s), ${result.rows} row(s)\n`
      : `監査ログの改ざんを検出しました (audit log tampered): ${result.breaks.length} of ${result.chains} chain(s) broken\n`);
    return result.breaks.length === 0 ? 0 : 1;
  },
};
