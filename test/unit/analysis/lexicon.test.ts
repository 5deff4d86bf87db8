import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.ts';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';
import { buildLexicon, parseLexicon } from '../../../src/analysis/lexicon.ts';

describe('parseLexicon', () => {
  it('reads kinds, NFKC-normalises terms and skips comments and blank lines', () => {
    const entries = parseLexicon('# c\n\npolar\tｸﾞｯﾄﾞ\t2\nen\tGOOD\t1.5\nnegator\tない\n', 'x.tsv');
    expect(entries).toEqual([
      { kind: 'polar', term: 'グッド', value: 2 },
      { kind: 'en', term: 'good', value: 1.5 },
      { kind: 'negator', term: 'ない', value: 0 },
    ]);
  });

  it.each([
    ['polar\t良い\n', 'x.tsv:1', '値'],
    ['polar\t良い\t9\n', 'x.tsv:1', '-3〜3'],
    ['\n# ok\nfeeling\t良い\t1\n', 'x.tsv:3', 'unknown kind'],
    ['polar\t\t1\n', 'x.tsv:1', 'term missing'],
    ['contrast\tけど\t2\n', 'x.tsv:1', '0〜1'],
  ])('rejects %j with the file and line in the message', (content, where, words) => {
    let error: unknown;
    try {
      parseLexicon(content, 'x.tsv');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(where);
    expect((error as Error).message).toContain(words);
  });

  it('lets later entries override earlier ones', () => {
    const lex = buildLexicon(parseLexicon('polar\t普通\t0\npolar\t普通\t-1\n', 'x'));
    expect(lex.polar.get('普通')).toBe(-1);
  });
});

describe('loadAnalyzer with an extra lexicon', () => {
  let base: Analyzer;
  const dir = mkdtempSync(path.join(tmpdir(), 'hinoko-lex-'));
  beforeAll(async () => {
    base = await loadAnalyzer();
  });

  it('extends our lexicon and changes the version', async () => {
    const file = path.join(dir, 'extra.tsv');
    writeFileSync(file, '# clinic slang\npolar\tモフモフ院\t3\n');
    const extended = await loadAnalyzer({ lexiconExtraPath: file });
    expect(base.analyze('モフモフ院').sentiment.label).toBe('neutral');
    expect(extended.analyze('モフモフ院').sentiment.label).toBe('positive');
    expect(extended.version).not.toBe(base.version);
    expect(base.version).toMatch(/^lex-[0-9a-f]{16}$/);
  });

  it('is stable: the same data gives the same version', async () => {
    expect((await loadAnalyzer()).version).toBe(base.version);
  });

  it('names the file and line of a bad entry', async () => {
    const file = path.join(dir, 'bad.tsv');
    writeFileSync(file, 'polar\t良い\t1\npolar\t悪い\tとても\n');
    await expect(loadAnalyzer({ lexiconExtraPath: file })).rejects.toThrow(`${file}:2`);
    await expect(loadAnalyzer({ lexiconExtraPath: file })).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports a missing file as a ValidationError naming it', async () => {
    const file = path.join(dir, 'missing.tsv');
    await expect(loadAnalyzer({ lexiconExtraPath: file })).rejects.toThrow(file);
  });
});
