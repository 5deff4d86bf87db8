import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import type { Tx } from '../../src/db/connect.ts';
import { enableReadonlyLogin } from '../../src/db/roles.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, stubAnalyzer, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The Grafana dashboards (issue 15 item 3): every panel's SQL, with Grafana's macros expanded as
// Grafana expands them, runs against the migrated schema as the read-only role provisioning
// connects with — and that role cannot read people, sessions, tokens, secrets, mail or posts.

interface Panel {
  title: string;
  targets?: { rawSql: string }[];
}
const dashboard = JSON.parse(readFileSync(new URL('../../dashboards/hinoko-overview.json', import.meta.url), 'utf8')) as {
  panels: Panel[];
  templating: { list: { name: string; query: string }[] };
};

let db: TestDatabase;
let orgId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  const ctx = testContext(db);
  orgId = (await makeOrg(ctx)).org.id;
  const src = await makeSource(ctx, orgId);
  const analyzer = stubAnalyzer('t', () => ({ sentiment: { label: 'negative', score: -0.5 }, risks: [], pii: [], terms: [] }));
  const now = Date.now();
  await ingest(
    { ...ingestDepsFrom(ctx), analyzer },
    { orgId, sourceId: src.id, mentions: [1, 2, 3].map((i) => mentionFixture(i, { postedAt: new Date(now - i * 600_000) })) },
  );
  await ctx.sql`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at, acknowledged_at, created_at, updated_at)
    values (${orgId}, '受付対応への批判・深刻度4', 'active', 4, 1, now() - interval '2 hours', now() - interval '100 minutes', now(), now())`;
  await ctx.sql`
    insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
    values (${orgId}, 'ep', 'crisis', 'open', 4, 0.9, now() - interval '2 hours', now(), '否定的な投稿が急増', '{}'::jsonb)`;
});
afterAll(async () => {
  await db.drop();
});

/** A panel's SQL as Grafana sends it: $org and the time macros replaced by values. */
function expand(sql: string): string {
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const to = new Date().toISOString();
  const out = sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, col: string) => `${col} BETWEEN '${from}' AND '${to}'`)
    .replace(/\$__timeFrom\(\)/g, `'${from}'`)
    .replace(/\$__timeTo\(\)/g, `'${to}'`)
    .replace(/\$org\b/g, orgId);
  expect(out, 'a macro this test does not expand').not.toMatch(/\$\w/);
  return out;
}

async function asReadonly<T>(run: (tx: Tx) => Promise<T>): Promise<T> {
  return (await db.sql.begin(async (tx) => {
    await tx`set local role hinoko_readonly`;
    return run(tx);
  })) as T;
}

it('every panel and variable query runs as hinoko_readonly against the migrated schema', async () => {
  const queries = [
    ...dashboard.templating.list.map((v) => ({ title: `variable ${v.name}`, sql: v.query })),
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, sql: t.rawSql }))),
  ];
  expect(queries.length).toBeGreaterThanOrEqual(9);
  const failed: string[] = [];
  const rows: Record<string, number> = {};
  for (const q of queries) {
    try {
      rows[q.title] = (await asReadonly((tx) => tx.unsafe(expand(q.sql)))).length;
    } catch (err) {
      failed.push(`${q.title}: ${(err as Error).message}`);
    }
  }
  expect(failed).toEqual([]);
  // The seeded incident, alert and posts show up where they should.
  expect(rows['継続中のアラート (open alerts)']).toBe(1);
  expect(rows['未解決のインシデント（深刻度別）(open incidents by severity)']).toBe(5);
  expect(rows['投稿数 / ネガティブ (5分ごと)']).toBeGreaterThan(0);
});

/** What the dashboards' role must never read: people, credentials, mail, the audit log, what patients wrote. */
const closed = [
  'users',
  'sessions',
  'user_tokens',
  'source_credentials',
  'app_secrets',
  'ack_links',
  'mail_outbox',
  'audit_log',
  'mentions',
  'mention_versions',
  'mention_notes',
  'statements',
  'login_throttle',
];

it('hinoko_readonly reads nothing about people, credentials, mail or what patients wrote, and writes nothing', async () => {
  const refused: string[] = [];
  for (const table of closed) {
    await asReadonly((tx) => tx.unsafe(`select 1 from ${table} limit 1`)).then(
      () => {},
      (err: { code?: string }) => {
        if (err.code === '42501') refused.push(table);
      },
    );
  }
  expect(refused).toEqual(closed);
  await expect(asReadonly((tx) => tx`update incidents set title = 'x'`)).rejects.toMatchObject({ code: '42501' });
  const [role] = await db.sql<{ rolsuper: boolean; rolcreaterole: boolean }[]>`
    select rolsuper, rolcreaterole from pg_roles where rolname = 'hinoko_readonly'`;
  expect(role).toEqual({ rolsuper: false, rolcreaterole: false });
});

it('with HINOKO_READONLY_PASSWORD the role logs in (as docker-compose gives Grafana its password)', async () => {
  const password = `ro-${Date.now()}-password`;
  expect(await enableReadonlyLogin(db.sql, password)).toBe(true);
  const u = new URL(db.url);
  u.username = 'hinoko_readonly';
  u.password = password;
  const grafana = postgres(u.toString(), { max: 1, onnotice: () => {} });
  try {
    expect(await grafana`select count(*)::int as n from incidents where org_id = ${orgId}`).toEqual([{ n: 1 }]);
    await expect(grafana`select 1 from users`).rejects.toMatchObject({ code: '42501' });
  } finally {
    await grafana.end({ timeout: 1 });
  }
});
