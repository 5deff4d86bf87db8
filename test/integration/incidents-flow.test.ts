import { afterAll, beforeAll, expect, it } from 'vitest';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { listAlerts } from '../../src/detection-pass/queries.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { getIncident, listIncidents } from '../../src/incidents/queries.ts';
import { transitionIncident } from '../../src/incidents/transition-incident.ts';
import { testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('demo flare-up → crisis alert → one incident opened in the detection pass, with the default playbook tasks; a replayed pass opens nothing more', async () => {
  const start = new Date('2026-11-20T01:00:00Z');
  let now = start;
  const ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const demo = await ensureDemo(ctx, start);
  const orgId = demo.orgId!;
  const [src] = await ctx.sql<{ id: string }[]>`select id from sources where org_id = ${orgId} and type = 'demo'`;
  await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
  await detectOrg(ctx, orgId, now);
  // A quiet week's chance spikes are below the threshold: no incident.
  expect(await listIncidents(ctx.sql, { orgId })).toEqual([]);

  for (let minute = 1; minute <= 25; minute++) {
    now = new Date(start.getTime() + minute * 60_000);
    await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
    await detectOrg(ctx, orgId, now);
  }
  const crisis = (await listAlerts(ctx.sql, { orgId, kind: 'crisis' })).filter((a) => a.openedAt >= start);
  expect(crisis.length).toBeGreaterThanOrEqual(1);
  const incidents = await listIncidents(ctx.sql, { orgId });
  // Both series of the one flare-up (the org and さくら内科クリニック) land in one incident.
  expect(incidents).toHaveLength(1);
  const incident = await getIncident(ctx.sql, orgId, incidents[0]!.id);
  expect(incident.status).toBe('triage');
  expect(incident.severity).toBe(Math.max(...crisis.map((a) => a.severity)));
  expect(incident.detectedAt.getTime()).toBe(Math.min(...crisis.map((a) => a.openedAt.getTime())));
  expect(incident.alerts.map((a) => a.id).sort()).toEqual(crisis.map((a) => a.id).sort());
  const keys = incident.tasks.map((t) => t.stepKey);
  for (const k of ['fact-check', 'internal-escalation', 'official-statement', 'post-deletion', 'prevention']) expect(keys).toContain(k);
  expect(new Set(keys).size).toBe(keys.length);
  const esc = incident.tasks.find((t) => t.stepKey === 'internal-escalation')!;
  expect(new Date(esc.dueAt).getTime()).toBe(incident.detectedAt.getTime() + 3_600_000);
  expect(incident.timeline[0]).toMatchObject({ kind: 'opened', actorType: 'system' });

  // Forget where detection stopped: the pass replays the whole flare-up, and opens nothing twice.
  await ctx.sql`update detector_states set state = '{}'::jsonb, last_bucket_start = null where org_id = ${orgId}`;
  await detectOrg(ctx, orgId, now);
  expect(await listIncidents(ctx.sql, { orgId })).toHaveLength(1);
  expect((await getIncident(ctx.sql, orgId, incidents[0]!.id)).tasks).toHaveLength(incident.tasks.length);

  // Resolved (over open tasks, so with a reason): its alerts close with it.
  const actor = { type: 'cli' as const, id: 'test' };
  await transitionIncident(ctx, orgId, incident.id, { to: 'active' }, actor);
  await transitionIncident(ctx, orgId, incident.id, { to: 'resolved', reason: '収束を確認' }, actor);
  const alertIds = incident.alerts.map((a) => a.id);
  const statuses = async () =>
    ctx.sql<{ id: string; status: string }[]>`select id, status from alerts where org_id = ${orgId} and id in ${ctx.sql(alertIds)}`;
  expect((await statuses()).map((a) => a.status)).toEqual(alertIds.map(() => 'closed'));
  const alertCount = async () => (await ctx.sql<{ n: number }[]>`select count(*)::int as n from alerts where org_id = ${orgId}`)[0]!.n;
  const before = await alertCount();
  // The whole flare-up replayed by the real pass: its events are recorded already, so it finds the
  // same alert rows by episode and neither relapses the incident nor opens another.
  await ctx.sql`update detector_states set state = '{}'::jsonb, last_bucket_start = null where org_id = ${orgId}`;
  await detectOrg(ctx, orgId, now);
  expect(await alertCount()).toBe(before);
  expect(await listIncidents(ctx.sql, { orgId })).toHaveLength(1);
  const after = await getIncident(ctx.sql, orgId, incident.id);
  expect(after.status).toBe('resolved');
  expect(after.timeline.filter((e) => (e.data as { transition?: string }).transition === 'relapse')).toEqual([]);
}, 180_000);
