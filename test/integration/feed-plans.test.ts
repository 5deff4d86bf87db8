import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/record.ts';
import { connect, type DbHandle } from '../../src/db/connect.ts';
import { addMonths, ensureMonthPartitions, monthOf, monthStart } from '../../src/db/partitions.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { listMentions, type MentionFilter } from '../../src/mentions/queries.ts';
import { triageMention } from '../../src/mentions/triage-mention.ts';
import { viewMentions } from '../../src/mentions/view-mentions.ts';
import { makeOrg, makeSource, mentionFixture, stubAnalyzer, testContext } from '../factories/index.ts';
import { newTestPerson } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 18 item 3: the feed's fixed shapes run on connections that reuse one generic plan per
// statement (AppContext.readGenericSql) instead of planning every month's partition at each call.
// A generic plan is made once for every value, so it must find the same posts as a plan made for
// the values, over several months, on every page.

let db: TestDatabase;
let other: TestDatabase;
let generic: DbHandle;
beforeAll(async () => {
  [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  generic = connect(db.url, { max: 2, applicationName: 'hinoko-test-plans', plans: 'generic' });
});
afterAll(async () => {
  await generic.close();
  await Promise.all([db.drop(), other.drop()]);
});

const analyzer = stubAnalyzer('feed-plans', (text) => ({
  sentiment: text.includes('最悪')
    ? { label: 'negative', score: -0.8 }
    : text.includes('親切')
      ? { label: 'positive', score: 0.7 }
      : { label: 'neutral', score: 0 },
  risks: text.includes('最悪') ? [{ category: '接遇・態度', score: 0.7, terms: ['最悪'] }] : [],
  pii: text.includes('090-') ? [{ type: 'phone', start: text.indexOf('090-'), end: text.indexOf('090-') + 13 }] : [],
  terms: [],
}));

/** Every page of a filter, newest first, as ids and cursors. */
async function allPages(sql: DbHandle['sql'], f: MentionFilter): Promise<{ ids: string[]; cursors: (string | null)[] }> {
  const ids: string[] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await listMentions(sql, { ...f, cursor, limit: 7 });
    ids.push(...r.items.map((m) => m.id));
    cursors.push(r.nextCursor);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return { ids, cursors };
}

it('every feed filter finds the same posts, page by page, on reused generic plans as on plans made per call', async () => {
  const [mode] = await generic.sql<{ mode: string }[]>`select current_setting('plan_cache_mode') as mode`;
  expect(mode!.mode).toBe('force_generic_plan');

  const ctx = testContext(db, { analyzer });
  const { org, target } = await makeOrg(ctx);
  const [a, b] = [await makeSource(ctx, org.id), await makeSource(ctx, org.id)];
  // Three months of posts, each month its own partition, a few in the month being made next.
  const now = new Date();
  const first = addMonths(monthOf(now), -2);
  await ensureMonthPartitions(db.sql, monthStart(first));
  const texts = ['テスト内科の受付が最悪だった', 'テスト内科の先生が親切', 'テスト内科に行った 090-1234-5678', 'テスト内科の駐車場'];
  for (const [s, source] of [a, b].entries()) {
    await ingest(ingestDepsFrom(ctx), {
      orgId: org.id,
      sourceId: source.id,
      mentions: Array.from({ length: 60 }, (_, i) =>
        mentionFixture(i, {
          externalId: `p-${s}-${i}`,
          text: `${texts[i % texts.length]} ${i}`,
          // Spread over two months and more; the two sources' posts share their times, so ids break the ties.
          postedAt: new Date(monthStart(first).getTime() + Math.floor((i * 70) / 3) * 3_600_000),
          isPrivate: s === 1 && i % 9 === 0,
          watchTargetId: i % 2 === 0 ? target.id : null,
        }),
      ),
    });
  }
  const person = await newTestPerson(ctx, org.id, 'pr_staff');
  const ids = await db.sql<{ id: string }[]>`select id from mentions where org_id = ${org.id} and not is_private order by id`;
  for (const [i, { id }] of ids.entries()) {
    if (i % 4 === 0) continue;
    await triageMention(
      ctx,
      org.id,
      id,
      { status: (['handled', 'needs_reply', 'ignored'] as const)[i % 3], assigneeId: i % 5 === 0 ? person.id : undefined },
      { userId: person.id, includePrivate: false },
      systemActor,
    );
  }

  const middle = monthStart(addMonths(first, 1));
  const filters: Omit<MentionFilter, 'orgId'>[] = [
    { includePrivate: false },
    { includePrivate: true },
    { includePrivate: true, sourceId: b.id },
    { includePrivate: false, watchTargetId: target.id },
    { includePrivate: false, sentiment: 'negative' },
    { includePrivate: false, sentiment: 'positive', from: middle },
    { includePrivate: true, from: middle, to: monthStart(addMonths(first, 2)) },
    { includePrivate: false, hasPii: true },
    { includePrivate: false, hasPii: false, to: middle },
    { includePrivate: false, triage: 'open' },
    { includePrivate: false, triage: 'unhandled' },
    { includePrivate: false, triage: 'handled' },
    { includePrivate: false, triage: 'needs_reply', sentiment: 'negative' },
    { includePrivate: false, assigneeId: person.id },
  ];
  for (const f of filters) {
    const planned = await allPages(db.sql, { orgId: org.id, ...f });
    const reused = await allPages(generic.sql, { orgId: org.id, ...f });
    expect(planned.ids.length, JSON.stringify(f)).toBeGreaterThan(0);
    expect(reused, JSON.stringify(f)).toEqual(planned);
  }
  // The whole feed is every post once, newest first across the months.
  const all = await allPages(generic.sql, { orgId: org.id, includePrivate: true });
  expect(all.ids).toHaveLength(120);
  expect(new Set(all.ids).size).toBe(120);
});

it('the feed reads the generic-plan pool, except a text search or a risk category, which are planned for their values', async () => {
  // The generic pool is another database here: what the feed finds tells which pool it read.
  const ctx = testContext(db, { analyzer: null, readGenericSql: other.sql });
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  await ingest(ingestDepsFrom({ ...ctx, analyzer }), {
    orgId: org.id,
    sourceId: src.id,
    mentions: [mentionFixture(1, { text: 'テスト内科の受付が最悪だった' })],
  });
  await db.sql`update mentions set search = to_tsvector('simple', '受付') where org_id = ${org.id}`;
  const viewer = { actor: systemActor, revealPii: false, includePrivate: false };
  expect((await viewMentions(ctx, viewer, { orgId: org.id })).items).toEqual([]);
  expect((await viewMentions(ctx, viewer, { orgId: org.id, sentiment: 'negative' })).items).toEqual([]);
  expect((await viewMentions(ctx, viewer, { orgId: org.id, words: ['受付'] })).items.map((m) => m.externalId)).toEqual(['m-1']);
  expect((await viewMentions(ctx, viewer, { orgId: org.id, riskCategory: '接遇・態度' })).items.map((m) => m.externalId)).toEqual(['m-1']);
});
