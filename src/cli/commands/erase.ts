import { UsageError } from '../../errors.ts';
import { erasePerson } from '../../privacy/erase-person.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { cliActor, withContext } from '../with-context.ts';
import { usages } from './usage.ts';

// A person's request to erase their posts, from the command line (as POST …/erasures).
export const eraseCommand: CliCommand = {
  usage: usages.erase,
  options: { org: { type: 'string' }, handle: { type: 'string' }, 'author-id': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(args, io) {
    const orgArg = stringOption(args, 'org');
    if (!orgArg) throw new UsageError(`--org ID is required\nusage: ${usages.erase}`);
    const handle = stringOption(args, 'handle');
    const authorId = stringOption(args, 'author-id');
    if (!handle && !authorId) throw new UsageError(`give --handle or --author-id\nusage: ${usages.erase}`);
    if (handle !== undefined && !/^@?[\p{L}\p{N}._:-]{1,100}$/u.test(handle.trim())) throw new UsageError('--handle: an account handle');
    if (authorId !== undefined && !/^[\x21-\x7e]{1,200}$/.test(authorId.trim()))
      throw new UsageError('--author-id: the platform account id');
    const dryRun = args.values['dry-run'] === true;
    const report = await withContext((ctx) =>
      erasePerson(ctx, idString(orgArg, '--org'), { authorHandle: handle, authorId, dryRun }, cliActor()),
    );
    const verb = dryRun ? '消去の対象 (would erase)' : '消去しました (erased)';
    io.stdout.write(
      `${verb}: posts ${report.mentions}, earlier versions ${report.versions}, staff notes ${report.notes}, activities ${report.activities}, alert samples ${report.alertSamples}\n`,
    );
    for (const r of report.retained) {
      const why = r.reason === 'open_incident' ? '対応中のインシデント' : '未承認のポストモーテム';
      io.stdout.write(`kept as evidence: post ${r.mentionId} — cited by incident ${r.incidentId} (${why}; erase again once it closes)\n`);
    }
    return 0;
  },
};
