import { readFile, stat, writeFile } from 'node:fs/promises';
import { importMentions, MAX_IMPORT_BYTES } from '../../collection/import-mentions.ts';
import { UsageError } from '../../errors.ts';
import { idString } from '../../validation.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { progressPrinter } from '../progress.ts';
import { withContext } from '../with-context.ts';
import { usages } from './usage.ts';

export const importCommand: CliCommand = {
  usage: usages.import,
  options: {
    org: { type: 'string' },
    portal: { type: 'string' },
    source: { type: 'string' },
    format: { type: 'string' },
    report: { type: 'string' },
    detect: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) throw new UsageError('give exactly one FILE');
    const orgArg = stringOption(args, 'org');
    if (!orgArg) throw new UsageError('--org ID is required');
    const orgId = idString(orgArg, '--org');
    const sourceArg = stringOption(args, 'source');
    const format = stringOption(args, 'format') ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl');
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be jsonl or csv');
    const portal = stringOption(args, 'portal') ?? null;
    if (portal !== null && !/^[\p{L}\p{N}._ -]{1,100}$/u.test(portal)) throw new UsageError('--portal must be a short name such as caloo');
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    if (size > MAX_IMPORT_BYTES) throw new UsageError(`${file} is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it`);
    const content = await readFile(file);
    const reportPath = stringOption(args, 'report') ?? `${file}.errors.jsonl`;
    const progress = progressPrinter(io.stderr);
    const summary = await withContext(
      (ctx) =>
        importMentions(ctx, {
          orgId,
          portal,
          format,
          content,
          sourceId: sourceArg === undefined ? undefined : idString(sourceArg, '--source'),
          onProgress: progress,
        }),
      { stages: true, detect: args.values.detect === true },
    );
    progress.done();
    if (summary.errors.length > 0) {
      // Every skipped line, with what was on it, for fixing and importing again — not only a screenful.
      const raw = content.toString('utf8').split(/\r?\n/);
      const report = summary.errors
        .map((e) => JSON.stringify({ line: e.line, error: e.message, input: (raw[e.line - 1] ?? '').slice(0, 4000) }))
        .join('\n');
      await writeFile(reportPath, `${report}\n`, { mode: 0o600 });
      for (const e of summary.errors.slice(0, 20)) io.stderr.write(`${file}:${e.line}: ${e.message}\n`);
      if (summary.errors.length > 20) io.stderr.write(`… and ${summary.errors.length - 20} more\n`);
      io.stderr.write(`skipped lines, every one: ${reportPath}\n`);
    }
    io.stdout.write(
      `imported ${summary.imported} new mention(s) into source ${summary.sourceId}; ${summary.alreadyPresent} already present; ${summary.errors.length} line(s) skipped\n`,
    );
    return summary.errors.length > 0 ? 1 : 0;
  },
};
