import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { progressPrinter } from '../../../src/cli/progress.ts';

it('reports lines, rate and time left: every 5 s in a log, rewritten in place on a terminal', () => {
  let now = 0;
  const log = new PassThrough();
  let written = '';
  log.on('data', (d: Buffer) => (written += d.toString('utf8')));
  const progress = progressPrinter(log, () => now);
  now = 1000;
  progress({ line: 400, lines: 10_000 });
  expect(written).toBe('');
  now = 5000;
  progress({ line: 2000, lines: 10_000 });
  expect(written).toBe('取り込み中 2,000/10,000 行, 400 行/秒, 残り約 20 秒 (importing: line 2000 of 10000, 400 lines/s, ETA 20 s)\n');

  const tty = Object.assign(new PassThrough(), { isTTY: true });
  let shown = '';
  tty.on('data', (d: Buffer) => (shown += d.toString('utf8')));
  now = 0;
  const live = progressPrinter(tty, () => now);
  now = 250;
  live({ line: 100, lines: 200 });
  live.done();
  expect(shown).toBe('\r取り込み中 100/200 行, 400 行/秒, 残り約 1 秒 (importing: line 100 of 200, 400 lines/s, ETA 1 s)\n');
});
