import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtest } from '../../src/detection-pass/backtest.ts';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { listAlerts, getAlert } from '../../src/detection-pass/queries.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { ensureDemo } from '../../src/bootstrap/demo.ts';
import { runSource } from '../../src/collection/run-source.ts';
import { createApp } from '../../src/server/app.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { testContext } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('demo flare-up: a quiet week asks nobody to act; the flare-up opens one crisis alert per series within minutes, with its explanation', async () => {
  const start = new Date('2026-11-20T01:00:00Z'); // 10:00 JST, a Friday
  let now = start;
  const ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const demo = await ensureDemo(ctx, start);
  expect(demo.action).toBe('created');
  const orgId = demo.orgId!;
  const [src] = await ctx.sql<{ id: string }[]>`select id from sources where org_id = ${orgId} and type = 'demo'`;

  // The first run backfills a week of quiet history up to "now".
  expect(await runSource(ctx, { sourceId: src!.id, trigger: 'manual' })).toMatchObject({ status: 'succeeded' });
  await detectOrg(ctx, orgId, now);
  // A Poisson stream of ~30 posts an hour has chance spikes (7 posts where 2 are usual): at most
  // a few low-severity 注意/警戒 entries a week, and nothing that asks anyone to act.
  const quiet = await listAlerts(ctx.sql, { orgId });
  expect(quiet.filter((a) => a.severity >= 3)).toEqual([]);
  expect(new Set(quiet.map((a) => a.episodeId)).size).toBeLessThanOrEqual(3);

  // Then minute by minute through the flare-up (which starts 3 minutes after start).
  for (let minute = 1; minute <= 40; minute++) {
    now = new Date(start.getTime() + minute * 60_000);
    await runSource(ctx, { sourceId: src!.id, trigger: 'manual' });
    await detectOrg(ctx, orgId, now);
  }
  const alerts = (await listAlerts(ctx.sql, { orgId })).filter((a) => a.openedAt.getTime() >= start.getTime());
  const crisis = alerts.filter((a) => a.kind === 'crisis');
  // One episode per series (the org as a whole and さくら内科クリニック), not a stream of alerts.
  expect(crisis.length).toBeGreaterThanOrEqual(1);
  expect(crisis.length).toBeLessThanOrEqual(2);
  expect(alerts.filter((a) => a.kind === 'notice')).toEqual([]);
  const first = crisis.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())[0]!;
  const flareAt = demo.flareAt!.getTime();
  // Opened on one of the first buckets of the episode (5-minute buckets).
  expect(first.openedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(flareAt / 300_000) * 300_000);
  expect(first.openedAt.getTime() - flareAt).toBeLessThanOrEqual(10 * 60_000);
  expect(first.severity).toBeGreaterThanOrEqual(3);
  expect(first.summary).toMatch(/深刻度/);
  const detail = await getAlert(ctx.sql, orgId, first.id);
  const explanation = detail!.explanation as { volume: { observed: number; expected: number }; fired: string[]; samples: unknown[] };
  expect(explanation.volume.observed).toBeGreaterThan(explanation.volume.expected * 3);
  expect(explanation.fired.length).toBeGreaterThan(0);
  expect(explanation.samples.length).toBeGreaterThan(0);
  expect(detail!.events[0]).toMatchObject({ action: 'open', notify: true });

  // Served by the API.
  const res = await createApp(ctx).request(`/api/v1/organizations/${orgId}/alerts?kind=crisis`, {
    headers: await authHeaders(ctx, { orgId: orgId }),
  });
  expect(res.status).toBe(200);
  expect((await res.json()).items.length).toBe((await listAlerts(ctx.sql, { orgId, kind: 'crisis' })).length);

  // Detection state survives: a second pass at the same time steps nothing and adds nothing.
  const before = one(await ctx.sql<{ n: number }[]>`select count(*)::int as n from alert_events where org_id = ${orgId}`).n;
  await detectOrg(ctx, orgId, now);
  expect(one(await ctx.sql<{ n: number }[]>`select count(*)::int as n from alert_events where org_id = ${orgId}`).n).toBe(before);

  // Backtest over the same period lists the same notifications (from scratch, nothing stored).
  const replay = await backtest(ctx, { orgId, from: start, to: now });
  expect(replay.alerts.filter((a) => a.kind === 'crisis' && a.action === 'open').length).toBe(crisis.length);

  // The counted signals are the posts' signals in every field a detector reads, for every series.
  const { loadSeriesSignals } = await import('../../src/detection-pass/aggregate-signals.ts');
  const { loadBucketSignals } = await import('../../src/detection-pass/signals.ts');
  const { seriesOf } = await import('../../src/detection-pass/run-detection.ts');
  const allSeries = await seriesOf(ctx.sql, orgId);
  const flareFrom = new Date(now.getTime() - 2 * 86_400_000);
  const counted = await loadSeriesSignals(ctx.sql, { orgId, series: allSeries, from: flareFrom, to: now });
  const fields = (g: {
    start: Date;
    count: number;
    negative: number | null;
    positive: number | null;
    riskHits: Record<string, number>;
    reach: unknown;
    criticalTerms: string[];
  }) => ({
    start: g.start.toISOString(),
    count: g.count,
    negative: g.negative,
    positive: g.positive,
    riskHits: g.riskHits,
    reach: g.reach,
    criticalTerms: [...g.criticalTerms].sort(),
  });
  let critical = 0;
  for (const s of allSeries) {
    const posts = await loadBucketSignals(ctx.sql, { ...s, from: flareFrom, to: now });
    expect(counted.get(s.watchTargetId ?? '')!.map(fields)).toEqual(posts.map(fields));
    critical += posts.filter((g) => g.criticalTerms.length > 0).length + posts.filter((g) => Object.keys(g.riskHits).length > 0).length;
  }
  // The comparison covered buckets with risk hits, not only quiet ones.
  expect(critical).toBeGreaterThan(0);
  // The settings page replays every sensitivity in one read of per-bucket counts: the same
  // decisions per sensitivity as one replay each over the posts, and a more sensitive setting
  // never raises fewer notifications.
  const { backtestEach } = await import('../../src/detection-pass/backtest.ts');
  const decisions = (
    alerts: { bucketStart: Date; watchTargetId: string | null; action: string; severity: number; kind: string; score: number }[],
  ) =>
    alerts.map((a) => ({
      at: a.bucketStart.toISOString(),
      target: a.watchTargetId,
      action: a.action,
      severity: a.severity,
      kind: a.kind,
      score: a.score,
    }));
  const each = await backtestEach(ctx, { orgId, from: start, to: now, sensitivities: ['fewer', 'balanced', 'more'], signals: 'counts' });
  for (const run of each) {
    const single = await backtest(ctx, { orgId, from: start, to: now, sensitivity: run.sensitivity });
    expect(decisions(run.alerts)).toEqual(decisions(single.alerts));
  }
  const [fewer, balanced, more] = each.map((r) => r.alerts.length) as [number, number, number];
  expect(fewer).toBeLessThanOrEqual(balanced);
  expect(balanced).toBeLessThanOrEqual(more);
  expect(decisions(each.find((r) => r.sensitivity === 'balanced')!.alerts)).toEqual(decisions(replay.alerts));
}, 120_000);

