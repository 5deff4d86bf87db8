// Speed of flare-up detection (issue 4): one bucket update for one target (goal ≤ 1 ms) and
// `hinoko detect` over a 16,000-row series, whole process including tsx start-up (goal ≤ 2 s).
// usage: npm run bench:detect [-- series.csv]   (default: a seeded synthetic 5-minute series)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDetectorSettings, initialDetectorState, stepDetector, type BucketSignal } from '../src/detection/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rows = 16_000;

function syntheticCsv(): string {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const lines = ['timestamp,value,negative'];
  const start = Date.UTC(2015, 1, 26, 21, 40);
  for (let i = 0; i < rows; i++) {
    const mean = 60 + 40 * Math.sin((2 * Math.PI * i) / 288) + (i % 3000 < 6 ? 2000 : 0);
    const value = Math.max(0, Math.round(mean + Math.sqrt(mean) * (random() + random() + random() - 1.5) * 2));
    lines.push(`${new Date(start + i * 300_000).toISOString().replace('T', ' ').slice(0, 19)},${value},${Math.round(value * 0.2)}`);
  }
  return lines.join('\n') + '\n';
}

const input = process.argv[2];
const file = input ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hinoko-bench-')), 'series.csv');
if (!input) fs.writeFileSync(file, syntheticCsv());

// Per-bucket update: full signals (sentiment, reach, critical terms) through stepDetector.
const settings = defaultDetectorSettings(300_000);
const signals: BucketSignal[] = Array.from({ length: rows }, (_, i) => ({
  start: new Date(Date.UTC(2026, 0, 1) + i * 300_000),
  count: 50 + (i % 17),
  negative: 8 + (i % 5),
  positive: 20,
  riskHits: { 医療事故: i % 50 === 0 ? 1 : 0 },
  reach: { reposts: i % 40, quotes: i % 7, replies: i % 11 },
  criticalTerms: i % 4000 === 0 ? ['医療ミス'] : [],
}));
let state = initialDetectorState(settings);
for (const s of signals.slice(0, 2000)) state = stepDetector(state, s, settings).state; // warm the JIT
state = initialDetectorState(settings);
const t0 = performance.now();
for (const s of signals) state = stepDetector(state, s, settings).state;
const perBucketMs = (performance.now() - t0) / rows;

// Whole process, three runs, median.
const times: number[] = [];
let lines = 0;
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/hinoko.mjs'), 'detect', '--input', file], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  times.push(performance.now() - started);
  if (r.status !== 0) throw new Error(`hinoko detect failed: ${r.stderr}`);
  lines = r.stdout.trim().split('\n').length - 1;
}
times.sort((a, b) => a - b);

// The same work in a process that loads only src/detection: what `hinoko detect` costs once the
// CLI registry stops importing every other command (database, hono …) at start-up.
const bare: number[] = [];
const script = `const d = await import('./src/detection/index.ts'); const fs = await import('node:fs');
process.stdout.write(d.formatVerdictCsv(d.detectSeries(d.parseVolumeCsv(fs.readFileSync(${JSON.stringify(file)}, 'utf8')))));`;
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  bare.push(performance.now() - started);
  if (r.status !== 0) throw new Error(`detection-only run failed: ${r.stderr}`);
}
bare.sort((a, b) => a - b);
const inputRows = fs.readFileSync(file, 'utf8').trim().split('\n').length - 1;
console.log(`per-bucket update (stepDetector, ${rows} buckets): ${(perBucketMs * 1000).toFixed(1)} µs  (goal ≤ 1000 µs)`);
console.log(
  `hinoko detect, ${inputRows} rows → ${lines} rows, whole process: median ${(times[1]! / 1000).toFixed(2)} s, runs ${times.map((t) => (t / 1000).toFixed(2)).join(' / ')} s  (goal ≤ 2 s)`,
);
console.log(
  `detection modules only (node --import tsx), whole process: median ${(bare[1]! / 1000).toFixed(2)} s; machine load ${os.loadavg()[0]!.toFixed(1)}`,
);
if (!input) fs.rmSync(path.dirname(file), { recursive: true });
