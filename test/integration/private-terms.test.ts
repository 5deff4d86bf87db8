import { afterAll, beforeAll, expect, it } from 'vitest';
import { hourlyTermCounts } from '../../src/detection-pass/signals.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { createApp } from '../../src/server/app.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Issue 11 item 5: words from private LINE messages reached every role through emerging terms
// and alert terms, with no audit row.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('terms of private messages reach only roles that may see personal data, on record; alert terms never carry them', async () => {
  const ctx = testContext(db, { analyzer: await loadAnalyzer() });
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  const at = new Date('2026-11-20T01:10:00Z');
  const mentions = [
    ...Array.from({ length: 6 }, (_, i) =>
      mentionFixture(i, { postedAt: new Date(at.getTime() + i * 1000), text: 'テスト内科で糖尿病の持病を相談したい', isPrivate: true }),
    ),
    ...Array.from({ length: 6 }, (_, i) =>
      mentionFixture(100 + i, { postedAt: new Date(at.getTime() + i * 1000), text: 'テスト内科の駐車場が満車' }),
    ),
  ];
  await ingest(ingestDepsFrom(ctx), { orgId: org.id, sourceId: src.id, mentions });
  const url = `/api/v1/organizations/${org.id}/emerging-terms?from=2026-11-20T01:00:00Z&to=2026-11-20T02:00:00Z`;
  const app = createApp(ctx);
  const terms = async (role: 'pr_staff' | 'admin') =>
    (await (await app.request(url, { headers: await authHeaders(ctx, { orgId: org.id, role }) })).json()) as {
      items: { term: string }[];
      includesPrivateMessages: boolean;
    };

  const staff = await terms('pr_staff');
  expect(staff.includesPrivateMessages).toBe(false);
  expect(staff.items.map((t) => t.term)).toContain('駐車場');
  expect(JSON.stringify(staff)).not.toMatch(/糖尿病|持病/);
  const audited = async () =>
    (await ctx.sql`select count(*)::int as n from audit_log where org_id = ${org.id} and action = 'mention.view_private_terms'`)[0]!.n;
  expect(await audited()).toBe(0);

  const admin = await terms('admin');
  expect(admin.includesPrivateMessages).toBe(true);
  expect(admin.items.map((t) => t.term)).toContain('糖尿病');
  expect(await audited()).toBe(1);

  // What an alert explains (mailed, shown to every role) leaves private messages out.
  const hourly = await hourlyTermCounts(ctx.sql, {
    orgId: org.id,
    watchTargetId: null,
    from: new Date('2026-11-20T00:00:00Z'),
    to: new Date('2026-11-20T03:00:00Z'),
  });
  const all = [...hourly.values()].flatMap((m) => [...m.keys()]);
  expect(all).toContain('駐車場');
  expect(all).not.toContain('糖尿病');
});
