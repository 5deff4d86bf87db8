import { checkpointFile, readCheckpoints, writeCheckpoints } from '../../audit/checkpoint-store.ts';
import { verifyAudit } from '../../audit/record.ts';
import { UsageError } from '../../errors.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { withContext } from '../with-context.ts';
import { usages } from './usage.ts';

const usage = usages.audit;

export const auditCommand: CliCommand = {
  usage,
  options: { org: { type: 'string' }, checkpoints: { type: 'string' } },
  allowPositionals: true,
  async run(args, io) {
    const [action, ...rest] = args.positionals;
    if (rest.length > 0 || (action !== 'verify' && action !== 'checkpoint')) throw new UsageError(`usage: ${usage}`);
    if (action === 'checkpoint') {
      const written = await withContext((ctx) => writeCheckpoints(ctx));
      io.stdout.write(`${written.length} chain head(s) checkpointed\n`);
      return 0;
    }
    const org = stringOption(args, 'org');
    const { result, file, read } = await withContext(async (ctx) => {
      const file = stringOption(args, 'checkpoints') ?? checkpointFile(ctx.config.dataDir);
      const read = readCheckpoints(file, ctx.keys.auditCheckpoints);
      return {
        file,
        read,
        result: await verifyAudit(ctx.sql, org === undefined ? undefined : idString(org, '--org'), { checkpoints: read }),
      };
    });
    if (!read.exists) {
      io.stdout.write(
        `注意: チェックポイントがありません (${file})。連鎖の末尾の削除は検出できません (no checkpoints at ${file}: rows cut from the end of a chain cannot be detected)\n`,
      );
    }
    for (const b of result.breaks) {
      const where = b.chain === 'checkpoints' ? 'checkpoint file' : `chain ${b.chain === 'platform' ? 'platform' : `org ${b.chain}`}`;
      io.stdout.write(`BROKEN ${where}: first problem at #${b.seq}${b.id ? ` (row id ${b.id})` : ''}: ${b.reason}\n`);
    }
    io.stdout.write(
      result.breaks.length === 0
        ? `監査ログは改ざんされていません (audit log intact): ${result.chains} chain(s), ${result.rows} row(s), ${result.checkpointsChecked} checkpoint(s) reached\n`
        : `監査ログの改ざんを検出しました (audit log tampered): ${result.breaks.length} problem(s) in ${result.chains} chain(s)\n`,
    );
    return result.breaks.length === 0 ? 0 : 1;
  },
};
