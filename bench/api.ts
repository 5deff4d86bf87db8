// npm run bench:api — with 1,000,000 mentions seeded in one org, time the API's mention list
// (newest first, filtered), the per-bucket count query and the overview end to end through the
// hono app.
import { systemActor } from '../src/audit/record.ts';
import { createUser } from '../src/auth/create-user.ts';
import { createUserToken } from '../src/auth/user-tokens.ts';
import { createSession } from '../src/auth/credentials.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { createApp } from '../src/server/app.ts';
import { seedMentions } from '../src/collection/seed.ts';
import { benchDatabase, percentile } from './db.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 200);
const db = await benchDatabase();
try {
  const ctx = createContext({ config: loadConfig({}), sql: db.sql, db: db.db });
  const seeded = await seedMentions(ctx, {
    count,
    days: 30,
    onProgress: (n) => process.stderr.write(`\rseeding ${n.toLocaleString()} / ${count.toLocaleString()}`),
  });
  process.stderr.write('\n');
  await db.sql`vacuum analyze`;
  const app = createApp(ctx);
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
  ];
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
  console.log(
    `bench:api on ${db.where}: ${seeded.inserted.toLocaleString()} mentions in one org (seeded in ${seeded.seconds.toFixed(1)} s, ${Math.round(seeded.inserted / seeded.seconds).toLocaleString()}/s); ${runs} requests per case through the hono app (auth + query + JSON)`,
  );
  for (const [name, path] of cases) {
    const times: number[] = [];
    for (let i = 0; i < runs + 10; i++) {
      const t = performance.now();
      const url = path();
      const headers: Record<string, string> = url.startsWith('/api/')
        ? { authorization: `Bearer ${token}` }
        : { cookie: `hinoko_session=${session.id}` };
      const res = await app.request(url, { headers });
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      if (i >= 10) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(30)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms`,
    );
  }
} finally {
  await db.dispose();
}
