import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSource } from '../../src/collection/run-source.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { defaultIngestLimits } from '../../src/ingest/normalise.ts';
import type { MentionAnalyzer } from '../../src/analysis/types.ts';
import { logger } from '../../src/logger.ts';
import { createTestDatabase, one, type TestDatabase } from '../support/db.ts';
import { listSource, makeOrg, makeSource, mentionFixture, testContext, withTestSource, stubAnalyzer } from '../factories/index.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const negativeWhenAngry = stubAnalyzer('test-1', (text) => ({
  sentiment: text.includes('最悪') ? { label: 'negative', score: -0.8 } : { label: 'neutral', score: 0 },
  risks: [],
  pii: [],
  terms: [],
}));

function deps(ctx: ReturnType<typeof testContext>, analyzer: MentionAnalyzer | null = negativeWhenAngry) {
  return { sql: ctx.sql, analyzer, detection: null, limits: defaultIngestLimits, now: () => new Date(), log: logger };
}

describe('ingest pipeline', () => {
  it('stores a page once however often it is delivered, and keeps edits as versions', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const items = [1, 2, 3].map((i) => mentionFixture(i));
    const first = await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: items });
    const again = await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: items });
    expect(first.inserted).toHaveLength(3);
    expect(again.inserted).toHaveLength(0);

    const edited = { ...items[0]!, text: '編集後: テスト内科は最悪' };
    const third = await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: [edited] });
    expect(third.edited).toBe(1);
    const rows =
      await ctx.sql`select external_id, text, version, sentiment_label from mentions where org_id = ${org.id} order by external_id`;
    expect(rows.map((r) => r.external_id)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(rows[0]).toMatchObject({ text: '編集後: テスト内科は最悪', version: 2, sentiment_label: 'negative' });
    const versions = await ctx.sql`select version, text from mention_versions where org_id = ${org.id}`;
    expect(versions).toEqual([{ version: 1, text: items[0]!.text }]);
  });

  it('keeps bucket counts equal to the stored mentions, including sentiment changes from edits', async () => {
    const ctx = testContext(db);
    const { org, target } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const items = Array.from({ length: 40 }, (_, i) =>
      mentionFixture(i, { watchTargetId: target.id, text: i % 4 === 0 ? `最悪 ${i}` : `普通 ${i}` }),
    );
    await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: items });
    await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: [{ ...items[1]!, text: '最悪になった' }] });
    const counted = await ctx.sql`
      select watch_target_id, sum(total)::int as total, sum(negative)::int as negative from mention_counts
      where org_id = ${org.id} group by watch_target_id order by watch_target_id nulls first`;
    expect(counted).toEqual([
      { watch_target_id: null, total: 40, negative: 11 },
      { watch_target_id: target.id, total: 40, negative: 11 },
    ]);
  });

  it('rejects oversized, NUL-containing and malformed items with reasons and stores the rest', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const result = await ingest(deps(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [
        mentionFixture(1),
        mentionFixture(2, { text: 'あ'.repeat(defaultIngestLimits.maxTextChars + 1) }),
        mentionFixture(3, { text: 'bad \u0000 text' }),
        mentionFixture(4, { text: 'lone \ud800 surrogate' }),
        mentionFixture(5, { postedAt: new Date('nonsense') }),
        mentionFixture(6, { externalId: '' }),
        mentionFixture(7, { raw: { note: 'nul \u0000 inside raw is kept as an escape' }, url: 'javascript:alert(1)' }),
      ],
    });
    expect(result.inserted.map((m) => m.text)).toEqual(['テスト内科の投稿 1', 'テスト内科の投稿 7']);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      expect.stringContaining('over the limit'),
      expect.stringContaining('NUL'),
      expect.stringContaining('UTF-8'),
      expect.stringContaining('posted_at'),
      expect.stringContaining('external id'),
    ]);
    const [row] = await ctx.sql`select url, raw from mentions where org_id = ${org.id} and external_id = 'm-7'`;
    expect(row!.url).toBeNull();
    expect(row!.raw.note).toBe('nul \\u0000 inside raw is kept as an escape');
  });

  it('counts engagement gained by negative posts in the bucket where it is seen (diffusion)', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const posted = new Date('2026-11-01T00:00:00Z');
    const angry = mentionFixture(1, { text: '最悪', postedAt: posted, metrics: { reposts: 3, quotes: 1, replies: 2 } });
    const calm = mentionFixture(2, { text: '普通', postedAt: posted, metrics: { reposts: 5, quotes: 0, replies: 0 } });
    await ingest(
      { ...deps(ctx), now: () => new Date('2026-11-01T00:01:00Z') },
      { orgId: org.id, sourceId: src.id, mentions: [angry, calm] },
    );
    const later = new Date('2026-11-01T02:00:00Z');
    await ingest(
      { ...deps(ctx), now: () => later },
      {
        orgId: org.id,
        sourceId: src.id,
        mentions: [
          { ...angry, metrics: { reposts: 40, quotes: 5, replies: 12 } },
          { ...calm, metrics: { reposts: 9, quotes: 0, replies: 0 } },
        ],
      },
    );
    const rows = await ctx.sql`
      select bucket_start, reposts::int, negative_reposts::int, negative_quotes::int, negative_replies::int
      from mention_counts where org_id = ${org.id} and watch_target_id is null order by bucket_start`;
    expect(rows).toEqual([
      { bucket_start: posted, reposts: 8, negative_reposts: 3, negative_quotes: 1, negative_replies: 2 },
      { bucket_start: later, reposts: 41, negative_reposts: 37, negative_quotes: 4, negative_replies: 10 },
    ]);
  });

  it('stores the private and demo flags as given', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    await ingest(deps(ctx), {
      orgId: org.id,
      sourceId: src.id,
      mentions: [
        mentionFixture(1, { isPrivate: true, isDemo: false }),
        mentionFixture(2, { isPrivate: false, isDemo: true }),
        mentionFixture(3),
      ],
    });
    const rows = await ctx.sql`select external_id, is_private, is_demo from mentions where org_id = ${org.id} order by external_id`;
    expect(rows).toEqual([
      { external_id: 'm-1', is_private: true, is_demo: false },
      { external_id: 'm-2', is_private: false, is_demo: true },
      { external_id: 'm-3', is_private: false, is_demo: false },
    ]);
  });

  it('stores every field exactly as written, whatever characters frame COPY rows and columns', async () => {
    // Pages reach Postgres through COPY's text format (src/ingest/mention-stage.ts): a stranger's
    // tab, newline, backslash or end-of-data marker must land as text, never as a column or row.
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const hostile = 'a\tb\nc\r\nd\\e\\.\n\\.\n\\N 終\\t';
    const item = mentionFixture(1, {
      externalId: 'x\\N\t1',
      text: hostile,
      authorName: '\\N',
      authorHandle: null,
      url: null,
      raw: { note: hostile, nested: ['\\', '\t'] },
      metrics: { likes: 2_000_000_000, reposts: 0, quotes: 0, replies: 0, views: 9_007_199_254_740_991 },
    });
    const r = await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: [item, mentionFixture(2)] });
    expect(r.inserted).toHaveLength(2);
    const [row] = await ctx.sql`
      select external_id, text, author_name, author_handle, url, raw, likes, views::text as views from mentions
      where org_id = ${org.id} and external_id = ${'x\\N\t1'}`;
    expect(row).toEqual({
      external_id: 'x\\N\t1',
      text: hostile.trim(),
      author_name: '\\N',
      author_handle: null,
      url: null,
      raw: { note: hostile, nested: ['\\', '\t'] },
      likes: 2_000_000_000,
      views: '9007199254740991',
    });
  });

  it('keeps deleted mentions as evidence with a tombstone', async () => {
    const ctx = testContext(db);
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(1)] });
    const t = { externalId: 'm-1', deletedAt: new Date('2026-11-02T00:00:00Z'), reason: 'deleted' as const };
    const r1 = await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: [], tombstones: [t] });
    const r2 = await ingest(deps(ctx), { orgId: org.id, sourceId: src.id, mentions: [], tombstones: [t] });
    expect([r1.tombstoned, r2.tombstoned]).toEqual([1, 0]);
    const [row] = await ctx.sql`select text, deleted_at from mentions where org_id = ${org.id}`;
    expect(row!.text).toBe('テスト内科の投稿 1');
    expect(row!.deleted_at).toEqual(new Date('2026-11-02T00:00:00Z'));
  });

  it('moves the cursor with the rows: a run that failed midway resumes without loss or duplicates', async () => {
    const base = testContext(db);
    const { org } = await makeOrg(base);
    const items = Array.from({ length: 95 }, (_, i) => mentionFixture(i));
    let failAt: number | null = 50;
    const flaky = listSource(items, {
      pageSize: 10,
      onPage: (offset) => {
        if (failAt !== null && offset === failAt) throw new Error('connection reset by peer');
      },
    });
    const ctx = withTestSource(base, flaky);
    const src = await makeSource(ctx, org.id, 'rss');
    const first = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
    expect(first).toMatchObject({ status: 'failed', inserted: 50 });
    failAt = null;
    const second = await runSource(ctx, { sourceId: src.id, trigger: 'manual' });
    expect(second).toMatchObject({ status: 'succeeded', inserted: 45, fetched: 45 });
    const { n, distinct } = one(
      await ctx.sql`select count(*)::int as n, count(distinct external_id)::int as distinct from mentions where org_id = ${org.id}`,
    );
    expect({ n, distinct }).toEqual({ n: 95, distinct: 95 });
    const [health] = await ctx.sql`select health from sources where id = ${src.id}`;
    expect(health!.health).toBe('ok');
  });
});
