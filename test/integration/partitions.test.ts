import type postgres from 'postgres';
import { afterAll, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { addMonths, ensureMonthPartitions, listMonthPartitions, monthOf } from '../../src/db/partitions.ts';
import { loadConfig } from '../../src/config.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { expireMonths } from '../../src/privacy/expire-months.ts';
import { makeOrg, makeSource, mentionFixture, stubAnalyzer, testContext } from '../factories/index.ts';
import { createEmptyDatabase, createTestDatabase, dropEmptyDatabases } from '../support/db.ts';

// Issue 18 item 4: mentions and the bucket counts partitioned by month — migrated without losing
// a row, a post stored once whatever date it comes back with, old months dropped whole by
// retention, and never a month that holds what an open incident cites.

afterAll(dropEmptyDatabases);

const analyzer = stubAnalyzer('partition-test', (text) => ({
  sentiment: text.includes('最悪') ? { label: 'negative', score: -0.8 } : { label: 'neutral', score: 0 },
  risks: [],
  pii: [],
  terms: [],
}));

/** Each table's rows as one digest, in a stable order. */
async function digest(sql: postgres.Sql, table: string, order: string): Promise<{ n: number; digest: string | null }> {
  const [r] = await sql.unsafe<{ n: number; digest: string | null }[]>(
    `select count(*)::int as n, md5(string_agg(t::text, E'\\n' order by ${order})) as digest from ${table} t`,
  );
  return r!;
}

it('migrates a database with posts into monthly partitions without losing or changing a row', async () => {
  const url = await createEmptyDatabase('hinoko_p');
  const h = connect(url, { max: 2, applicationName: 'hinoko-test' });
  try {
    await migrate(h.sql, undefined, { upTo: 33 });
    const [org] = await h.sql<{ id: string }[]>`insert into organizations (name, slug) values ('移行病院', 'migrate-p') returning id`;
    const [src] = await h.sql<{ id: string }[]>`
      insert into sources (org_id, type, name, config, schedule) values (${org!.id}, 'import', 'old', '{}', '* * * * *') returning id`;
    // Posts over four months, one from five years ago (older than any month made: the default partition).
    const now = new Date();
    const dates = [0, 1, 1, 2, 3, 60].map((back, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 3 + i, 12)));
    for (const [i, at] of dates.entries()) {
      await h.sql`
        insert into mentions (org_id, source_id, external_id, text, posted_at, raw, sentiment_label, analysis)
        values (${org!.id}, ${src!.id}, ${`old-${i}`}, ${`投稿 ${i}`}, ${at}, ${h.sql.json({ i })}, 'neutral', ${h.sql.json({ pii: [] })})`;
      await h.sql`
        insert into mention_counts (org_id, watch_target_id, bucket_start, total) values (${org!.id}, null, ${at}, ${i + 1})`;
      await h.sql`
        insert into mention_source_counts (org_id, source_id, bucket_start, total) values (${org!.id}, ${src!.id}, ${at}, ${i + 1})`;
    }
    const [first] = await h.sql<{ id: string }[]>`select id from mentions where external_id = 'old-1'`;
    await h.sql`insert into mention_versions (org_id, mention_id, version, text, raw, observed_at) values (${org!.id}, ${first!.id}, 1, '前の本文', '{}', now())`;
    const before = {
      mentions: await digest(h.sql, 'mentions', 't.id'),
      counts: await digest(h.sql, 'mention_counts', 't.bucket_start'),
      sourceCounts: await digest(h.sql, 'mention_source_counts', 't.bucket_start'),
      versions: await digest(h.sql, 'mention_versions', 't.id'),
    };
    const [lastId] = await h.sql<{ id: string }[]>`select max(id)::text as id from mentions`;

    expect(await migrate(h.sql)).toContain('034_monthly_partitions.sql');
    expect({
      mentions: await digest(h.sql, 'mentions', 't.id'),
      counts: await digest(h.sql, 'mention_counts', 't.bucket_start'),
      sourceCounts: await digest(h.sql, 'mention_source_counts', 't.bucket_start'),
      versions: await digest(h.sql, 'mention_versions', 't.id'),
    }).toEqual(before);
    const [kind] = await h.sql<{ kind: string }[]>`select relkind::text as kind from pg_class where relname = 'mentions'`;
    expect(kind!.kind).toBe('p');
    // Each post sits in its month; the one from five years ago in the default partition.
    const placed = await h.sql<{ external_id: string; part: string }[]>`
      select external_id, tableoid::regclass::text as part from mentions order by external_id`;
    const month = (d: Date) => d.toISOString().slice(0, 7).replace('-', '_');
    expect(placed.map((p) => p.part)).toEqual(dates.map((d, i) => (i === 5 ? 'mentions_default' : `mentions_${month(d)}`)));
    const partitions = await listMonthPartitions(h.sql);
    expect(partitions.get('mentions')).toEqual([3, 2, 1, 0, -1, -2].map((k) => addMonths(monthOf(now), -k)));
    expect(partitions.get('mention_counts')).toEqual(partitions.get('mentions'));
    // Every post has its key with the same id, and new ids go on after the old ones.
    const [keys] = await h.sql<{ n: number }[]>`
      select count(*)::int as n from mention_keys k join mentions m on m.org_id = k.org_id and m.id = k.id and m.external_id = k.external_id`;
    expect(keys!.n).toBe(6);
    const [next] = await h.sql<{ id: string }[]>`
      insert into mention_keys (org_id, source_id, external_id, posted_at) values (${org!.id}, ${src!.id}, 'new', now()) returning id`;
    expect(BigInt(next!.id)).toBeGreaterThan(BigInt(lastId!.id));
    // The versions now hang on the key.
    await expect(h.sql`delete from mention_keys where org_id = ${org!.id} and id = ${first!.id}`).resolves.toBeDefined();
    expect((await h.sql`select 1 from mention_versions`).length).toBe(0);
  } finally {
    await h.close();
  }
});

