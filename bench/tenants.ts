// npm run bench:tenants — a thousand clinics on one machine (issue 18 item 1). The whole service
// (startService: scheduler, collection, analysis, detection, incidents, mail over SMTP,
// escalation, retention) runs against its own database for BENCH_MINUTES (15) of wall-clock time,
// with 1,000 clinics (demo streams of about 30 posts an hour each, shaped by the JST day) and 10
// large organisations (5,000 an hour), every source collected every 10 s (staggered over the 10 s). A few clinics flare up
// during the run, so alerts, incidents, pages and escalations happen as they would.
//
// The streams follow the JST day, so a run at 03:00 JST would be a quiet night. The bench runs
// the busiest hour instead: each stream's rate is raised by (busiest hour's activity / now's), so
// the load is that of the busiest hour of the week whatever the hour of the run.
//
// Measured, from outside the service's code:
// - detection: for each 5-minute bucket that ends during the run, when every series had judged it
//   (detector_states), against when the bucket settled (a minute after its end for late posts,
//   SETTLE_MS, and every source had committed a run begun after its end) — the goal is 20 s;
// - collection lag: every 5 s, the longest time since a source's last successful run (what
//   hinoko_collection_lag_seconds exports), and each new post's collected_at − posted_at;
// - errors: failed collection runs and the service log's error lines; memory: RSS and the heap after a
//   full GC each 30 s; CPU of this process and of the Postgres server; the database's size.
//
// BENCH_MINUTES, BENCH_CLINICS (1000), BENCH_LARGE (10), BENCH_FLARES (5) change the shape.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemActor } from '../src/audit/record.ts';
import { createUser } from '../src/auth/create-user.ts';
import { addSource } from '../src/collection/sources.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { SETTLE_MS } from '../src/detection-pass/run-detection.ts';
import { jstCalendarDay } from '../src/display.ts';
import { logger } from '../src/logger.ts';
import { startService } from '../src/main.ts';
import { savePolicy } from '../src/oncall/save-policy.ts';
import { saveSchedule } from '../src/oncall/save-schedule.ts';
import { createOrganization, createWatchTarget } from '../src/organizations/organizations.ts';
import { ephemeralServerKeys } from '../src/secrets/server-keys.ts';
import { activity } from '../src/sources/demo/index.ts';
import { startSmtpFake } from '../test/fakes/smtp-fake.ts';
import { benchDatabase, percentile, postgresCpuSeconds } from './db.ts';

// The service logs to file descriptor 1 (pino writes to it directly): the bench runs itself as
// a child whose standard output is a file, and counts the error lines in it afterwards.
if (process.env.BENCH_TENANTS_LOG === undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-bench-log-'));
  const file = path.join(dir, 'service.log');
  const out = openSync(file, 'w');
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['ignore', out, 'inherit'],
    env: { ...process.env, BENCH_TENANTS_LOG: file },
  });
  closeSync(out);
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = (level: number) => lines.filter((l) => Number(/^\{"level":(\d+)/.exec(l)?.[1]) === level);
  const errors = [...at(50), ...at(60)];
  process.stderr.write(`  service log: ${errors.length} errors, ${at(40).length} warnings (${file})\n`);
  for (const e of errors.slice(0, 5)) process.stderr.write(`    ${e.slice(0, 300)}\n`);
  process.exit(child.status ?? 1);
}

const minutes = Number(process.env.BENCH_MINUTES ?? 15);
const clinics = Number(process.env.BENCH_CLINICS ?? 1000);
const large = Number(process.env.BENCH_LARGE ?? 10);
const flares = Number(process.env.BENCH_FLARES ?? 5);
const BUCKET_MS = 5 * 60_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// The busiest hour of the week, against now.
let busiest = 0;
for (let h = 0; h < 24 * 7; h++) busiest = Math.max(busiest, activity(new Date(Date.now() + h * 3_600_000)));
const lift = busiest / activity(new Date());
const rate = (perHour: number) => Math.min(100_000, Math.round(perHour * lift * 100) / 100);

