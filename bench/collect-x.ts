// npm run bench:collect [-- posts] [perPage] [--source-only | --no-analysis]
//
// Issue 5, "Speed": the fake X serves 100,000 posts in pages of 100 (the API maximum); one
// manual runSource collects them all into a fresh Postgres database with analysis on — real
// HTTP on 127.0.0.1, http.ts and the X collector (query, paging, mapping, cursors), then per
// page normalise → analyse (kuromoji) → store with the cursor in one transaction, the same path
// a scheduled run takes. Target: ≤ 60 s.
//
// --source-only measures the collector alone (no database, no analysis): how much of the
// budget fetching and mapping take. --no-analysis stores without analysing: with the full run,
// it splits the time between storing and analysis.
import { pino } from 'pino';
import { loadAnalyzer } from '../src/analysis/index.ts';
import { runSource } from '../src/collection/run-source.ts';
import { addSource } from '../src/collection/sources.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { createOrganization, createWatchTarget } from '../src/organizations/organizations.ts';
import { parseXConfig } from '../src/sources/x/config.ts';
import { collectX } from '../src/sources/x/collector.ts';
import type { SourceRuntime, WatchTargetSpec } from '../src/sources/types.ts';
import { XFake } from '../test/fakes/x-fake.ts';
import { benchDatabase } from './db.ts';

const args = process.argv.slice(2);
const sourceOnly = args.includes('--source-only');
const analysisOn = !args.includes('--no-analysis');
const [totalArg, perPageArg] = args.filter((a) => !a.startsWith('--'));
const total = Number(totalArg ?? 100_000);
const perPage = Number(perPageArg ?? 100);
const clinic = 'さくら内科クリニック';

// Posts of the kinds a clinic sees, so analysis works on realistic text (sentiment words, risk
// vocabulary, numbers, a name now and then), not on one repeated sentence.
const templates = [
  (i: number) => `${clinic}の受付で${i % 60}分待たされた。院長の説明は丁寧だった`,
  (i: number) => `${clinic}、看護師さんが優しくて子どもも泣かなかった。また行きます #${i % 97}`,
  (i: number) => `${clinic}の対応が最悪。電話しても誰も出ないし予約も取れない（${i}回目）`,
  (_i: number) => `今日${clinic}で健康診断。採血がうまくて全然痛くなかった`,
  (_i: number) => `${clinic}で処方された薬を飲んだら副作用っぽい症状が出た…不安`,
  (i: number) => `${clinic}のスタッフがSNSに患者の話を書いてるって本当？炎上しそう ${i % 13}`,
  (i: number) => `駐車場が狭いけど${clinic}は土曜も${9 + (i % 3)}時から開いてて助かる`,
  (i: number) => `${clinic}の会計で${1000 + (i % 50) * 10}円。領収書の名前が間違ってた`,
];

const fake = new XFake({ rateLimit: { limit: 1_000_000, windowSeconds: 900 } });
await fake.start();
try {
  const authors = Array.from({ length: 200 }, (_, i) => fake.addUser({ username: `patient_${i}`, name: `患者${i}` }));
  const start = Date.now() - total * 1000;
  for (let i = 0; i < total; i += 1) {
    fake.addTweet({
      text: templates[i % templates.length]!(i),
      author: authors[i % authors.length],
      createdAt: new Date(start + i * 1000),
      metrics: { like_count: i % 17, retweet_count: i % 5, impression_count: i },
    });
  }
  if (sourceOnly) await benchSource();
  else await benchRunSource();
} finally {
  await fake.close();
}

async function benchRunSource(): Promise<void> {
  const db = await benchDatabase();
  try {
    const loadStarted = performance.now();
    const analyzer = analysisOn ? await loadAnalyzer() : null;
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // The fake listens on 127.0.0.1: the operator's allow list and URL override say so.
    const config = loadConfig({ HINOKO_OUTBOUND_ALLOW: '127.0.0.1', HINOKO_SOURCE_URL_OVERRIDES: 'x' });
    const ctx = createContext({ config, sql: db.sql, db: db.db, analyzer, log: pino({ level: 'silent' }) });
    const org = await createOrganization(db, { name: 'bench', slug: 'bench' });
    await createWatchTarget(db, org.id, { name: clinic, names: [clinic], keywords: [], handles: {}, exclusions: [] });
    const source = await addSource(ctx, {
      orgId: org.id,
      type: 'x',
      name: 'bench x',
      config: { baseUrl: fake.baseUrl, maxResults: perPage, maxPagesPerRun: 10_000 },
      credentials: { bearerToken: fake.token },
    });

    const started = performance.now();
    const outcome = await runSource(ctx, { sourceId: source.id, trigger: 'manual' });
    const seconds = (performance.now() - started) / 1000;

    const [stored] = await db.sql<{ n: number; analysed: number }[]>`
      select count(*)::int as n, count(analysis)::int as analysed from mentions where source_id = ${source.id}`;
    const pages = outcome.status === 'succeeded' || outcome.status === 'failed' ? outcome.pages : 0;
    console.log(
      `bench:collect on ${db.where}: ${total.toLocaleString()} posts from the fake X in ${pages} pages of ${perPage}, analysis ${analysisOn ? 'on' : 'OFF'} — ` +
        `${seconds.toFixed(2)} s, ${Math.round(total / seconds).toLocaleString()} posts/s (target ≤ 60 s; analyzer load ${loadSeconds.toFixed(1)} s not counted)`,
    );
    console.log(
      JSON.stringify({
        posts: total,
        pages,
        seconds: Number(seconds.toFixed(2)),
        postsPerSecond: Math.round(total / seconds),
        stored: stored!.n,
        analysed: stored!.analysed,
        status: outcome.status,
      }),
    );
    if (outcome.status !== 'succeeded' || stored!.n !== total || stored!.analysed !== (analysisOn ? total : 0)) {
      console.error(
        `expected ${total} stored and analysed, got ${stored!.n} stored, ${stored!.analysed} analysed (run ${outcome.status}${'error' in outcome && outcome.error ? `: ${outcome.error}` : ''})`,
      );
      process.exitCode = 1;
    }
  } finally {
    await db.dispose();
  }
}

async function benchSource(): Promise<void> {
  const target: WatchTargetSpec = { id: 'bench', names: [clinic], keywords: [], handles: {}, exclusions: [] };
  const config = parseXConfig({ baseUrl: fake.baseUrl, maxResults: perPage, maxPagesPerRun: 10_000 });
  const runtime: SourceRuntime = {
    fetch: globalThis.fetch,
    secret: () => fake.token,
    hasSecret: () => true,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    signal: new AbortController().signal,
    log: pino({ level: 'silent' }),
    // X needs no session (an app bearer token).
    session: { load: async () => null, save: async () => {} },
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
  console.log(
    JSON.stringify({
      mode: 'source-only',
      posts: total,
      pages,
      mentions,
      seconds: Number(seconds.toFixed(2)),
      postsPerSecond: Math.round(mentions / seconds),
      msPerPage: Number(((seconds * 1000) / pages).toFixed(2)),
      cursorBytes,
    }),
  );
  if (mentions !== total) {
    console.error(`expected ${total} mentions, collected ${mentions}`);
    process.exitCode = 1;
  }
}
