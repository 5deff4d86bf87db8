import { createRequire } from 'node:module';
import path from 'node:path';
import kuromoji from 'kuromoji';

export type Token = kuromoji.IpadicFeatures;
export type Tokenizer = kuromoji.Tokenizer<Token>;

let tokenizerPromise: Promise<Tokenizer> | null = null;

function dictionaryDir(): string {
  // Resolved from the installed package, not the working directory, so the CLI works anywhere.
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('kuromoji/package.json')), 'dict');
}

/**
 * The shared kuromoji tokenizer. Building it takes about a second and 300 MB, so it is built
 * once per process; every caller gets the same promise.
 */
export function loadTokenizer(): Promise<Tokenizer> {
  tokenizerPromise ??= new Promise<Tokenizer>((resolve, reject) => {
    kuromoji.builder({ dicPath: dictionaryDir() }).build((err, tokenizer) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(tokenizer);
    });
  }).catch((err: unknown) => {
    // A failed load must not poison the process: the next caller may retry.
    tokenizerPromise = null;
    throw err;
  });
  return tokenizerPromise;
}

/** The dictionary form, falling back to the surface for unknown words (basic_form is '*'). */
export function baseForm(token: Token): string {
  return token.basic_form === '*' ? token.surface_form : token.basic_form;
}
