import fs from 'node:fs/promises';
import { loadAnalyzer } from '../../analysis/index.ts';
import { UsageError } from '../../errors.ts';
import { channelLabels, channels, type Channel } from '../../post-review/channels.ts';
import { blockingPostFindings, checkPost, type PostDraft, type PostFinding, type PostImage } from '../../post-review/check-post.ts';
import { stringOption, type CliCommand } from '../command.ts';
import { usages } from './usage.ts';

// `hinoko check FILE`: the pre-publication check of a draft from a script (issue 17). FILE is a
// plain text draft, or JSON lines {"id","text","channel"?,"images"?:[{"alt","description"}]} when
// it ends in .jsonl or --jsonl is given. Prints the findings (Japanese, or JSON lines with --json);
// exit status 1 when any finding blocks publication, 2 on a usage error, 0 otherwise. Needs no
// database; the institution's own phone, address and doctors' names may be passed to allow them.

const maxInputBytes = 16 * 1024 * 1024;
const maxDraftChars = 100_000;
const severityJa = { block: '公開不可', warn: '要確認', info: '参考' } as const;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseChannel(value: unknown, where: string): Channel {
  if (value === undefined) return 'blog';
  if (typeof value !== 'string' || !(channels as readonly string[]).includes(value)) {
    throw new UsageError(`${where}: channel must be one of ${channels.join(', ')}`);
  }
  return value as Channel;
}

function parseImages(value: unknown, where: string): PostImage[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 50)
    throw new UsageError(`${where}: "images" must be an array of at most 50 {alt, description}`);
  return value.map((img: unknown) => {
    if (typeof img !== 'object' || img === null) throw new UsageError(`${where}: each image must be an object {alt, description}`);
    const { alt, description } = img as Record<string, unknown>;
    if ((alt !== undefined && typeof alt !== 'string') || (description !== undefined && typeof description !== 'string')) {
      throw new UsageError(`${where}: image "alt" and "description" must be strings`);
    }
    return { alt: alt?.slice(0, 5000), description: description?.slice(0, 5000) };
  });
}

function parseJsonLines(text: string, defaultChannel: Channel): { id: string; draft: PostDraft }[] {
  const out: { id: string; draft: PostDraft }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${where}: not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where}: expected a JSON object`);
    const v = value as Record<string, unknown>;
    if (typeof v.text !== 'string') throw new UsageError(`${where}: "text" must be a string`);
    if (v.text.length > maxDraftChars) throw new UsageError(`${where}: "text" is longer than ${maxDraftChars} characters`);
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : String(i + 1);
    const channel = v.channel === undefined ? defaultChannel : parseChannel(v.channel, where);
    out.push({ id, draft: { channel, text: v.text, images: parseImages(v.images, where) } });
  });
  return out;
}

function describe(f: PostFinding): string {
  const where = f.field === 'text' ? (f.end > f.start ? `${f.start}–${f.end}文字目` : '投稿全体') : f.field;
  const words = f.excerpt ? `「${f.excerpt}」` : '';
  return `[${severityJa[f.severity]}] ${f.category} ${words} (${where})\n  ${f.message_ja}\n  → ${f.advice_ja}\n  根拠: ${f.cite}${f.overridable ? '' : '\n  ※ この指摘は承認で上書きできません'}`;
}

export const checkCommand: CliCommand = {
  usage: usages.check,
  allowPositionals: true,
  options: {
    channel: { type: 'string' },
    jsonl: { type: 'boolean' },
    json: { type: 'boolean' },
    phone: { type: 'string' },
    address: { type: 'string' },
    name: { type: 'string' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) throw new UsageError(`one FILE is required\nusage: ${this.usage}`);
    const channel = parseChannel(stringOption(args, 'channel'), '--channel');
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) throw new UsageError(`cannot read ${file}`);
    if (stat.size > maxInputBytes) throw new UsageError(`${file} is larger than ${maxInputBytes} bytes`);
    const text = (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    const drafts =
      args.values.jsonl === true || file.endsWith('.jsonl')
        ? parseJsonLines(text, channel)
        : [{ id: file, draft: { channel, text: text.slice(0, maxDraftChars) } }];
    const own = {
      phones: list(stringOption(args, 'phone')),
      addresses: list(stringOption(args, 'address')),
      names: list(stringOption(args, 'name')),
    };
    // Names need kuromoji: the analyser's PII detector, with the institution's doctors allowed.
    const analyzer = await loadAnalyzer();
    let blocking = 0;
    for (const { id, draft } of drafts) {
      const findings = checkPost(draft, { own, pii: analyzer.detectPii(draft.text, { allowNames: new Set(own.names) }) });
      blocking += blockingPostFindings(findings).length;
      if (args.values.json === true) {
        io.stdout.write(JSON.stringify({ id, channel: draft.channel, findings }) + '\n');
      } else {
        io.stdout.write(
          `■ ${id}（${channelLabels[draft.channel]}）: ${findings.length === 0 ? '指摘なし' : `${findings.length}件の指摘`}\n`,
        );
        for (const f of findings) io.stdout.write(describe(f) + '\n');
      }
    }
    return blocking > 0 ? 1 : 0;
  },
};