const db = await benchDatabase();
const smtp = await startSmtpFake();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-bench-tenants-'));
const env = {
  DATABASE_URL: db.url,
  HINOKO_DATA_DIR: dataDir,
  HINOKO_DEMO: 'off',
  PORT: '0',
  SMTP_URL: smtp.url,
  HINOKO_LOG_LEVEL: 'warn',
  HINOKO_MAIL_FROM: 'alerts@hinoko.example.jp',
  HINOKO_PUBLIC_URL: 'http://127.0.0.1:8787',
};
const config = loadConfig(env);
const say = (line: string) => process.stderr.write(`${line}\n`);

// --- 1. The organisations, their streams and (for the flaring ones) on-call. ---
const seedCtx = createContext({ config, sql: db.sql, db: db.db, keys: ephemeralServerKeys() });
const startAt = new Date();
let seeded = 0;
const orgs: { id: string; large: boolean; flare: boolean }[] = [];
const seedOne = async (i: number) => {
  const isLarge = i >= clinics;
  const flare = !isLarge && i < flares;
  const org = await createOrganization(seedCtx, { name: `${isLarge ? '大病院' : 'クリニック'} ${i}`, slug: `t-${i}` });
  const target = await createWatchTarget(seedCtx, org.id, {
    name: `テスト内科 ${i}`,
    names: ['テスト内科', 'テストクリニック'],
    keywords: [],
    handles: {},
    exclusions: [],
  });
  await addSource(seedCtx, {
    orgId: org.id,
    type: 'demo',
    name: 'stream',
    // Every 10 s, the sources spread over the ten seconds (as an operator of many clinics would
    // set them): all on the same second, each tick starts 1,010 runs at once.
    schedule: `${[0, 10, 20, 30, 40, 50].map((t) => t + (i % 10)).join(',')} * * * * *`,
    config: {
      seed: 1000 + i,
      postsPerHour: rate(isLarge ? 5000 : 30),
      flareAt: null, // set once the measured window is known
      // Baselines for the detector: a day of history for the flaring clinics, an hour elsewhere.
      backfillHours: flare ? 24 : 1,
      watchTargetId: target.id,
    },
  });
  if (flare) {
    const { user } = await createUser(
      seedCtx,
      org.id,
      { name: `当番 ${i}`, email: `oncall-${i}@clinic.example.jp`, role: 'admin' },
      systemActor,
    );
    const schedule = await saveSchedule(
      seedCtx,
      org.id,
      null,
      {
        name: '当番',
        definition: {
          rotation: {
            userIds: [user.id],
            lengthDays: 7,
            handoffTime: '09:00',
            startDate: jstCalendarDay(new Date(startAt.getTime() - 86_400_000)),
          },
          restDayRotation: null,
        },
      },
      systemActor,
    );
    // Nobody acknowledges in the bench: the page escalates to the director after 3 minutes.
    await savePolicy(
      seedCtx,
      org.id,
      {
        levels: [
          { timeoutMinutes: 3, targets: [{ type: 'schedule', scheduleId: schedule.id }] },
          { timeoutMinutes: 30, targets: [{ type: 'address', address: `director-${i}@clinic.example.jp` }] },
        ],
        repeat: 1,
      },
      systemActor,
    );
  }
  orgs.push({ id: org.id, large: isLarge, flare });
  seeded++;
};
{
  const queue = Array.from({ length: clinics + large }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) await seedOne(i);
    }),
  );
}
const effective = (perHour: number, at = new Date()) => Math.round(rate(perHour) * activity(at));
say(`seeded ${seeded} organisations (${clinics} clinics at ${effective(30)}/h, ${large} large at ${effective(5000)}/h now)`);

// --- 2. The service. Its first passes collect the backfill; the measured window starts after. ---
logger.level = 'warn';

