import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCapture } from '../../support/run-cli.ts';

const run = (input: string, args: string[] = []) => runCliCapture(['analyze', ...args], input);

describe('hinoko analyze', () => {
  it('writes one result per input line, in order, with the documented shape', async () => {
    const input =
      [
        { id: 'a', text: '受付の態度が最悪。090-1234-5678' },
        { id: 2, text: '先生がとても丁寧でした😊' },
        { id: 'c', text: '明日は健診です' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n') + '\n';
    const { code, out, err } = await run(input);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(['a', 2, 'c']);
    expect(Object.keys(lines[0]!)).toEqual(['id', 'sentiment', 'risks', 'pii']);
    expect(lines[0]).toMatchObject({
      sentiment: { label: 'negative' },
      risks: [{ category: '接遇・態度' }],
      pii: [{ type: 'phone', start: 9, end: 22 }],
    });
    expect(lines[1]).toMatchObject({ sentiment: { label: 'positive' }, risks: [], pii: [] });
    expect(lines[2]).toMatchObject({ sentiment: { label: 'neutral' } });
  });

  it('reports malformed lines with their number, goes on, and exits 1', async () => {
    const input = [
      '{"id":"ok1","text":"良い"}',
      '{not json',
      '',
      '{"id":"x"}',
      '[1,2]',
      '{"id":{"a":1},"text":"t"}',
      '{"id":"ok2","text":"悪い"}',
    ].join('\n');
    const { code, out, err } = await run(input);
    expect(code).toBe(1);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['ok1', 'ok2']);
    expect(err).toContain('2 行目');
    expect(err).toContain('4 行目');
    expect(err).toContain('5 行目');
    expect(err).toContain('6 行目');
    expect(err).not.toContain('3 行目');
    expect(err).toContain('4 line(s) failed');
  });

  it('accepts Windows line ends and an empty input', async () => {
    expect((await run('{"id":"a","text":"良い"}\r\n')).code).toBe(0);
    expect(await run('')).toEqual({ code: 0, out: '', err: '' });
  });

  it('takes an extra lexicon with --lexicon and fails clearly on a bad one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hinoko-cli-'));
    const good = path.join(dir, 'good.tsv');
    const bad = path.join(dir, 'bad.tsv');
    writeFileSync(good, 'polar\tモフモフ院\t3\n');
    writeFileSync(bad, 'polar\tモフモフ院\n');
    const ok = await run('{"id":1,"text":"モフモフ院"}\n', ['--lexicon', good]);
    expect(JSON.parse(ok.out)).toMatchObject({ sentiment: { label: 'positive' } });
    const failed = await run('{"id":1,"text":"x"}\n', ['--lexicon', bad]);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain(`${bad}:1`);
  });
});
