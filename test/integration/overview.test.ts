import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import type { AppContext } from '../../src/context.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { createApp } from '../../src/server/app.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { authHeaders } from '../support/api-auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The wall screen's data (issue 14 item 2): volume per watch target and per source, today against
// the same span of previous days, what is open, rising terms and source health — per organisation,
// and only the parts the caller's role may read.

const now = new Date('2026-11-20T03:30:00Z'); // 12:30 JST
const DAY = 86_400_000;

interface Usual {
  now: number;
  usual: number | null;
  verdict: string;
  label: string;
  days: number;
}
interface OverviewBody {
  from: string;
  bucketSeconds: number;
  byWatchTarget: { watchTargetId: string | null; name: string; points: { start: string; total: number; negative: number }[] }[];
  bySource: { sourceId: string; name: string; points: { total: number; negative: number }[] }[] | null;
  today: { sinceMidnight: Usual; thisHour: Usual };
  alerts: { open: number; latest: { id: string }[] } | null;
  incidents: { open: { id: string; title: string; severity: number; acknowledgedAt: string | null }[] } | null;
  risingTerms: { includesPrivateMessages: boolean; items: { term: string }[] };
  sources: { id: string; name: string; health: string; missingCredentials: string[]; lastRun: unknown }[] | null;
}

let db: TestDatabase;
let ctx: AppContext;
let orgId: string;
let otherOrgId: string;
let sourceId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = testContext(db, { analyzer: await loadAnalyzer(), now: () => now });
  const { org, target } = await makeOrg(ctx);
  orgId = org.id;
  await ctx.sql`insert into watch_targets (org_id, name) values (${orgId}, '静かな分院')`;
  const src = await makeSource(ctx, org.id);
  sourceId = src.id;
  const history = Array.from({ length: 7 }, (_, k) => k + 1).flatMap((d) => [
    mentionFixture(1000 + d * 10, { postedAt: new Date(Date.UTC(2026, 10, 20, 2, 0) - d * DAY), text: 'テスト内科の受付' }),
    mentionFixture(1001 + d * 10, { postedAt: new Date(Date.UTC(2026, 10, 20, 2, 5) - d * DAY), text: 'テスト内科の受付' }),
    mentionFixture(1002 + d * 10, { postedAt: new Date(Date.UTC(2026, 10, 20, 3, 10) - d * DAY), text: 'テスト内科の受付' }),
  ]);
  const today = Array.from({ length: 20 }, (_, i) =>
    mentionFixture(i, {
      postedAt: new Date(Date.UTC(2026, 10, 20, 3, 0) + i * 60_000),
      text: i % 2 === 0 ? 'テスト内科の看護師の対応が最悪で二度と行かない' : 'テスト内科の駐車場が満車',
      watchTargetId: target.id,
    }),
  );
  const secret = Array.from({ length: 6 }, (_, i) =>
    mentionFixture(500 + i, {
      postedAt: new Date(Date.UTC(2026, 10, 20, 3, 20) + i * 1000),
      text: 'テスト内科で糖尿病の持病を相談',
      isPrivate: true,
    }),
  );
  await ingest(ingestDepsFrom(ctx), { orgId, sourceId, mentions: [...history, ...today, ...secret] });

  const other = await makeOrg(ctx, '別の病院');
  otherOrgId = other.org.id;
  const otherSrc = await makeSource(ctx, otherOrgId);
  await ingest(ingestDepsFrom(ctx), {
    orgId: otherOrgId,
    sourceId: otherSrc.id,
    mentions: [mentionFixture(9000, { postedAt: new Date(Date.UTC(2026, 10, 20, 3, 5)), text: 'テスト内科の別件' })],
  });

  await ctx.sql`
    insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
    values (${orgId}, 'ep-1', 'crisis', 'open', 4, 0.9, ${now}, ${now}, '否定的な投稿の急増', '{}'::jsonb),
           (${otherOrgId}, 'ep-2', 'notice', 'open', 2, 0.5, ${now}, ${now}, '別の病院のアラート', '{}'::jsonb)`;
  await ctx.sql`
    insert into incidents (org_id, title, status, severity, playbook_version, detected_at, created_at, updated_at)
    values (${orgId}, '看護師の対応への批判・深刻度4', 'triage', 4, 1, ${now}, ${now}, ${now}),
           (${orgId}, '解決済みの件', 'resolved', 2, 1, ${now}, ${now}, ${now})`;
});
afterAll(async () => {
  await db.drop();
});

async function overview(role: 'pr_staff' | 'admin', query = '', org = orgId) {
  const res = await createApp(ctx).request(`/api/v1/organizations/${org}/overview${query}`, {
    headers: await authHeaders(ctx, { orgId: org, role }),
  });
  return { status: res.status, body: (await res.json()) as OverviewBody };
}

