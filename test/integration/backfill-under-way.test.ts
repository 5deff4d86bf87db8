import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { detectOrg } from '../../src/detection-pass/run-detection.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 16 item 3: a new source's backfill that starts inside a flare-up. Its first hours are
// history (nobody is paged about the past), but the flare-up is still running: its first live
// bucket tells people, once, saying it was already under way and that the baseline is provisional.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const complaints = [
  'テスト内科の受付の態度が最悪、二度と行かない',
  'テスト内科ひどすぎる、説明もなく放置された',
  'テスト内科、待たされた挙句に怒鳴られた。許せない',
  'テスト内科の対応最悪',
];

it('a backfill that starts inside a flare-up notifies on its first live bucket, once, as already under way', async () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const { org, target } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  // Four hours of a flare-up, 4–6 posts every 5 minutes, all of it collected at once.
  const posts = Array.from({ length: 48 * 5 }, (_, i) =>
    mentionFixture(i + 1, {
      text: complaints[i % complaints.length]!,
      postedAt: new Date(now.getTime() - 4 * 3_600_000 + i * 60_000),
      watchTargetId: target.id,
    }),
  ).filter((p) => p.postedAt.getTime() < now.getTime() - 2 * 60_000);
  await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions: posts });
  await detectOrg(ctx, org.id, now);

  const events = await ctx.sql<{ action: string; notify: boolean; at: Date; summary: string; kind: string; underWay: boolean | null }[]>`
    select e.action, e.notify, e.bucket_start as at, e.summary_ja as summary, a.kind, (a.explanation ->> 'underWay')::boolean as "underWay"
    from alert_events e join alerts a on a.org_id = e.org_id and a.id = e.alert_id
    where e.org_id = ${org.id} and a.watch_target_id = ${target.id} order by e.bucket_start, e.id`;
  const told = events.filter((e) => e.notify);
  expect(told).toHaveLength(1);
  expect(told[0]!.action).toBe('escalate');
  expect(now.getTime() - told[0]!.at.getTime()).toBeLessThanOrEqual(60 * 60_000);
  expect(told[0]!.kind).toBe('crisis');
  expect(told[0]!.summary).toMatch(/すでに進行中/);
  expect(told[0]!.summary).toMatch(/暫定値/);
  // The episode itself opened in the history, silently.
  expect(events[0]!.action).toBe('open');
  expect(events[0]!.notify).toBe(false);

  // The next pass tells nobody again.
  await detectOrg(ctx, org.id, new Date(now.getTime() + 10 * 60_000));
  const again = await ctx.sql`select 1 from alert_events where org_id = ${org.id} and notify`;
  expect(again.length).toBe(2); // the org-wide series and the target's, once each
}, 60_000);
