import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCapture } from '../../support/run-cli.ts';

// `hinoko check FILE` (issue 17): a draft checked from a script; exit 1 when something blocks.

const cli = (args: string[]) => runCliCapture(['check', ...args]);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hinoko-check-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('hinoko check', () => {
  it('prints the findings in Japanese and exits 1 when one blocks publication', async () => {
    const { code, out } = await cli([file('a.txt', '地域No.1の技術で必ず治ります。ご予約は03-1234-5678まで。'), '--phone', '03-1234-5678']);
    expect(code).toBe(1);
    expect(out).toContain('[公開不可] 比較優良 「地域No.1」');
    expect(out).toContain('[公開不可] 虚偽 「必ず治」');
    expect(out).toContain('根拠: 医療法6条の5第2項2号');
    expect(out).not.toContain('電話番号');
  }, 30_000);

  it('exits 0 for a clean draft, and for warnings only', async () => {
    expect((await cli([file('b.txt', '年末年始は12月29日から1月3日まで休診します。')])).code).toBe(0);
    const warn = await cli([file('c.txt', '紹介特典のご案内です。')]);
    expect(warn.code).toBe(0);
    expect(warn.out).toContain('[要確認] 品位');
  }, 30_000);

  it('reads JSON lines with channels and images, and writes JSON lines with --json', async () => {
    const lines = [
      JSON.stringify({ id: 'x1', channel: 'x', text: 'あ'.repeat(141) }),
      JSON.stringify({
        id: 'ig',
        channel: 'instagram',
        text: '新しい待合室です',
        images: [{ description: '待合室、患者さんの顔が写っている' }],
      }),
      JSON.stringify({ id: 'ok', channel: 'line', text: '本日は通常どおり診療しています。' }),
    ];
    const { code, out } = await cli([file('d.jsonl', lines.join('\n')), '--json']);
    expect(code).toBe(1);
    const results = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; findings: { rule: string; field: string; overridable: boolean }[] });
    expect(results.map((r) => [r.id, r.findings.map((f) => f.rule)])).toEqual([
      ['x1', ['channel_limits']],
      ['ig', ['image_patient']],
      ['ok', []],
    ]);
    expect(results[1]!.findings[0]).toMatchObject({ field: 'images.0.description', overridable: false });
  }, 30_000);

  it('refuses a bad channel, a missing file and malformed lines with exit 2', async () => {
    expect((await cli([file('e.txt', 'x'), '--channel', 'myspace'])).code).toBe(2);
    expect((await cli([path.join(dir, 'missing.txt')])).code).toBe(2);
    const bad = await cli([file('f.jsonl', '{"text": 3}')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/line 1: "text" must be a string/);
  }, 30_000);
});