describe('the overview', () => {
  it('charts the last 24 hours per watch target and per source, zeros included', async () => {
    const { status, body } = await overview('pr_staff');
    expect(status).toBe(200);
    expect(body.bucketSeconds).toBe(900);
    const [all, ...targets] = body.byWatchTarget;
    expect(all!.watchTargetId).toBeNull();
    expect(all!.points).toHaveLength(96);
    // 20 public + 6 private today; yesterday's 03:10Z is outside the window that starts 03:30Z.
    expect(all!.points.reduce((n, p) => n + p.total, 0)).toBe(26);
    const negative = (
      await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from mentions where org_id = ${orgId} and sentiment_label = 'negative' and posted_at >= ${body.from}`
    )[0]!.n;
    expect(negative).toBeGreaterThan(0);
    expect(all!.points.reduce((n, p) => n + p.negative, 0)).toBe(negative);
    // Every watch target is on the wall, the quiet one too (as zeros), by name.
    expect(targets.map((t) => t.name).sort()).toEqual(['テスト内科', '静かな分院'].sort());
    const sum = (name: string) => targets.find((t) => t.name === name)!.points.reduce((n, p) => n + p.total, 0);
    expect(sum('テスト内科')).toBe(20);
    expect(sum('静かな分院')).toBe(0);
    expect(targets.every((t) => t.points.length === 96)).toBe(true);
    expect(body.bySource).toHaveLength(1);
    expect(body.bySource![0]!.sourceId).toBe(sourceId);
    expect(body.bySource![0]!.points.reduce((n, p) => n + p.total, 0)).toBe(26);
  });

  it('compares today with the same span of the previous days it has data for', async () => {
    const { body } = await overview('pr_staff');
    expect(body.today.thisHour).toMatchObject({ now: 26, usual: 1, verdict: 'much_busier', label: 'いつもよりかなり多い', days: 7 });
    expect(body.today.sinceMidnight).toMatchObject({ now: 26, usual: 3, verdict: 'much_busier', days: 7 });
  });

  it('lists what is open in this organisation only', async () => {
    const { body } = await overview('pr_staff');
    expect(body.alerts!.open).toBe(1);
    expect(body.alerts!.latest).toHaveLength(1);
    expect(body.incidents!.open.map((i) => i.title)).toEqual(['看護師の対応への批判・深刻度4']);
    expect(JSON.stringify(body)).not.toContain('別の病院');
    expect(body.sources!.map((s) => s.id)).toEqual([sourceId]);
    expect(body.sources![0]!.lastRun).toBeNull();
  });

  it('counts private messages in volume but keeps their words to roles that may see personal data, on record', async () => {
    const staff = await overview('pr_staff');
    expect(staff.body.risingTerms.includesPrivateMessages).toBe(false);
    expect(staff.body.risingTerms.items.map((t) => t.term)).toContain('駐車場');
    expect(JSON.stringify(staff.body)).not.toMatch(/糖尿病|持病/);
    const audited = async () =>
      (
        await ctx.sql<
          { n: number }[]
        >`select count(*)::int as n from audit_log where org_id = ${orgId} and action = 'mention.view_private_terms'`
      )[0]!.n;
    const before = await audited();
    const admin = await overview('admin');
    expect(admin.body.risingTerms.includesPrivateMessages).toBe(true);
    expect(admin.body.risingTerms.items.map((t) => t.term)).toContain('糖尿病');
    expect(await audited()).toBe(before + 1);
  });

  it('widens to hourly buckets for a week and refuses a range it does not serve', async () => {
    const week = await overview('pr_staff', '?hours=168');
    expect(week.body.bucketSeconds).toBe(3600);
    // A week back to the hour, and the current hour so far as the last point.
    const points = week.body.byWatchTarget[0]!.points;
    expect(points).toHaveLength(169);
    expect(new Date(points[0]!.start).getTime()).toBeLessThanOrEqual(now.getTime() - 168 * 3_600_000);
    expect(new Date(points.at(-1)!.start).getTime()).toBe(Date.UTC(2026, 10, 20, 3, 0));
    for (const bad of ['?hours=0', '?hours=169', '?hours=abc', '?hours=24&x=1']) expect((await overview('pr_staff', bad)).status).toBe(400);
  });

  it('keeps the per-source rollup equal to the mentions it counts, and the migration backfills it the same way', async () => {
    const direct = () => ctx.sql`
      select source_id, to_timestamp(floor(extract(epoch from posted_at) / 300) * 300) as bucket_start, count(*)::int as total,
        (count(*) filter (where sentiment_label = 'negative'))::int as negative
      from mentions where org_id = ${orgId} group by 1, 2 order by 1, 2`;
    const rollup = () => ctx.sql`
      select source_id, bucket_start, total, negative from mention_source_counts where org_id = ${orgId} order by 1, 2`;
    // An edit that changes a post's sentiment moves its negative count too.
    await ingest(ingestDepsFrom(ctx), {
      orgId,
      sourceId,
      mentions: [
        mentionFixture(1, { postedAt: new Date(Date.UTC(2026, 10, 20, 3, 1)), text: 'テスト内科の看護師の対応が最悪で二度と行かない' }),
      ],
    });
    const expected = await direct();
    expect(expected.length).toBeGreaterThan(5);
    expect(await rollup()).toEqual(expected);
    const migration = readFileSync(new URL('../../sql/019_mention_source_counts.sql', import.meta.url), 'utf8');
    await ctx.sql`delete from mention_source_counts where org_id = ${orgId}`;
    await ctx.sql.unsafe(
      migration
        .slice(migration.indexOf('insert into mention_source_counts'))
        .replace('from mentions', `from mentions where org_id = ${Number(orgId)}`),
    );
    expect(await rollup()).toEqual(expected);
  });

  it('answers another organisation’s overview with 403 or 404, never its data', async () => {
    const res = await createApp(ctx).request(`/api/v1/organizations/${otherOrgId}/overview`, {
      headers: await authHeaders(ctx, { orgId, role: 'admin' }),
    });
    expect([403, 404]).toContain(res.status);
  });
});
