import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { loadSeriesSignals } from '../../src/detection-pass/aggregate-signals.ts';
import { loadBucketSignals } from '../../src/detection-pass/signals.ts';
import { analyzeStored } from '../../src/ingest/analyze-stored.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 16 item 2: posts that pass on a report of trouble in neutral words — a news link with a
// trouble word, 「ニュースになってる」, a quote of a negative post — are counted per bucket
// (mention_counts.reported) through inserts, edits, the backlog and a re-analysis, and the live
// signal and the replay's signal read the same number.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function reportedByBucket(orgId: string, targetId: string | null) {
  const rows = await db.sql<{ b: Date; n: number }[]>`
    select bucket_start as b, reported as n from mention_counts
    where org_id = ${orgId} and watch_target_id is not distinct from ${targetId} and reported <> 0 order by 1`;
  return rows.map((r) => [r.b.toISOString(), r.n]);
}

/** The same, recomputed from the posts' stored analyses. */
async function fromPosts(orgId: string, targetId: string | null) {
  const rows = await db.sql<{ b: Date; n: number }[]>`
    select date_bin('5 minutes', posted_at, timestamptz '1970-01-01T00:00:00Z') as b, count(*)::int as n from mentions
    where org_id = ${orgId} and (${targetId}::bigint is null or watch_target_id = ${targetId})
      and sentiment_label = 'neutral' and (analysis ->> 'sharesReport')::boolean
    group by 1 order by 1`;
  return rows.map((r) => [r.b.toISOString(), r.n]);
}

describe('posts passing on a report of trouble', () => {
  it('are counted per bucket through inserts, quotes, an edit, the backlog and a re-analysis; live and replay agree', async () => {
    const ctx = testContext(db, { analyzer: await loadAnalyzer() });
    const { org, target } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const at = new Date('2026-11-02T01:00:00Z');
    const post = (i: number, text: string, extra = {}) =>
      mentionFixture(i, { text, watchTargetId: target.id, postedAt: new Date(at.getTime() + i * 1000), ...extra });
    const complaint = post(1, 'テスト内科の受付は最悪、二度と行かない');
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [
        complaint,
        post(2, 'テスト内科の件、ニュースになってる'),
        post(3, 'テスト内科で医療事故 https://news.yahoo.co.jp/articles/abc'),
        post(4, 'これ本当？', { quoteOfExternalId: complaint.externalId }),
        post(5, 'テスト内科がテレビで紹介されてた https://news.yahoo.co.jp/articles/def'),
      ],
    });
    // 2 (news in neutral words) and 4 (a quote of the complaint); 3 is negative in its own words
    // (医療事故) and counts as negative already; 5 shares good news.
    const first = await reportedByBucket(org.id, target.id);
    expect(first).toEqual([[at.toISOString(), 2]]);
    expect(first).toEqual(await fromPosts(org.id, target.id));
    expect(await reportedByBucket(org.id, null)).toEqual(first);

    // A quote arriving in a later page finds the quoted post in the database.
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [post(6, 'まじか', { quoteOfExternalId: complaint.externalId })],
    });
    expect(await reportedByBucket(org.id, target.id)).toEqual([[at.toISOString(), 3]]);

    // An edit that drops the news takes the count back.
    await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions: [post(2, 'テスト内科、今日は空いていた')] });
    expect(await reportedByBucket(org.id, target.id)).toEqual([[at.toISOString(), 2]]);

    // Deferred analysis and a re-analysis of every post keep the counts equal to the posts.
    await ingest(ingestDepsFrom(ctx, { deferAnalysis: true }), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [post(7, 'テスト内科の件まとめられてた'), post(8, 'ふーん', { quoteOfExternalId: complaint.externalId })],
    });
    expect(await reportedByBucket(org.id, target.id)).toEqual([[at.toISOString(), 2]]);
    await analyzeStored(ctx, { orgId: org.id, mode: 'missing' });
    expect(await reportedByBucket(org.id, target.id)).toEqual([[at.toISOString(), 4]]);
    await db.sql`update mentions set analysis_version = 'old' where org_id = ${org.id}`;
    await analyzeStored(ctx, { orgId: org.id, mode: 'stale' });
    expect(await reportedByBucket(org.id, target.id)).toEqual([[at.toISOString(), 4]]);
    expect(await reportedByBucket(org.id, target.id)).toEqual(await fromPosts(org.id, target.id));

    // What detection reads: the live signal and the replay's signal carry the same number.
    const range = { from: at, to: new Date(at.getTime() + 300_000) };
    const live = await loadBucketSignals(db.sql, { orgId: org.id, watchTargetId: target.id, ...range, institutionNames: [] });
    const replay = await loadSeriesSignals(db.sql, {
      orgId: org.id,
      series: [{ orgId: org.id, watchTargetId: target.id, institutionNames: [] }],
      ...range,
    });
    expect(live[0]!.reported).toBe(4);
    expect(replay.get(target.id)![0]!.reported).toBe(4);
  }, 60_000);
});
