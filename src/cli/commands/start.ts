import { loadConfig } from '../../config.ts';
import { logger } from '../../logger.ts';
import { startService } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { usages } from './usage.ts';

export const startCommand: CliCommand = {
  usage: usages.start,
  async run(_args, io) {
    // The service must outlive a database outage. A rejected promise nobody awaited (postgres.js
    // can leave one behind when a connection dies mid-query) is logged with the query it was,
    // not allowed to end the process: every worker retries, and all of them are idempotent.
    // Thrown exceptions still end it (their state is unknown); an orchestrator restarts it.
    process.on('unhandledRejection', (reason, promise) => {
      const query = (promise as { string?: unknown }).string;
      logger.error(
        { err: reason, query: typeof query === 'string' ? query.slice(0, 200) : undefined },
        '処理されなかった Promise の拒否 (unhandled promise rejection; kept running)',
      );
    });
    const service = await startService(loadConfig(), io.stdout);
    io.stdout.write(`\n  火の粉 Hinoko: ${service.url}/  (Ctrl+C で停止 / to stop)\n\n`);
    return new Promise<number>((resolve) => {
      const onSignal = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // A stop that fails (the embedded server would not stop) still ends the process, non-zero:
        // a process left waiting forever is one an orchestrator cannot restart.
        service.stop().then(
          () => resolve(0),
          (err: unknown) => {
            logger.error({ err }, '停止処理に失敗しました (stopping failed)');
            resolve(1);
          },
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  },
};