const service = await startService(config, process.stderr);
const sql = db.sql;
say('service started; waiting for the backfill to be collected');
for (;;) {
  const [r] = await sql<{ waiting: number }[]>`select count(*)::int as waiting from sources where enabled and last_success_at is null`;
  if (r!.waiting === 0) break;
  await new Promise((r) => setTimeout(r, 2000));
}
// Start on the next bucket boundary, so every bucket of the window is whole.
const windowStart = Math.ceil(Date.now() / BUCKET_MS) * BUCKET_MS;
// The flaring clinics flare a minute into the window.
const flareAt = new Date(windowStart + 60_000).toISOString();
await sql`
  update sources set config = jsonb_set(config, '{flareAt}', to_jsonb(${flareAt}::text))
  where org_id = any(${orgs.filter((o) => o.flare).map((o) => o.id)}::bigint[])`;
say(`backfill collected at ${new Date().toISOString()}; measuring from ${new Date(windowStart).toISOString()} for ${minutes} min`);
await new Promise((r) => setTimeout(r, windowStart - Date.now()));

// --- 3. The measured window. ---
const [size0] = await sql<{ bytes: string }[]>`select pg_database_size(current_database())::text as bytes`;
const cpu0 = process.cpuUsage();
const pgCpu0 = postgresCpuSeconds();
const [posts0] = await sql<{ n: number }[]>`select count(*)::int as n from mentions`;
const lagSamples: number[] = [];
const memory: { at: number; rss: number; heap: number }[] = [];
const series = new Map<number, number>(); // bucket start → when every series had judged it
const windowEnd = windowStart + minutes * 60_000;
const lagTimer = setInterval(() => {
  void sql<{ lag: number }[]>`
    select coalesce(max(extract(epoch from now() - coalesce(last_success_at, created_at))), 0)::float8 as lag from sources where enabled`.then(
    ([r]) => lagSamples.push(r!.lag),
    () => {},
  );
}, 5_000);
const memTimer = setInterval(() => {
  gc();
  const m = process.memoryUsage();
  memory.push({ at: Date.now(), rss: m.rss, heap: m.heapUsed });
}, 30_000);
const judgeTimer = setInterval(() => {
  void sql<{ oldest: Date | null; n: number }[]>`
    select min(last_bucket_start) as oldest, count(*)::int as n from detector_states where bucket_ms = ${BUCKET_MS}`.then(
    ([r]) => {
      if (!r?.oldest) return;
      const judged = r.oldest.getTime();
      for (let b = windowStart - BUCKET_MS; b <= judged; b += BUCKET_MS)
        if (!series.has(b) && b >= windowStart - BUCKET_MS) series.set(b, Date.now());
    },
    () => {},
  );
}, 1_000);
// The window's last bucket settles SETTLE_MS after the window; then a little more to judge it.
while (Date.now() < windowEnd + SETTLE_MS + 30_000) await new Promise((r) => setTimeout(r, 1_000));
clearInterval(lagTimer);
clearInterval(memTimer);
clearInterval(judgeTimer);
const cpu = process.cpuUsage(cpu0);
const pgCpu = postgresCpuSeconds() - pgCpu0;
const elapsed = (Date.now() - windowStart) / 1000;