it('stores a post once even when it comes back with another date, and a month is made for rows that wait in the default partition', async () => {
  const db = await createTestDatabase();
  try {
    const ctx = testContext(db, { analyzer });
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const deps = ingestDepsFrom(ctx);
    const longAgo = new Date(Date.UTC(2019, 4, 10, 3));
    const first = await ingest(deps, { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(1, { postedAt: longAgo })] });
    expect(first.inserted).toHaveLength(1);
    // Republished (an RSS item with a new date): the same post, not a second one.
    const again = await ingest(deps, {
      orgId: org.id,
      sourceId: src.id,
      mentions: [mentionFixture(1, { postedAt: new Date(), text: '書き直した本文' })],
    });
    expect(again.inserted).toHaveLength(0);
    expect(again.edited).toBe(1);
    const rows = await ctx.sql<{ posted_at: Date; part: string }[]>`
      select posted_at, tableoid::regclass::text as part from mentions where org_id = ${org.id}`;
    expect(rows).toEqual([{ posted_at: longAgo, part: 'mentions_default' }]);
    // Making its month moves it (and its counts) out of the default partition.
    await ensureMonthPartitions(ctx.sql, new Date());
    const moved = await ctx.sql<{ part: string }[]>`select tableoid::regclass::text as part from mentions where org_id = ${org.id}`;
    expect(moved).toEqual([{ part: 'mentions_2019_05' }]);
    const counts = await ctx.sql<{ part: string; total: number }[]>`
      select tableoid::regclass::text as part, total from mention_counts where org_id = ${org.id} and watch_target_id is null`;
    expect(counts).toEqual([{ part: 'mention_counts_2019_05', total: 1 }]);
    expect((await ctx.sql`select 1 from mentions_default`).length).toBe(0);
  } finally {
    await db.drop();
  }
});

