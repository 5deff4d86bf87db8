import { recordAudit, systemActor, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/connect.ts';
import { addMonths, dropMonthPartition, listMonthPartitions, monthlyTables, monthOf, monthStart, type Month } from '../db/partitions.ts';

// Whole months of posts and counts past the installation's horizon (HINOKO_KEEP_MONTHS, README
// 「保存期間」) are dropped as partitions — one statement, not millions of deletes, and no bloat
// left behind. A month holding a post that an open incident or an unapproved post-mortem cites
// (hinoko_cited_mentions, sql/032) is kept whole until that is over, and reported as kept. What
// waits in the default partitions (posts dated before the oldest month made) goes row by row.
// The posts' keys (mention_keys) stay, so a post that expired is not collected again.

export interface MonthExpiryReport {
  /** 0: every month is kept. */
  keepMonths: number;
  /** The oldest month kept; null when nothing expires. */
  firstKept: Month | null;
  dropped: { month: Month; mentions: number }[];
  /** Months past the horizon kept because posts in them are cited. */
  kept: { month: Month; cited: number }[];
  /** Posts in the default partition dated before firstKept, removed one by one. */
  outsideMonths: number;
  dryRun: boolean;
}

const BATCH = 2_000;

export async function expireMonths(ctx: AppContext, opts: { dryRun?: boolean; actor?: AuditActor } = {}): Promise<MonthExpiryReport> {
  const keepMonths = ctx.config.retention.keepMonths;
  const dryRun = opts.dryRun === true;
  const report: MonthExpiryReport = { keepMonths, firstKept: null, dropped: [], kept: [], outsideMonths: 0, dryRun };
  if (keepMonths === 0) return report;
  const actor = opts.actor ?? systemActor;
  const now = ctx.now();
  const firstKept = addMonths(monthOf(now), -keepMonths);
  report.firstKept = firstKept;

  const partitions = await listMonthPartitions(ctx.sql);
  const expired = [...new Set([...partitions.values()].flat())].filter((m) => m < firstKept).sort();
  for (const month of expired) {
    if (ctx.shutdown.aborted) break;
    const range = { lo: monthStart(month), hi: monthStart(addMonths(month, 1)) };
    const cited = await citedIn(ctx, range.lo, range.hi);
    if (cited > 0) {
      report.kept.push({ month, cited });
      continue;
    }
    const [count] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from mentions where posted_at >= ${range.lo} and posted_at < ${range.hi}`;
    report.dropped.push({ month, mentions: count!.n });
    if (dryRun) continue;
    await ctx.sql.begin(async (tx) => {
      await removeDependents(tx, tx`select org_id, id from mention_keys where posted_at >= ${range.lo} and posted_at < ${range.hi}`);
      for (const table of monthlyTables) await dropMonthPartition(tx, table, month);
      await auditDrop(tx, actor, month, { month, mentions: count!.n, keepMonths }, now);
    });
  }
  report.outsideMonths = await expireOutsideMonths(ctx, monthStart(firstKept), { dryRun, actor, keepMonths });
  return report;
}

/** Installation-wide, so on the platform's audit chain. */
function auditDrop(tx: Tx, actor: AuditActor, month: Month | 'default', after: Record<string, unknown>, at: Date): Promise<void> {
  return recordAudit(tx, actor, { orgId: null, action: 'retention.drop_month', targetType: 'month', targetId: month, after }, at);
}

/** Posts dated in [lo, hi) that an open incident or an unapproved post-mortem cites, in any organisation. */
async function citedIn(ctx: AppContext, lo: Date, hi: Date): Promise<number> {
  const [row] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n
    from organizations o
    cross join lateral hinoko_cited_mentions(o.id) c
    join mention_keys k on k.org_id = o.id and k.id = c.mention_id
    where k.posted_at >= ${lo} and k.posted_at < ${hi}`;
  return row!.n;
}

/** Versions, notes and triage of the posts `keys` selects (org_id, id): they go with the posts. */
async function removeDependents(tx: Tx, keys: ReturnType<Tx>): Promise<void> {
  for (const table of ['mention_versions', 'mention_notes', 'mention_triage'] as const) {
    await tx`delete from ${tx(table)} d using (${keys}) k where d.org_id = k.org_id and d.mention_id = k.id`;
  }
}

/** Rows of the default partitions dated before `before`, in audited batches; returns the posts removed. */
async function expireOutsideMonths(
  ctx: AppContext,
  before: Date,
  { dryRun, actor, keepMonths }: { dryRun: boolean; actor: AuditActor; keepMonths: number },
): Promise<number> {
  // Read from the default partition itself: a filter on tableoid through the parent would scan every month.
  const candidates = ctx.sql`
    select m.org_id, m.id from mentions_default m
    where m.posted_at < ${before}
      and (m.org_id, m.id) not in (
        select o.id, c.mention_id from organizations o cross join lateral hinoko_cited_mentions(o.id) c)`;
  if (dryRun) {
    const [row] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from (${candidates}) d`;
    return row!.n;
  }
  let removed = 0;
  for (;;) {
    const n = await ctx.sql.begin(async (tx) => {
      const rows = await tx<{ org_id: string; id: string }[]>`${candidates} limit ${BATCH}`;
      if (rows.length === 0) return 0;
      const ids = { org: rows.map((r) => r.org_id), id: rows.map((r) => r.id) };
      await removeDependents(tx, tx`select org_id, id from unnest(${ids.org}::bigint[], ${ids.id}::bigint[]) as k(org_id, id)`);
      await tx`
        delete from mentions_default m using unnest(${ids.org}::bigint[], ${ids.id}::bigint[]) as k(org_id, id)
        where m.org_id = k.org_id and m.id = k.id`;
      await auditDrop(tx, actor, 'default', { removed: rows.length, keepMonths }, ctx.now());
      return rows.length;
    });
    removed += n;
    if (n < BATCH || ctx.shutdown.aborted) break;
  }
  // Counts carry no personal data, but they go with the posts they counted.
  for (const table of ['mention_counts', 'mention_source_counts', 'mention_risk_counts'] as const) {
    await ctx.sql`delete from ${ctx.sql(`${table}_default`)} where bucket_start < ${before}`;
  }
  return removed;
}
