import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { loadAnalyzer } from '../../analysis/index.ts';
import { loadConfig } from '../../config.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { usages } from './usage.ts';

// `hinoko analyze`: JSON lines {"id","text"} in, one JSON line per input out, in order. Streams,
// so a large file never sits in memory; needs no database. A bad line is reported on stderr
// with its number and skipped; the exit status says whether any line failed.

const maxLineChars = 1_000_000;

function describeProblem(line: string): { id: string | number; text: string } | string {
  if (line.length > maxLineChars) return `行が長すぎます (line longer than ${maxLineChars} characters)`;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'JSON として読めません (not valid JSON)';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'オブジェクトではありません (expected a JSON object)';
  const { id, text } = value as { id?: unknown; text?: unknown };
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id)))
    return '"id" は文字列か数値が必要です ("id" must be a string or number)';
  if (typeof text !== 'string') return '"text" は文字列が必要です ("text" must be a string)';
  return { id, text };
}

export const analyzeCommand: CliCommand = {
  usage: usages.analyze,
  options: { lexicon: { type: 'string' } },
  async run(args, io) {
    const lexiconExtraPath = stringOption(args, 'lexicon') ?? loadConfig().analysis.lexiconExtraPath;
    const analyzer = await loadAnalyzer({ lexiconExtraPath });
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    let lineNumber = 0;
    let failed = 0;
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const input = describeProblem(line);
      if (typeof input === 'string') {
        failed++;
        io.stderr.write(`hinoko analyze: ${lineNumber} 行目: ${input}\n`);
        continue;
      }
      const result = analyzer.analyze(input.text);
      const out = JSON.stringify({ id: input.id, sentiment: result.sentiment, risks: result.risks, pii: result.pii });
      if (!io.stdout.write(out + '\n')) await once(io.stdout, 'drain');
    }
    if (failed > 0) io.stderr.write(`hinoko analyze: ${failed} 行を処理できませんでした (${failed} line(s) failed)\n`);
    return failed > 0 ? 1 : 0;
  },
};