it('drops whole months past the horizon, keeps a month an open incident cites, and a dropped post is not collected again', async () => {
  const db = await createTestDatabase();
  try {
    const now = new Date();
    const config = loadConfig({ HINOKO_DATA_DIR: '/nonexistent-test-dir', HINOKO_KEEP_MONTHS: '3' });
    const ctx = testContext(db, { analyzer, config, now: () => now });
    const { org } = await makeOrg(ctx);
    const src = await makeSource(ctx, org.id);
    const deps = ingestDepsFrom(ctx);
    const at = (monthsBack: number, day = 10) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, day, 3));
    await ingest(deps, {
      orgId: org.id,
      sourceId: src.id,
      mentions: [
        mentionFixture(1, { postedAt: at(6), text: '半年前の投稿 最悪' }),
        mentionFixture(2, { postedAt: at(6, 20) }),
        mentionFixture(3, { postedAt: at(5), text: '証拠として引用された投稿 最悪' }),
        mentionFixture(4, { postedAt: at(2) }),
        mentionFixture(5, { postedAt: at(0) }),
        mentionFixture(6, { postedAt: at(40) }), // before any month: waits in the default partition
      ],
    });
    await ensureMonthPartitions(ctx.sql, now, { oldest: addMonths(monthOf(now), -12) });
    const ids = Object.fromEntries(
      (await ctx.sql<{ id: string; external_id: string }[]>`select id, external_id from mentions where org_id = ${org.id}`).map((r) => [
        r.external_id,
        r.id,
      ]),
    );
    await ingest(deps, {
      orgId: org.id,
      sourceId: src.id,
      mentions: [mentionFixture(1, { postedAt: at(6), text: '半年前の投稿 編集後 最悪' })],
    });
    await ctx.sql`insert into mention_triage (org_id, mention_id, status, posted_at) values (${org.id}, ${ids['m-2']!}, 'handled', ${at(6, 20)})`;
    // An open incident's alert quotes post 3.
    const [alert] = await ctx.sql<{ id: string }[]>`
      insert into alerts (org_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${org.id}, 'ep-p', 'crisis', 'open', 3, 0.8, now(), now(), 's',
        ${ctx.sql.json({ samples: [{ id: ids['m-3']!, text: 'quoted', engagement: 1, negative: true }] })})
      returning id`;
    const [incident] = await ctx.sql<{ id: string }[]>`
      insert into incidents (org_id, title, status, severity, playbook_version, detected_at, created_at, updated_at)
      values (${org.id}, '対応中', 'active', 3, 1, now(), now(), now()) returning id`;
    await ctx.sql`insert into incident_alerts (org_id, alert_id, incident_id, attached_at) values (${org.id}, ${alert!.id}, ${incident!.id}, now())`;

    const six = addMonths(monthOf(now), -6);
    const five = addMonths(monthOf(now), -5);
    const preview = await expireMonths(ctx, { dryRun: true });
    expect(preview).toMatchObject({ keepMonths: 3, firstKept: addMonths(monthOf(now), -3), outsideMonths: 1 });
    expect(preview.dropped).toContainEqual({ month: six, mentions: 2 });
    expect(preview.kept).toEqual([{ month: five, cited: 1 }]);
    expect((await ctx.sql`select 1 from mentions where org_id = ${org.id}`).length).toBe(6);

    const run = await expireMonths(ctx);
    expect(run.dropped).toEqual(preview.dropped);
    expect(run.kept).toEqual(preview.kept);
    expect(run.outsideMonths).toBe(1);
    const partitions = await listMonthPartitions(ctx.sql);
    for (const table of ['mentions', 'mention_counts', 'mention_source_counts', 'mention_risk_counts'] as const) {
      expect(partitions.get(table)!.filter((m) => m < addMonths(monthOf(now), -3))).toEqual([five]);
    }
    expect((await ctx.sql`select to_regclass(${`mentions_${six.replace('-', '_')}`}) as t`)[0]!.t).toBeNull();
    const left = await ctx.sql<{ external_id: string }[]>`select external_id from mentions where org_id = ${org.id} order by external_id`;
    expect(left.map((r) => r.external_id)).toEqual(['m-3', 'm-4', 'm-5']);
    // The dropped posts' versions and triage went with them; their keys stay.
    expect((await ctx.sql`select 1 from mention_versions where org_id = ${org.id}`).length).toBe(0);
    expect((await ctx.sql`select 1 from mention_triage where org_id = ${org.id}`).length).toBe(0);
    expect((await ctx.sql`select 1 from mention_keys where org_id = ${org.id}`).length).toBe(6);
    const counts = await ctx.sql<{ bucket_start: Date }[]>`
      select bucket_start from mention_counts where org_id = ${org.id} and watch_target_id is null order by 1`;
    expect(counts.every((c) => monthOf(c.bucket_start) >= five)).toBe(true);
    // Collected again, an expired post stays gone.
    const again = await ingest(deps, { orgId: org.id, sourceId: src.id, mentions: [mentionFixture(2, { postedAt: at(6, 20) })] });
    expect(again.inserted).toHaveLength(0);
    expect((await ctx.sql`select 1 from mentions where org_id = ${org.id} and external_id = 'm-2'`).length).toBe(0);

    const audit = await ctx.sql<{ target_id: string; after: { mentions?: number; removed?: number } }[]>`
      select target_id, after from audit_log where chain = 'platform' and action = 'retention.drop_month' order by seq`;
    expect(audit.map((a) => [a.target_id, a.after.mentions ?? a.after.removed])).toEqual([
      [six, 2],
      ['default', 1],
    ]);
    // A second run finds nothing; once the incident is over, the cited month goes too.
    expect(await expireMonths(ctx)).toMatchObject({ dropped: [], kept: [{ month: five, cited: 1 }], outsideMonths: 0 });
    await ctx.sql`update incidents set status = 'cancelled' where id = ${incident!.id}`;
    expect((await expireMonths(ctx)).dropped).toEqual([{ month: five, mentions: 1 }]);
  } finally {
    await db.drop();
  }
});

it('a month made while a collector stores that month into the default partition waits for it and takes its rows', async () => {
  const db = await createTestDatabase();
  try {
    const ctx = testContext(db, { analyzer });
    const { org } = await makeOrg(ctx);
    const at = new Date(Date.UTC(2031, 2, 10, 3));
    let making: Promise<unknown> | undefined;
    await ctx.sql.begin(async (tx) => {
      // Not committed yet when the month is made: the mover does not see it, the new month's check would.
      await tx`insert into mention_counts (org_id, watch_target_id, bucket_start, total) values (${org.id}, null, ${at}, 1)`;
      making = ctx.sql`select hinoko_month_partition('mention_counts', ${at}::date)`.execute();
      const [self] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      for (;;) {
        const [blocked] = await ctx.sql<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity where ${self!.pid} = any(pg_blocking_pids(pid))`;
        if (blocked!.n > 0) break;
      }
    });
    await making;
    const rows = await ctx.sql<{ part: string }[]>`
      select tableoid::regclass::text as part from mention_counts where org_id = ${org.id}`;
    expect(rows).toEqual([{ part: 'mention_counts_2031_03' }]);
  } finally {
    await db.drop();
  }
});
