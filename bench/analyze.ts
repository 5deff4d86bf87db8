// Speed of text analysis (issue 3): posts per second on one core, end to end (normalise, one
// kuromoji tokenisation, sentiment, risks, PII, terms), against kuromoji's tokenising alone, on
// ~100-character posts assembled from our clinic test set; plus the peak RSS of the process.
// usage: npm run bench:analyze [-- POSTS]   (default 20,000 posts after a 2,000-post warm-up)
import { readFileSync } from 'node:fs';
import { loadAnalyzer } from '../src/analysis/index.ts';
import { normalizeText } from '../src/analysis/normalize.ts';
import { loadTokenizer } from '../src/analysis/tokenizer.ts';

const count = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(count) || count < 100) throw new Error('POSTS must be an integer ≥ 100');
const targetChars = 100;

const sentences = readFileSync(new URL('../test/fixtures/clinic-posts.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t')[4]!);

// Deterministic, so runs compare: each post is random test-set sentences joined up to ~100 chars.
let seed = 20261125;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
function makePost(): string {
  let post = '';
  while (post.length < targetChars) post += sentences[Math.floor(random() * sentences.length)]!;
  // Never end on half an emoji: raw kuromoji (measured alone below) throws on a lone surrogate.
  const code = post.charCodeAt(targetChars - 1);
  return post.slice(0, code >= 0xd800 && code <= 0xdbff ? targetChars - 1 : targetChars);
}
const posts = Array.from({ length: count }, makePost);
const warmup = Array.from({ length: 2000 }, makePost);

type Subject = { name: string; fn: (text: string) => unknown; seconds: number[] };

// The machine is shared: measure the subjects in alternating rounds and report the median round,
// so a burst of someone else's work does not land on one subject only.
function measure(subjects: Subject[], rounds: number): void {
  for (const s of subjects) for (const p of warmup) s.fn(p);
  const perRound = Math.ceil(posts.length / rounds);
  for (let r = 0; r < rounds; r++) {
    const slice = posts.slice(r * perRound, (r + 1) * perRound);
    for (const s of subjects) {
      const t0 = process.hrtime.bigint();
      for (const p of slice) s.fn(p);
      s.seconds.push(Number(process.hrtime.bigint() - t0) / 1e9 / slice.length);
    }
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const t0 = performance.now();
const analyzer = await loadAnalyzer();
const tokenizer = await loadTokenizer();
console.log(`load (kuromoji + data)             ${(performance.now() - t0).toFixed(0)} ms`);
console.log(
  `${posts.length.toLocaleString('en')} posts, mean ${(posts.reduce((s, p) => s + p.length, 0) / posts.length).toFixed(0)} chars, one core`,
);

const subjects: Subject[] = [
  { name: 'kuromoji tokenize only', fn: (t) => tokenizer.tokenize(t), seconds: [] },
  { name: 'normalise + tokenize', fn: (t) => tokenizer.tokenize(normalizeText(t).text), seconds: [] },
  { name: 'analyze() end to end', fn: (t) => analyzer.analyze(t), seconds: [] },
];
measure(subjects, 10);
for (const s of subjects) {
  const perPost = median(s.seconds);
  console.log(
    `${s.name.padEnd(26)} ${Math.round(1 / perPost)
      .toLocaleString('en')
      .padStart(8)} posts/s  ${(perPost * 1e6).toFixed(1).padStart(8)} µs/post (median of 10 rounds)`,
  );
}
const [tokenizeOnly, , full] = subjects.map((s) => median(s.seconds));
console.log(`analysers add ${(100 * (full! / tokenizeOnly! - 1)).toFixed(0)}% on top of tokenising`);
console.log(
  `load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${(await import('node:os')).cpus().length} cores (others' work slows every figure)`,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
