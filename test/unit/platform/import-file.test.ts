import { describe, expect, it } from 'vitest';
import { parseCsv, parseImport } from '../../../src/collection/import-file.ts';
import { decodeLines } from '../../../src/collection/import-mentions.ts';

describe('import files', () => {
  it('parses RFC 4180 CSV: quotes, doubled quotes, commas and newlines inside fields, CRLF, BOM', () => {
    const text =
      '\ufefftext,posted_at\r\n"待ち時間が長い, でも丁寧","2026-11-01T10:00:00+09:00"\r\n"改行\nあり ""引用""",2026-11-02T10:00:00+09:00\n';
    const rows = [...parseCsv(text)];
    expect(rows).toEqual([
      { line: 1, fields: ['text', 'posted_at'] },
      { line: 2, fields: ['待ち時間が長い, でも丁寧', '2026-11-01T10:00:00+09:00'] },
      { line: 3, fields: ['改行\nあり "引用"', '2026-11-02T10:00:00+09:00'] },
    ]);
  });

  it('reports malformed records with their line numbers and keeps the rest', () => {
    const jsonl = [
      '{"text":"よかった","posted_at":"2026-11-01T10:00:00+09:00","rating":5}',
      '{"text":"broken"',
      '["not","an","object"]',
      '{"text":"","posted_at":"2026-11-01T10:00:00+09:00"}',
      '{"text":"日付なし"}',
      '{"text":"星が多すぎ","posted_at":"2026-11-01","rating":7}',
      '',
      '{"id":"r-9","text":"普通","posted_at":"2026-11-03T09:00:00Z","author":"匿名"}',
    ].join('\n');
    const out = [...parseImport(jsonl, 'jsonl', 'caloo')];
    expect(out.filter((r) => 'error' in r).map((r) => [r.line, 'error' in r && r.error])).toEqual([
      [2, 'not valid JSON'],
      [3, 'each line must be a JSON object'],
      [4, 'text is missing'],
      [5, 'posted_at is missing'],
      [6, 'rating must be an integer from 1 to 5'],
    ]);
    const ok = out.flatMap((r) => ('mention' in r ? [r.mention] : []));
    expect(ok.map((m) => m.externalId)).toEqual([expect.stringMatching(/^sha256:/), 'r-9']);
    expect(ok[0]!.rating).toBe(5);
  });

  it('gives rows without an id a content hash, so re-importing is a no-op', () => {
    const line = '{"text":"同じ口コミ","posted_at":"2026-11-01T10:00:00+09:00","author":"a"}';
    const [a] = [...parseImport(line, 'jsonl', 'caloo')];
    const [b] = [...parseImport(line, 'jsonl', 'caloo')];
    expect(a).toEqual(b);
  });

  it('names the line with invalid UTF-8 in JSON lines, and refuses a CSV with any', () => {
    const bad = Buffer.concat([
      Buffer.from('{"text":"ok","posted_at":"2026-11-01"}\n'),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      Buffer.from('\n'),
    ]);
    const { errors } = decodeLines(bad, 'jsonl');
    expect(errors).toEqual([{ line: 2, message: expect.stringContaining('UTF-8') }]);
    expect(() => decodeLines(bad, 'csv')).toThrow(/line 2: not valid UTF-8; nothing was imported/);
  });

  it('requires text and posted_at columns in a CSV header', () => {
    const out = [...parseImport('body,date\nx,y\n', 'csv', null)];
    expect(out).toEqual([{ line: 1, error: expect.stringContaining('text and posted_at') }]);
  });
});
