// Issue 16's figures on our own scenarios (test/unit/detection/flare-scenarios.ts), at the
// product's setting — a clinic of ~3 posts a day in 5-minute buckets — over more seeds than the
// tests run: how many positive bursts become a crisis, and how long after onset each 炎上 does.
// usage: npm run bench:flare [-- --seeds N]   (default 20 seeds per scenario)
import { poisson, replay, seededRandom } from '../test/unit/detection/synthetic.ts';
import {
  bucket,
  clinicSeries,
  crisisNotifications,
  fiveMinutes,
  flareUps,
  from,
  perHour,
  positiveBurst,
  rampPerBucket,
} from '../test/unit/detection/flare-scenarios.ts';

const seedsArg = process.argv.indexOf('--seeds');
const seedCount = seedsArg >= 0 ? Math.max(1, Number(process.argv[seedsArg + 1]) || 20) : 20;
const seeds = Array.from({ length: seedCount }, (_, i) => 101 + i);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const minutes = (buckets: number) => buckets * 5;

console.log(`positive bursts (notices expected), ${seedCount} seeds each`);
const burstOnset = 30 * 24 * perHour + 19 * perHour;
let bursts = 0;
let falseCrises = 0;
for (const scale of [1, 10, 100]) {
  for (const noise of [0.1, 0.15, 0.2]) {
    let crises = 0;
    for (const seed of seeds) {
      const r = replay(positiveBurst(seed, scale, noise, burstOnset), fiveMinutes);
      if (crisisNotifications(r).some((i) => i >= burstOnset)) crises++;
    }
    bursts += seeds.length;
    falseCrises += crises;
    console.log(
      `  ${String(scale).padStart(3)}× clinic volume, ${Math.round(noise * 100)} % lexicon-negative noise: ${crises}/${seeds.length} crises`,
    );
  }
}
console.log(`  false-crisis rate: ${falseCrises}/${bursts} (${((100 * falseCrises) / bursts).toFixed(1)} %)`);

console.log(`\n炎上 at clinic size (crisis expected within an hour), ${seedCount} seeds each`);
const onset = 30 * 24 * perHour + 10 * perHour + 3;
const allDelays: number[] = [];
for (const [name, plan] of Object.entries(flareUps)) {
  const delays: number[] = [];
  let missed = 0;
  for (const seed of seeds) {
    const r = replay(
      clinicSeries(seed, 33, onset, (k, random) => (k < 24 * perHour ? plan(k, random) : null)),
      fiveMinutes,
    );
    const first = crisisNotifications(r).find((i) => i >= onset);
    if (first === undefined) missed++;
    else delays.push(minutes(first - onset));
  }
  allDelays.push(...delays);
  console.log(
    `  ${name.padEnd(13)} crisis ${delays.length}/${seeds.length}, delay median ${median(delays)} min, max ${Math.max(...delays)} min${missed ? `, missed ${missed}` : ''}`,
  );
}

const newOrg: number[] = [];
const inside: number[] = [];
for (const seed of seeds) {
  const r = replay(
    clinicSeries(seed, 2, 10 * perHour, (k, random) =>
      k < 12 * perHour ? { count: poisson(random, rampPerBucket(k)), negativeShare: 0.6, reachPerNegative: 2 } : null,
    ),
    fiveMinutes,
  );
  const first = crisisNotifications(r).find((i) => i >= 10 * perHour);
  if (first !== undefined) newOrg.push(minutes(first - 10 * perHour));
  const random = seededRandom(seed);
  const signals = Array.from({ length: 6 * perHour }, (_, i) =>
    bucket(random, from + 10 * 3_600_000 + i * fiveMinutes, { count: poisson(random, 6 + i * 0.2), negativeShare: 0.65 }),
  );
  const crisis = crisisNotifications(replay(signals, fiveMinutes))[0];
  if (crisis !== undefined) inside.push(minutes(crisis));
}
allDelays.push(...newOrg);
console.log(
  `  new organisation, first-day 炎上: crisis ${newOrg.length}/${seeds.length}, delay median ${median(newOrg)} min, max ${Math.max(...newOrg)} min`,
);
console.log(
  `  series starting inside a 炎上: crisis ${inside.length}/${seeds.length}, after median ${median(inside)} min, max ${Math.max(...inside)} min of its first row`,
);
console.log(`\nmedian delay over every 炎上 above: ${median(allDelays)} min`);