// --- 4. What happened. ---
const buckets: { bucket: string; settledS: number | null; judgedS: number | null; afterSettleS: number | null }[] = [];
for (let b = windowStart - BUCKET_MS; b + BUCKET_MS <= windowEnd; b += BUCKET_MS) {
  const end = new Date(b + BUCKET_MS);
  // Settled: every enabled source has committed a run that began after the bucket's end.
  const [s] = await sql<{ settled: Date | null; missing: number }[]>`
    select max(first_done) as settled, count(*) filter (where first_done is null)::int as missing
    from (
      select s.id, (select min(r.finished_at) from collector_runs r
        where r.org_id = s.org_id and r.source_id = s.id and r.status = 'succeeded' and r.started_at >= ${end}) as first_done
      from sources s where s.enabled
    ) per_source`;
  const judged = series.get(b) ?? null;
  // A bucket is judged once it is over by SETTLE_MS (late posts) and every source has covered it.
  const settled = s!.missing === 0 && s!.settled ? Math.max(s!.settled.getTime(), end.getTime() + SETTLE_MS) : null;
  buckets.push({
    bucket: end.toISOString().slice(11, 16),
    settledS: settled === null ? null : (settled - end.getTime()) / 1000,
    judgedS: judged === null ? null : (judged - end.getTime()) / 1000,
    afterSettleS: judged === null || settled === null ? null : Math.max(0, (judged - settled) / 1000),
  });
}
const [seriesCount] = await sql<{ n: number }[]>`select count(*)::int as n from detector_states where bucket_ms = ${BUCKET_MS}`;
const postLag = (
  await sql<{ s: number }[]>`
    select extract(epoch from collected_at - posted_at)::float8 as s from mentions
    where collected_at >= ${new Date(windowStart)} and collected_at < ${new Date(windowEnd)} and posted_at >= ${new Date(windowStart - 60_000)}`
)
  .map((r) => r.s)
  .sort((a, b) => a - b);
const [runs] = await sql<{ ok: number; failed: number; skipped: number }[]>`
  select count(*) filter (where status = 'succeeded')::int as ok, count(*) filter (where status = 'failed')::int as failed,
    count(*) filter (where status = 'skipped')::int as skipped
  from collector_runs where started_at >= ${new Date(windowStart)} and started_at < ${new Date(windowEnd)}`;
const failures = await sql<{ error: string; n: number }[]>`
  select left(coalesce(error, ''), 300) as error, count(*)::int as n from collector_runs
  where status = 'failed' and started_at >= ${new Date(windowStart)} and started_at < ${new Date(windowEnd)}
  group by 1 order by 2 desc limit 5`;
const alertKinds = await sql<{ severity: number; flaring: boolean; n: number }[]>`
  select e.severity, e.org_id = any(${orgs.filter((o) => o.flare).map((o) => o.id)}::bigint[]) as flaring, count(*)::int as n
  from alert_events e where e.created_at >= ${new Date(windowStart)} and e.action in ('open', 'escalate', 'reopen')
  group by 1, 2 order by 2 desc, 1`;
const [posts1] = await sql<{ n: number }[]>`select count(*)::int as n from mentions`;
const flaring = orgs.filter((o) => o.flare).map((o) => o.id);
// Alerts opened while measured (the backfill's own are before the window), in flaring clinics and elsewhere.
const [alerts] = await sql<{ n: number; flaring: number; others: number; before: number }[]>`
  select count(*) filter (where e.created_at >= ${new Date(windowStart)})::int as n,
    count(distinct e.org_id) filter (where e.created_at >= ${new Date(windowStart)} and e.org_id = any(${flaring}::bigint[]))::int as flaring,
    count(distinct e.org_id) filter (where e.created_at >= ${new Date(windowStart)} and not e.org_id = any(${flaring}::bigint[]))::int as others,
    count(distinct e.org_id) filter (where e.created_at < ${new Date(windowStart)})::int as before
  from alert_events e where e.action = 'open'`;
