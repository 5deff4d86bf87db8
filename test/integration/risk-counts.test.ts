import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { analyzeStored } from '../../src/ingest/analyze-stored.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The risk hits per bucket (sql/026) stay equal to what the posts' analyses say, through inserts
// with and without a watch target, an edit that changes a post's risks, analysis deferred to the
// backlog, and a re-analysis — the replay on the detection settings page reads them instead.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** The rollup recomputed from the posts, as the migration backfills it. */
async function fromPosts(orgId: string) {
  return db.sql<{ target: string | null; b: Date; category: string; n: number }[]>`
    select null::bigint as target, date_bin('5 minutes', posted_at, timestamptz '1970-01-01T00:00:00Z') as b, r ->> 'category' as category, count(*)::int as n
    from mentions, jsonb_array_elements(case when jsonb_typeof(analysis -> 'risks') = 'array' then analysis -> 'risks' else '[]'::jsonb end) r
    where org_id = ${orgId} group by 2, 3
    union all
    select watch_target_id, date_bin('5 minutes', posted_at, timestamptz '1970-01-01T00:00:00Z'), r ->> 'category', count(*)::int
    from mentions, jsonb_array_elements(case when jsonb_typeof(analysis -> 'risks') = 'array' then analysis -> 'risks' else '[]'::jsonb end) r
    where org_id = ${orgId} and watch_target_id is not null group by 1, 2, 3
    order by 1 nulls first, 2, 3`;
}
async function rollup(orgId: string) {
  return db.sql<{ target: string | null; b: Date; category: string; n: number }[]>`
    select watch_target_id as target, bucket_start as b, category, hits as n from mention_risk_counts
    where org_id = ${orgId} and hits <> 0 order by 1 nulls first, 2, 3`;
}

describe('risk hits per bucket', () => {
  it('follow the posts through inserts, an edit, the analysis backlog and a re-analysis', async () => {
    const ctx = testContext(db, { analyzer: await loadAnalyzer() });
    const { org, target } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const posts = [
      mentionFixture(1, { text: 'テスト内科で医療ミスがあって誤診された', watchTargetId: target.id }),
      mentionFixture(2, { text: 'テスト内科は待ち時間が長すぎる、予約しても2時間待ち', watchTargetId: target.id }),
      mentionFixture(3, { text: '受付の態度が最悪だった、会計も高い' }),
      mentionFixture(4, { text: '先生が丁寧に説明してくれた', watchTargetId: target.id }),
    ];
    await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions: posts });
    const first = await rollup(org.id);
    expect(first.length).toBeGreaterThan(2);
    expect(first).toEqual(await fromPosts(org.id));

    // An edit takes the old matches back and counts the new ones.
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [{ ...posts[1]!, text: 'テスト内科、今日は待たずに診てもらえた' }],
    });
    expect(await rollup(org.id)).toEqual(await fromPosts(org.id));

    // Deferred analysis: counted when the backlog analyses the posts, not before.
    await ingest(ingestDepsFrom(ctx, { deferAnalysis: true }), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [mentionFixture(5, { text: '看護師に個人情報を言いふらされた', watchTargetId: target.id })],
    });
    expect(await rollup(org.id)).toEqual(await fromPosts(org.id));
    await analyzeStored(ctx, { orgId: org.id, mode: 'missing' });
    const analysed = await rollup(org.id);
    expect(analysed).toEqual(await fromPosts(org.id));
    expect(analysed.length).toBeGreaterThan(first.length - 2);

    // A re-analysis of every post (a new lexicon) leaves them equal too.
    await db.sql`update mentions set analysis_version = 'old' where org_id = ${org.id}`;
    await analyzeStored(ctx, { orgId: org.id, mode: 'stale' });
    expect(await rollup(org.id)).toEqual(analysed);
  }, 60_000);
});
