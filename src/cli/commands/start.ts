import { loadConfig } from '../../config.ts';
import { startService } from '../../main.ts';
import type { CliCommand } from '../command.ts';

export const startCommand: CliCommand = {
  usage: 'hinoko start',
  async run(_args, io) {
    const service = await startService(loadConfig(), io.stdout);
    io.stdout.write(`\n  火の粉 Hinoko: ${service.url}/  (Ctrl+C で停止 / to stop)\n\n`);
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        void service.stop().then(resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    return 0;
  },
};
