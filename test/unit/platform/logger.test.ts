import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream, text: () => text };
}

it('writes readable lines to a terminal and JSON elsewhere, with secrets redacted either way', () => {
  const tty = capture();
  createLogger(true, tty.stream).info({ sourceId: '7', token: 'abc-secret' }, 'collection finished');
  const line = tty.text();
  expect(line).toMatch(/INFO/);
  expect(line).toContain('collection finished');
  expect(line).toContain('sourceId');
  expect(line).not.toContain('abc-secret');
  expect(() => JSON.parse(line) as unknown).toThrow();

  const file = capture();
  createLogger(false, file.stream).info({ sourceId: '7', token: 'abc-secret' }, 'collection finished');
  expect(JSON.parse(file.text())).toMatchObject({ level: 30, msg: 'collection finished', sourceId: '7', token: '[redacted]' });
});
