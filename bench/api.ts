// npm run bench:api — with 1,000,000 mentions seeded in one org, time the API's mention list
// (newest first, filtered), the per-bucket count query and the overview end to end through the
// hono app. `npm run bench:api -- --concurrent` instead serves the app over HTTP and puts 50
// concurrent clients (autocannon, bench/load-client.mjs, its own process) on the mention feed and
// the counts for 30 s (issue 18: ≥ 400 requests/s, p95 ≤ 150 ms on one instance). BENCH_CONNECTIONS,
// BENCH_SECONDS and BENCH_PATHS (comma-separated) change the load; BENCH_PROFILE=FILE profiles the server.
import { systemActor } from '../src/audit/record.ts';
import { createUser } from '../src/auth/create-user.ts';
import { createUserToken } from '../src/auth/user-tokens.ts';
import { createSession } from '../src/auth/credentials.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { createApp } from '../src/server/app.ts';
import { seedMentions } from '../src/collection/seed.ts';
import { loadAnalyzer } from '../src/analysis/index.ts';
import { transitionIncident } from '../src/incidents/transition-incident.ts';
import { addOverride } from '../src/oncall/add-override.ts';
import { saveSchedule } from '../src/oncall/save-schedule.ts';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { benchDatabase, machineCpu, percentile, postgresCpuSeconds } from './db.ts';
import { connect, type DbHandle } from '../src/db/connect.ts';
import { ensureMonthPartitions } from '../src/db/partitions.ts';

