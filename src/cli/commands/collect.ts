import { collectionScheduleJob } from '../../collection/scheduler.ts';
import { JobRunner } from '../../jobs/runner.ts';
import { runSource } from '../../collection/run-source.ts';
import { listSources } from '../../collection/sources.ts';
import { idString } from '../../validation.ts';
import { UsageError } from '../../errors.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { withContext } from '../with-context.ts';
import { usages } from './usage.ts';

export const collectCommand: CliCommand = {
  usage: usages.collect,
  options: { once: { type: 'boolean' }, source: { type: 'string' }, detect: { type: 'boolean' } },
  async run(args, io) {
    const sourceArg = stringOption(args, 'source');
    const sourceId = sourceArg === undefined ? undefined : idString(sourceArg, '--source');
    if (!args.values.once && sourceId) throw new UsageError('--source needs --once');
    if (!args.values.once && args.values.detect) throw new UsageError('--detect needs --once');
    return withContext(
      async (ctx) => {
        if (!args.values.once) {
          const scheduler = new JobRunner(ctx, collectionScheduleJob());
          await scheduler.start();
          io.stdout.write('収集スケジューラを実行中 (scheduler running; Ctrl+C to stop)\n');
          await new Promise<void>((resolve) => ctx.shutdown.addEventListener('abort', () => resolve(), { once: true }));
          await scheduler.stop();
          return 0;
        }
        const sources = sourceId
          ? [{ id: sourceId }]
          : (await listSources(ctx, { enabledOnly: true })).filter((s) => ctx.sources[s.type]?.collect);
        let failed = 0;
        for (const s of sources) {
          const outcome = await runSource(ctx, { sourceId: s.id, trigger: 'manual' });
          if (outcome.status === 'succeeded' || outcome.status === 'failed') {
            io.stdout.write(
              `source ${s.id}: ${outcome.status} — pages ${outcome.pages}, fetched ${outcome.fetched}, new ${outcome.inserted}, updated ${outcome.updated}, deleted ${outcome.tombstoned}, rejected ${outcome.rejected}${outcome.error ? ` — ${outcome.error}` : ''}\n`,
            );
            if (outcome.status === 'failed') failed++;
          } else {
            io.stdout.write(`source ${s.id}: skipped (${'reason' in outcome ? outcome.reason : 'claimed by another instance'})\n`);
          }
        }
        if (sources.length === 0) io.stdout.write('no enabled sources to collect\n');
        else if (!args.values.detect)
          io.stdout.write('検知はサービスの次の巡回で行われます (detection runs on the service’s next pass; --detect runs it now)\n');
        return failed > 0 ? 1 : 0;
      },
      { stages: true, detect: args.values.detect === true },
    );
  },
};
