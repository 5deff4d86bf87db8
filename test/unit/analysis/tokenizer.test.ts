import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import kuromoji from 'kuromoji';
import { expect, it } from 'vitest';
import { loadTokenizer, type Tokenizer } from '../../../src/analysis/tokenizer.ts';

function plainTokenizer(): Promise<Tokenizer> {
  const dicPath = path.join(path.dirname(createRequire(import.meta.url).resolve('kuromoji/package.json')), 'dict');
  return new Promise((resolve, reject) => kuromoji.builder({ dicPath }).build((err, t) => (err ? reject(err) : resolve(t))));
}

it('the sped-up tokenizer gives exactly the tokens of plain kuromoji', async () => {
  const [fast, plain] = await Promise.all([loadTokenizer(), plainTokenizer()]);
  const texts = readFileSync(new URL('../../fixtures/clinic-posts.tsv', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t')[4]!);
  // Long runs exercise the trie cut: a 300-character unpunctuated post, kana, Latin and emoji.
  texts.push(
    'あ'.repeat(300),
    `${'さくら内科クリニック'.repeat(20)}😀${'予約'.repeat(40)}`,
    'ｗ'.repeat(120),
    'A'.repeat(200) + '😀',
    texts.join(''),
  );
  for (const text of texts) expect(fast.tokenize(text)).toEqual(plain.tokenize(text));
}, 60_000);
