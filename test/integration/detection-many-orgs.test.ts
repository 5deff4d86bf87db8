import { afterAll, beforeAll, expect, it } from 'vitest';
import { detectionConcurrency, detectionJob } from '../../src/detection-pass/detection-job.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { addSource } from '../../src/collection/sources.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { connect, type DbHandle } from '../../src/db/connect.ts';
import { demoClinic } from '../../src/sources/demo/index.ts';
import { makeOrg, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let small: DbHandle;
beforeAll(async () => {
  db = await createTestDatabase();
  small = connect(db.url, { max: 2, applicationName: 'hinoko-test-pool2' });
});
afterAll(async () => {
  await small.close();
  await db.drop();
});

const ORGS = 25;

it(`${ORGS} clinics flaring at once on a pool of two connections: every pass finishes, every clinic gets its alert, incident and page`, async () => {
  const flareAt = new Date('2026-11-20T01:00:00Z');
  const now = new Date(flareAt.getTime() + 25 * 60_000);
  // Set up on the roomy pool (collection is not under test), one demo stream per clinic, its
  // flare-up 25 minutes before "now" so the first pass judges it as news.
  const setup = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const orgIds: string[] = [];
  for (let i = 0; i < ORGS; i++) {
    const { org, target } = await makeOrg(setup, `クリニック${i}`);
    await setup.sql`update organizations set settings = ${setup.sql.json({ alerting: { recipients: [`pr${i}@clinic.example.jp`], minSeverity: 3, notices: false } })} where id = ${org.id}`;
    await setup.sql`update watch_targets set names = ${setup.sql.array([...demoClinic.names])} where id = ${target.id}`;
    const src = await addSource(setup, {
      orgId: org.id,
      type: 'demo',
      name: 'demo',
      schedule: '*/5 * * * *',
      config: { seed: i + 1, postsPerHour: 12, flareAt: flareAt.toISOString(), backfillHours: 24, watchTargetId: target.id },
    });
    expect(await runSource(setup, { sourceId: src.id, trigger: 'manual' })).toMatchObject({ status: 'succeeded' });
    orgIds.push(org.id);
  }

  // Detection on a pool of 2, every clinic kicked at once.
  const job = detectionJob();
  const config = { ...setup.config, database: { ...setup.config.database, poolSize: 2 } };
  const ctx = testContext(db, { sql: small.sql, db: small.db, config, now: () => now, detection: job });
  const detection = new JobRunner(ctx, job);
  expect(detectionConcurrency(2)).toBe(1);
  const started = performance.now();
  for (const orgId of orgIds) job.kick(orgId);
  await detection.drain();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`[detection] ${ORGS} organisations on a pool of 2: pass ${seconds.toFixed(1)} s\n`);

  const perOrg = await db.sql<{ org_id: string; crisis: number; incidents: number; outbox: number }[]>`
    select o.id as org_id,
      (select count(*)::int from alerts a where a.org_id = o.id and a.kind = 'crisis') as crisis,
      (select count(*)::int from incidents i where i.org_id = o.id) as incidents,
      (select count(*)::int from mail_outbox m where m.org_id = o.id) as outbox
    from organizations o where o.id = any(${orgIds}) order by o.id`;
  expect(perOrg).toHaveLength(ORGS);
  for (const row of perOrg) {
    expect(row.crisis).toBeGreaterThanOrEqual(1);
    expect(row.incidents).toBe(1);
    expect(row.outbox).toBeGreaterThanOrEqual(1);
  }
}, 600_000);
