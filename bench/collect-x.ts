// npx tsx bench/collect-x.ts [posts] [perPage] — the source side of the X benchmark: collecting
// from the fake X over real HTTP on 127.0.0.1 through http.ts and the X collector (query, paging,
// mapping, cursors), without the database. The lead's DB benchmark adds storing and analysis;
// this says how much of the 60 s budget collection itself takes.
import { pino } from 'pino';
import { parseXConfig } from '../src/sources/x/config.ts';
import { collectX } from '../src/sources/x/collector.ts';
import type { SourceRuntime, WatchTargetSpec } from '../src/sources/types.ts';
import { XFake } from '../test/fakes/x-fake.ts';

const total = Number(process.argv[2] ?? 100_000);
const perPage = Number(process.argv[3] ?? 100);
const fake = new XFake({ rateLimit: { limit: 1_000_000, windowSeconds: 900 } });
await fake.start();
try {
  const author = fake.addUser({ username: 'patient_a', name: '患者A' });
  const start = Date.now() - total * 1000;
  for (let i = 0; i < total; i += 1) {
    fake.addTweet({
      text: `さくら内科クリニックの受付で${i % 60}分待たされた。院長の説明は丁寧だった #${i}`,
      author, createdAt: new Date(start + i * 1000), metrics: { like_count: i % 17, retweet_count: i % 5, impression_count: i },
    });
  }
  const target: WatchTargetSpec = { id: 'bench', names: ['さくら内科クリニック'], keywords: [], handles: {}, exclusions: [] };
  const config = parseXConfig({ baseUrl: fake.baseUrl, bearerTokenEnv: 'X_BEARER_TOKEN', maxResults: perPage, maxPagesPerRun: 10_000 });
  const runtime: SourceRuntime = {
    fetch: globalThis.fetch,
    secret: () => fake.token,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
  };
  const started = performance.now();
  let pages = 0;
  let mentions = 0;
  let cursorBytes = 0;
  for await (const page of collectX({ config, cursor: null, targets: [target], runtime })) {
    pages += 1;
    mentions += page.mentions.length;
    cursorBytes = JSON.stringify(page.cursor).length;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({
    posts: total, pages, mentions, seconds: Number(seconds.toFixed(2)),
    postsPerSecond: Math.round(mentions / seconds), msPerPage: Number(((seconds * 1000) / pages).toFixed(2)), cursorBytes,
  }));
  if (mentions !== total) {
    console.error(`expected ${total} mentions, collected ${mentions}`);
    process.exitCode = 1;
  }
} finally {
  await fake.close();
}