it('rebuilds a series from history when a backfill lands in buckets it already stepped, and pages nobody about the past', async () => {
  const { detectOrg: detect } = await import('../../src/detection-pass/run-detection.ts');
  const { detectionJob } = await import('../../src/detection-pass/detection-job.ts');
  const { JobRunner } = await import('../../src/jobs/runner.ts');
  const { makeOrg, makeSource, mentionFixture } = await import('../factories/index.ts');
  const { ingest } = await import('../../src/ingest/pipeline.ts');
  const { defaultIngestLimits } = await import('../../src/ingest/normalise.ts');
  const { logger } = await import('../../src/logger.ts');
  const now = new Date('2026-11-20T12:00:00Z');
  const job = detectionJob();
  const ctx = testContext(db, { now: () => now, detection: job });
  const detection = new JobRunner(ctx, job);
  const { org, target } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  const deps = { sql: ctx.sql, analyzer: null, detection: job, limits: defaultIngestLimits, now: () => now, log: logger };
  // One live post, then a pass: the series starts at that post and steps up to now.
  await ingest(deps, {
    orgId: org.id,
    sourceId: src.id,
    mentions: [mentionFixture(0, { postedAt: new Date('2026-11-20T11:00:00Z'), watchTargetId: target.id })],
  });
  await detection.drain();
  await detect(ctx, org.id, now);
  const before = one(
    await ctx.sql<
      { last: Date }[]
    >`select last_bucket_start as last from detector_states where org_id = ${org.id} and watch_target_id is null`,
  );
  expect(before.last.getTime()).toBeGreaterThan(Date.parse('2026-11-20T11:00:00Z'));

  // A backfill of two days of history arrives afterwards.
  const history = Array.from({ length: 300 }, (_, i) =>
    mentionFixture(i + 1, { postedAt: new Date(Date.parse('2026-11-18T12:00:00Z') + i * 9 * 60_000), watchTargetId: target.id }),
  );
  await ingest(deps, { orgId: org.id, sourceId: src.id, mentions: history });
  await detection.drain();
  const rebuilt = await ctx.sql<{ last: Date | null }[]>`select last_bucket_start as last from detector_states where org_id = ${org.id}`;
  // The stale states were dropped (and the kicked pass rebuilt them from the first data).
  for (const r of rebuilt) expect(r.last === null || r.last.getTime() >= Date.parse('2026-11-20T11:00:00Z')).toBe(true);
  await detect(ctx, org.id, now);
  const state = one(
    await ctx.sql<
      { level: number }[]
    >`select (state -> 'detectors' -> 'volume' ->> 'level')::float as level from detector_states where org_id = ${org.id} and watch_target_id is null`,
  );
  // Learned from ~0.55 posts per bucket of history, not from the empty buckets it had seen.
  expect(state.level).toBeGreaterThan(0.2);
  const notified =
    await ctx.sql`select 1 from alert_events where org_id = ${org.id} and notify and bucket_start < ${new Date(now.getTime() - 3_600_000)}`;
  expect(notified).toHaveLength(0);
});
