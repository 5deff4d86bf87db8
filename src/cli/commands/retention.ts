import {
  applyRetention,
  applyRetentionEverywhere,
  retentionKinds,
  retentionLabels,
  type RetentionReport,
} from '../../privacy/retention.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { cliActor, withContext } from '../with-context.ts';
import { usages } from './usage.ts';

// The daily retention pass on demand (as POST …/retention/runs), for one organisation or all.
export const retentionCommand: CliCommand = {
  usage: usages.retention,
  options: { org: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(args, io) {
    const orgArg = stringOption(args, 'org');
    const dryRun = args.values['dry-run'] === true;
    const opts = { dryRun, actor: cliActor() };
    const reports = await withContext(async (ctx) =>
      orgArg ? new Map([[orgArg, await applyRetention(ctx, idString(orgArg, '--org'), opts)]]) : applyRetentionEverywhere(ctx, opts),
    );
    for (const [orgId, report] of reports) io.stdout.write(describe(orgId, report));
    return 0;
  },
};

function describe(orgId: string, r: RetentionReport): string {
  const verb = r.dryRun ? '消去の対象 (would remove)' : '消去しました (removed)';
  const lines = retentionKinds.map((k) => {
    const { removed, kept } = r.kinds[k];
    return `  ${retentionLabels[k]} (${k}, ${r.policy[k]} days): ${removed}${kept > 0 ? `, kept as evidence ${kept}` : ''}`;
  });
  return `organization ${orgId} — ${verb}\n${lines.join('\n')}\n`;
}