const [incidents] = await sql<{ n: number }[]>`select count(*)::int as n from incidents where created_at >= ${new Date(windowStart)}`;
const mail = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from mail_outbox group by 1 order by 1`;
const [escalated] = await sql<{ n: number }[]>`select count(*)::int as n from incident_escalations where level >= 2`;
const [size1] = await sql<{ bytes: string }[]>`select pg_database_size(current_database())::text as bytes`;
const [mentionsSize] = await sql<{ bytes: string }[]>`
  select coalesce(sum(pg_total_relation_size(c.oid)), 0)::text as bytes from pg_class c
  where c.relname like 'mentions%' and c.relkind = 'r'`;
await service.stop();
await smtp.close();
await db.dispose();
rmSync(dataDir, { recursive: true, force: true });

const mb = (b: number | string) => `${(Number(b) / 1024 / 1024).toFixed(0)} MB`;
const quarter = Math.max(1, Math.floor(memory.length / 4));
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const heapFirst = avg(memory.slice(0, quarter).map((m) => m.heap));
const heapLast = avg(memory.slice(-quarter).map((m) => m.heap));
const rssFirst = avg(memory.slice(0, quarter).map((m) => m.rss));
const rssLast = avg(memory.slice(-quarter).map((m) => m.rss));
const lagSorted = [...lagSamples].sort((a, b) => a - b);
const worstAfterSettle = Math.max(...buckets.map((b) => b.afterSettleS ?? Infinity));
const newPosts = posts1!.n - posts0!.n;
say('');
say(`bench:tenants — ${clinics} clinics + ${large} large organisations, ${minutes} min measured (${db.where}, ${os.cpus().length} cores)`);
say(
  `  load: ${effective(30, new Date(windowStart))} posts/h per clinic, ${effective(5000, new Date(windowStart))}/h per large one (the busiest JST hour of the week: the streams' rate ×${lift.toFixed(1)})`,
);
say(
  `  posts stored in the window: ${newPosts} (${(newPosts / elapsed).toFixed(1)}/s); collection runs: ${runs!.ok} succeeded, ${runs!.failed} failed, ${runs!.skipped} skipped (previous run still going)`,
);
say(`  detection (${seriesCount!.n} series; seconds after the bucket's end: settled / all judged / judged after settling):`);
for (const b of buckets) say(`    ${b.bucket} UTC  ${b.settledS ?? '—'} / ${b.judgedS ?? 'never'} / ${b.afterSettleS ?? '—'}`);
say(
  `  worst judged-after-settling: ${Number.isFinite(worstAfterSettle) ? `${worstAfterSettle.toFixed(1)} s` : 'a bucket was never judged'} (goal ≤ 20 s)`,
);
say(
  `  collection lag (longest since a source's last success, every 5 s): p50 ${percentile(lagSorted, 50).toFixed(1)} s, p95 ${percentile(lagSorted, 95).toFixed(1)} s, max ${lagSorted.at(-1)!.toFixed(1)} s (goal ≤ 15 s)`,
);
if (postLag.length > 0)
  say(
    `  post lag (collected − posted): p50 ${percentile(postLag, 50).toFixed(1)} s, p95 ${percentile(postLag, 95).toFixed(1)} s, max ${postLag.at(-1)!.toFixed(1)} s`,
  );
say(
  `  alerts opened in the window: ${alerts!.n} — in ${alerts!.flaring} of the ${flares} flaring clinics and ${alerts!.others} other organisations (${alerts!.before} organisations had alerts on their backfill, before the window); incidents ${incidents!.n}; escalated to level 2: ${escalated!.n}`,
);
say(
  `  alert events (open, escalate, reopen) in the window by severity: ${alertKinds.map((a) => `${a.flaring ? 'flaring' : 'other'} sev${a.severity} ×${a.n}`).join(', ')}`,
);
say(`  mail: ${mail.map((m) => `${m.status} ${m.n}`).join(', ') || 'none'}; received by SMTP: ${smtp.received.length}`);
say(`  errors: ${runs!.failed} failed runs (the service log's error lines are counted below)`);
for (const f of failures) say(`    failed run ×${f.n}: ${f.error}`);
say(
  `  CPU over the window: service ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)} % of a core, Postgres ${((pgCpu / elapsed) * 100).toFixed(0)} % (of ${os.cpus().length} cores)`,
);
say(
  `  memory: RSS ${mb(rssFirst)} → ${mb(rssLast)}, heap after GC ${mb(heapFirst)} → ${mb(heapLast)} (first and last quarter of ${memory.length} samples)`,
);
say(`  Postgres: ${mb(size0!.bytes)} → ${mb(size1!.bytes)} (mentions and their partitions ${mb(mentionsSize!.bytes)})`);