const concurrent = process.argv.includes('--concurrent');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const count = Number(positional[0] ?? 1_000_000);
const runs = Number(positional[1] ?? 200);
const db = await benchDatabase();
let plans: DbHandle | undefined;
try {
  // The real analyzer: the seeded posts get their search words, and the feed's search splits queries with it.
  const ctx = { ...createContext({ config: loadConfig({}), sql: db.sql, db: db.db }), analyzer: await loadAnalyzer() };
  const seeded = await seedMentions(ctx, {
    count,
    days: 30,
    onProgress: (n) => process.stderr.write(`\rseeding ${n.toLocaleString()} / ${count.toLocaleString()}`),
  });
  process.stderr.write('\n');
  // The months the seeded posts fall in, as the service's start and daily job make them (the
  // posts waited in the default partition until now).
  await ensureMonthPartitions(db.sql, new Date());
  await db.sql`vacuum analyze`;
  // The feed's reused plans get their own pool, as openDatabase gives the service.
  plans = connect(db.url, { max: 10, applicationName: 'hinoko-read-plans', plans: 'generic' });
  const app = createApp({ ...ctx, readGenericSql: plans.sql });
  const org = seeded.orgId;
  const { user } = await createUser(ctx, org, { name: 'bench', email: `bench-${Date.now()}@example.com`, role: 'pr_staff' }, systemActor);
  const { token } = await createUserToken(ctx, org, user.id, { label: 'bench', scopes: ['read'], expiresAt: null }, systemActor);
  // The pages, as a signed-in person opens them (issue 14: overview ≤ 150 ms, incident page ≤ 100 ms).
  const session = await db.sql.begin((tx) => createSession(tx, ctx, { id: user.id, orgId: org }, new Date(), null));
  const [incident] = await db.sql<{ id: string }[]>`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at, created_at, updated_at)
    values (${org}, 'ベンチマーク用インシデント・深刻度4', 'active', 4, 1, now() - interval '1 hour', now(), now()) returning id`;
  const [alert] = await db.sql<{ id: string }[]>`
    insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
    values (${org}, 'bench', 'crisis', 'open', 4, 0.9, now() - interval '1 hour', now(), '否定的な投稿が急増',
      '{"volume": {"observed": 38, "expected": 2}, "fired": ["volume"], "riskCategories": [{"category": "接遇・態度", "count": 9}]}'::jsonb)
    returning id`;
  // A resolved incident with its post-mortem, drafted from the million posts as the service would.
  const [resolved] = await db.sql<{ id: string }[]>`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at, acknowledged_at, created_at, updated_at)
    values (${org}, 'ベンチマーク用・解決済み・深刻度3', 'active', 3, 1, now() - interval '3 hours', now() - interval '170 minutes', now(), now())
    returning id`;
  await transitionIncident(ctx, org, resolved!.id, { to: 'resolved' }, systemActor);
  // Some triage, as weeks of PR work leave it: 2,000 posts handled by the bench user, 300 needing a reply.
  await db.sql`
    insert into mention_triage (org_id, mention_id, status, posted_at, assignee_id, updated_by)
    select ${org}, id, case when random() < 0.13 then 'needs_reply' else 'handled' end, posted_at, ${user.id}, ${user.id}
    from mentions where org_id = ${org} order by random() limit 2300`;
  await db.sql`analyze mention_triage`;
  const [someMention] = await db.sql<
    { id: string }[]
  >`select id from mentions where org_id = ${org} order by posted_at desc offset 500 limit 1`;
  const [riskRow] = await db.sql<{ category: string; n: number }[]>`
    select r ->> 'category' as category, count(*)::int as n from mentions, jsonb_array_elements(analysis -> 'risks') r
    where org_id = ${org} group by 1 order by 2 asc limit 1`;
  const [piiCount] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from mentions where org_id = ${org} and jsonb_array_length(analysis -> 'pii') > 0`;
  console.log(`  (rarest risk category: ${riskRow?.category} on ${riskRow?.n} posts; posts with personal data: ${piiCount?.n})`);
  // An on-call schedule with a rotation and overrides, for the calendar page (issue 15: ≤ 100 ms).
  const rota = await saveSchedule(
    ctx,
    org,
    null,
    {
      name: 'bench',
      definition: { rotation: { userIds: [user.id], lengthDays: 7, handoffTime: '09:00', startDate: '2026-01-01' }, restDayRotation: null },
    },
    systemActor,
  );
  for (let d = 0; d < 20; d++) {
    const at = Date.now() + d * 86_400_000;
    await addOverride(ctx, org, rota.id, { userId: user.id, startsAt: new Date(at), endsAt: new Date(at + 8 * 3_600_000) }, systemActor);
  }
  const feed = (query: string) => `/mentions?${query}`;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: [string, () => string][] = [
    ['list newest 50', () => `/api/v1/organizations/${org}/mentions?limit=50`],
    ['list negative', () => `/api/v1/organizations/${org}/mentions?sentiment=negative&limit=50`],
    ['list by source', () => `/api/v1/organizations/${org}/mentions?sourceId=${seeded.sourceId}&limit=50`],
    [
      'list time range (random day)',
      () => {
        const from = now - Math.floor(Math.random() * 29) * 86_400_000 - 86_400_000;
        return `/api/v1/organizations/${org}/mentions?from=${iso(from)}&to=${iso(from + 86_400_000)}&limit=50`;
      },
    ],
    [
      'list negative in range',
      () => {
        const from = now - Math.floor(Math.random() * 29) * 86_400_000 - 86_400_000;
        return `/api/v1/organizations/${org}/mentions?sentiment=negative&from=${iso(from)}&to=${iso(from + 86_400_000)}&limit=50`;
      },
    ],
    ['list page 20 (keyset)', () => `/api/v1/organizations/${org}/mentions?limit=50&cursor=${deepCursor}`],
    ['counts 5m × 24h', () => `/api/v1/organizations/${org}/mention-counts?bucket=5m&from=${iso(now - 86_400_000)}&to=${iso(now)}`],
    ['counts 1h × 7d', () => `/api/v1/organizations/${org}/mention-counts?bucket=1h&from=${iso(now - 7 * 86_400_000)}&to=${iso(now)}`],
    ['counts 1d × 30d', () => `/api/v1/organizations/${org}/mention-counts?bucket=1d&from=${iso(now - 30 * 86_400_000)}&to=${iso(now)}`],
    // The wall screen's whole read (issue 14: p95 ≤ 150 ms server time).
    ['overview 24h', () => `/api/v1/organizations/${org}/overview`],
    ['overview 7d', () => `/api/v1/organizations/${org}/overview?hours=168`],
    ['page / (overview, HTML)', () => '/'],
    ['page /incidents', () => '/incidents'],
    ['page /incidents/{id}', () => `/incidents/${incident!.id}`],
    ['page /alerts', () => '/alerts'],
    ['page /alerts/{id}', () => `/alerts/${alert!.id}`],
    // The mention feed (issue 14: any one filter or a text search, p95 ≤ 200 ms).
    ['feed newest', () => feed('')],
    ['feed search 待ち時間', () => feed(`q=${encodeURIComponent('待ち時間')}`)],
    ['feed search 看護師 態度', () => feed(`q=${encodeURIComponent('看護師 態度')}`)],
    ['feed search (no match)', () => feed(`q=${encodeURIComponent('歯科矯正')}`)],
    ['feed sentiment negative', () => feed('sentiment=negative')],
    ['feed rarest risk category', () => feed(`risk=${encodeURIComponent(riskRow?.category ?? '医療過誤・誤診')}`)],
    ['feed has personal data', () => feed('hasPii=true')],
    ['feed triage handled', () => feed('triage=handled')],
    ['feed triage unhandled', () => feed('triage=unhandled')],
    ['feed by assignee', () => feed(`assigneeId=${user.id}`)],
    ['feed by source', () => feed(`sourceId=${seeded.sourceId}`)],
    ['feed last 24 h', () => feed('period=24h')],
    ['feed search + negative', () => feed(`q=${encodeURIComponent('待ち時間')}&sentiment=negative`)],
    ['page /mentions/{id}', () => `/mentions/${someMention!.id}`],
    // Issue 15: the post-mortem page ≤ 150 ms.
    ['page /postmortems', () => '/postmortems'],
    ['page /incidents/{id}/postmortem', () => `/incidents/${resolved!.id}/postmortem`],
    ['API search 待ち時間', () => `/api/v1/organizations/${org}/mentions?limit=50&q=${encodeURIComponent('待ち時間')}`],
    ['page /settings/oncall (calendar)', () => '/settings/oncall'],
  ];
  // Issue 15: the detection settings page replays 30 days (plus 14 of warm-up) for all three
  // sensitivities, ≤ 2 s; a few runs are enough to see it.
  const slowCases: [string, () => string][] = [['page /settings/detection (backtest)', () => '/settings/detection']];
  let deepCursor = '';
  {
    let cursor = '';
    for (let i = 0; i < 19; i++) {
      const res = await app.request(`/api/v1/organizations/${org}/mentions?limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      cursor = ((await res.json()) as { nextCursor: string }).nextCursor;
    }
    deepCursor = cursor;
  }
  if (concurrent) {
    await concurrentLoad(
      app,
      token,
      process.env.BENCH_PATHS?.split(',') ?? [
        `/api/v1/organizations/${org}/mentions?limit=50`,
        `/api/v1/organizations/${org}/mention-counts?bucket=5m&from=${iso(now - 86_400_000)}&to=${iso(now)}`,
        `/api/v1/organizations/${org}/mentions?sentiment=negative&limit=50`,
        `/api/v1/organizations/${org}/mention-counts?bucket=1h&from=${iso(now - 7 * 86_400_000)}&to=${iso(now)}`,
        `/api/v1/organizations/${org}/mentions?sourceId=${seeded.sourceId}&limit=50`,
        `/api/v1/organizations/${org}/mentions?limit=50&cursor=${deepCursor}`,
      ],
      seeded.inserted,
    );
  } else {
    await sequential();
  }
  async function sequential() {
    console.log(
      `bench:api on ${db.where}: ${seeded.inserted.toLocaleString()} mentions in one org (seeded in ${seeded.seconds.toFixed(1)} s, ${Math.round(seeded.inserted / seeded.seconds).toLocaleString()}/s); ${runs} requests per case through the hono app (auth + query + JSON)`,
    );
    for (const [name, path, n, warm] of [
      ...cases.map(([a, b]) => [a, b, runs, 10] as const),
      ...slowCases.map(([a, b]) => [a, b, 10, 2] as const),
    ]) {
      const times: number[] = [];
      for (let i = 0; i < n + warm; i++) {
        const t = performance.now();
        const url = path();
        const headers: Record<string, string> = url.startsWith('/api/')
          ? { authorization: `Bearer ${token}` }
          : { cookie: `hinoko_session=${session.id}` };
        const res = await app.request(url, { headers });
        if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        if (i >= warm) times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  ${name.padEnd(32)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms`,
      );
    }
  }
} finally {
  await plans?.close();
  await db.dispose();
}

/** Serves the app on a free loopback port and runs the load generator against it. */
async function concurrentLoad(app: ReturnType<typeof createApp>, token: string, paths: string[], mentions: number): Promise<void> {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const duration = Number(process.env.BENCH_SECONDS ?? 30);
  // Requests still being answered when the load generator exits must finish before the database goes.
  let inFlight = 0;
  const fetch = async (req: Request) => {
    inFlight++;
    try {
      return await app.fetch(req);
    } finally {
      inFlight--;
    }
  };
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const run = (seconds: number) =>
    new Promise<{ requests: number; rps: number; p50: number; p95: number; p99: number; non2xx: number; errors: number }>(
      (resolve, reject) => {
        const args = {
          url: `http://127.0.0.1:${port}`,
          connections,
          duration: seconds,
          headers: { authorization: `Bearer ${token}` },
          paths,
        };
        execFile(process.execPath, [fileURLToPath(new URL('./load-client.mjs', import.meta.url)), JSON.stringify(args)], (err, stdout) => {
          if (err) reject(new Error(`load generator failed: ${err.message}`));
          else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Awaited<ReturnType<typeof run>>);
        });
      },
    );
  for (const p of paths) {
    const res = await app.request(p, { headers: { authorization: `Bearer ${token}` } });
    console.log(
      `  ${p
        .replace(/\/api\/v1\/organizations\/\d+/, '…')
        .slice(0, 70)
        .padEnd(70)} ${(await res.arrayBuffer()).byteLength.toLocaleString()} bytes`,
    );
  }
  await run(5); // warm-up: plans cached, pool filled
  // BENCH_PROFILE=FILE: a CPU profile of this process (the server) while the load runs.
  const profiler = process.env.BENCH_PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu0 = { server: process.cpuUsage(), postgres: postgresCpuSeconds(), machine: machineCpu() };
  const r = await run(duration);
  const serverCpu = process.cpuUsage(cpu0.server);
  const postgresS = postgresCpuSeconds() - cpu0.postgres;
  const machine = machineCpu();
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
  }
  server.close();
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  console.log(
    `bench:api --concurrent: ${mentions.toLocaleString()} mentions; ${connections} clients for ${duration} s on the mention feed (newest, negative, by source, page 20) and counts (5m × 24h, 1h × 7d), one instance over HTTP`,
  );
  console.log(
    `  ${Math.round(r.rps)} requests/s (${r.requests.toLocaleString()} in all), p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
  );
  // Where the time went: the server process, Postgres, and the machine as a whole (the load
  // generator runs on it too), per request answered.
  const perRequest = (seconds: number) => ((seconds * 1000) / r.requests).toFixed(2);
  const serverS = (serverCpu.user + serverCpu.system) / 1e6;
  const busy = machine && cpu0.machine ? (machine.busy - cpu0.machine.busy) / (machine.total - cpu0.machine.total) : null;
  console.log(
    `  CPU per request: server process ${perRequest(serverS)} ms (${Math.round((serverS / duration) * 100)} % of a core), Postgres ${perRequest(postgresS)} ms` +
      (busy === null
        ? ''
        : `; the machine ${Math.round(busy * 100)} % busy over ${os.cpus().length} cores (${perRequest(busy * os.cpus().length * duration)} ms per request, load generator included)`),
  );
  if (r.non2xx > 0 || r.errors > 0) throw new Error('requests failed under load');
}
