import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 6: GET /metrics for Prometheus — this process's counters and what the database
// knows, behind a token, or for the machine itself when no token is set.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A sample's value from the exposition text, 0 when absent. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

it('with a token: counts what this process stored, reads lag and the mail queue from the database; a wrong token is refused', async () => {
  const token = 'metrics-token-0123456789abcdef';
  const base = testContext(db);
  const ctx = { ...base, config: { ...base.config, http: { ...base.config.http, metricsToken: token } } };
  const app = createApp(ctx);
  const scrape = async (auth?: string) => app.request('/metrics', { headers: auth ? { authorization: auth } : {} });

  expect((await scrape()).status).toBe(403);
  expect((await scrape('Bearer wrong-token')).status).toBe(403);
  const before = await (await scrape(`Bearer ${token}`)).text();

  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions: [1, 2, 3].map((i) => mentionFixture(i)) });
  await ctx.sql`
    insert into mail_outbox (org_id, dedupe_key, message_id, to_address, subject, text_body, html_body, created_at)
    values (${org.id}, 'metrics-test', '<metrics-test@hinoko.test>', 'oncall@clinic.example.jp', 's', 't', 'h', now() - interval '90 seconds')`;

  const res = await scrape(`Bearer ${token}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  expect(sample(text, 'hinoko_ingested_mentions_total') - sample(before, 'hinoko_ingested_mentions_total')).toBe(3);
  expect(text).toMatch(/^hinoko_collection_lag_seconds\{source_type="import"\} \d/m);
  expect(sample(text, 'hinoko_mail_queue_depth')).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'hinoko_mail_queue_oldest_seconds')).toBeGreaterThanOrEqual(90);
  expect(text).toMatch(/^hinoko_db_pool_size \d+/m);
  expect(text).toMatch(/^hinoko_db_connections\{state="[a-z ]+"\} \d+/m);
  expect(text).toMatch(/^hinoko_process_resident_memory_bytes \d+/m);
  for (const name of [
    'hinoko_collection_runs_total',
    'hinoko_detection_pass_seconds',
    'hinoko_alert_changes_total',
    'hinoko_escalations_paged_total',
  ])
    expect(text).toContain(`# TYPE ${name}`);
});

it('without a token: only this machine, and not through a proxy', async () => {
  const ctx = testContext(db);
  const server = serve({ fetch: createApp(ctx).fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  try {
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(403);
    // In-process requests have no socket to vouch for them.
    expect((await createApp(ctx).request('/metrics')).status).toBe(403);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

it('the operations dashboard charts only metrics /metrics exposes, from the provisioned Prometheus', async () => {
  const token = 'metrics-token-0123456789abcdef';
  const base = testContext(db);
  const app = createApp({ ...base, config: { ...base.config, http: { ...base.config.http, metricsToken: token } } });
  const text = await (await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).text();
  const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const dashboard = JSON.parse(readFileSync(new URL('../../dashboards/hinoko-operations.json', import.meta.url), 'utf8')) as {
    panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
  };
  const datasources = readFileSync(new URL('../../dashboards/provisioning/datasources/prometheus.yml', import.meta.url), 'utf8');
  expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
  for (const panel of dashboard.panels) {
    expect(datasources).toContain(`uid: ${panel.datasource.uid}`);
    for (const { expr } of panel.targets) {
      for (const [name] of expr.matchAll(/hinoko_[a-z_]+/g)) {
        expect(exposed.has(name) || exposed.has(name.replace(/_(bucket|sum|count)$/, '')), `${panel.title}: ${name}`).toBe(true);
      }
    }
  }
});
