import {
  applyRetention,
  applyRetentionEverywhere,
  retentionKinds,
  retentionLabels,
  type RetentionReport,
} from '../../privacy/retention.ts';
import { expireMonths, type MonthExpiryReport } from '../../privacy/expire-months.ts';
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
    const { reports, months } = await withContext(async (ctx) =>
      orgArg
        ? { reports: new Map([[orgArg, await applyRetention(ctx, idString(orgArg, '--org'), opts)]]), months: null }
        : { reports: await applyRetentionEverywhere(ctx, opts), months: await expireMonths(ctx, opts) },
    );
    for (const [orgId, report] of reports) io.stdout.write(describe(orgId, report));
    if (months) io.stdout.write(describeMonths(months));
    return 0;
  },
};

function describeMonths(r: MonthExpiryReport): string {
  if (r.keepMonths === 0) return 'months — kept: HINOKO_KEEP_MONTHS is 0\n';
  const verb = r.dryRun ? '削除の対象 (would drop)' : '削除しました (dropped)';
  const lines = [
    ...r.dropped.map((d) => `  ${d.month}: ${d.mentions} posts`),
    ...r.kept.map((k) => `  ${k.month}: kept as evidence (${k.cited} cited posts)`),
    `  before any month (default partition): ${r.outsideMonths} posts`,
  ];
  return `months before ${r.firstKept} (HINOKO_KEEP_MONTHS=${r.keepMonths}) — ${verb}\n${lines.join('\n')}\n`;
}

function describe(orgId: string, r: RetentionReport): string {
  const verb = r.dryRun ? '消去の対象 (would remove)' : '消去しました (removed)';
  const lines = retentionKinds.map((k) => {
    const { removed, kept } = r.kinds[k];
    return `  ${retentionLabels[k]} (${k}, ${r.policy[k]} days): ${removed}${kept > 0 ? `, kept as evidence ${kept}` : ''}`;
  });
  return `organization ${orgId} — ${verb}\n${lines.join('\n')}\n`;
}
