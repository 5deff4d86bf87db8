import fs from 'node:fs/promises';
import { UsageError } from '../../errors.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { detectSeries, formatVerdictCsv } from '../../detection/detect-series.ts';
import { parseVolumeCsv } from '../../detection/volume-csv.ts';
import { sensitivities, type Sensitivity } from '../../detection/settings.ts';
import { usages } from './usage.ts';

// Imports stay inside src/detection (no database, no kuromoji): this command must start fast.

const maxInputBytes = 256 * 1024 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > maxInputBytes) throw new UsageError(`input is larger than ${maxInputBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const detectCommand: CliCommand = {
  usage: usages.detect,
  options: {
    input: { type: 'string' },
    sensitivity: { type: 'string' },
    'bucket-minutes': { type: 'string' },
  },
  async run(args, io) {
    const sensitivity = (stringOption(args, 'sensitivity') ?? 'balanced') as Sensitivity;
    if (!sensitivities.includes(sensitivity)) throw new UsageError(`--sensitivity must be one of ${sensitivities.join(', ')}`);
    const bucketOption = stringOption(args, 'bucket-minutes');
    const bucketMinutes = bucketOption === undefined ? undefined : Number(bucketOption);
    if (bucketMinutes !== undefined && !(Number.isInteger(bucketMinutes) && bucketMinutes >= 1 && bucketMinutes <= 10_080)) {
      throw new UsageError('--bucket-minutes must be a whole number of minutes from 1 to 10080');
    }
    const file = stringOption(args, 'input');
    let text: string;
    if (file) {
      const stat = await fs.stat(file).catch(() => null);
      if (!stat?.isFile()) throw new UsageError(`cannot read --input ${file}`);
      if (stat.size > maxInputBytes) throw new UsageError(`input is larger than ${maxInputBytes} bytes`);
      text = await fs.readFile(file, 'utf8');
    } else {
      text = await readAll(io.stdin);
    }
    const rows = parseVolumeCsv(text);
    // Without --bucket-minutes the length comes from the first two rows (five minutes for one row).
    io.stdout.write(
      formatVerdictCsv(detectSeries(rows, sensitivity, undefined, bucketMinutes === undefined ? undefined : bucketMinutes * 60_000)),
    );
    return 0;
  },
};
