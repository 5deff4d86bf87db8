import type { Sql, Tx } from './connect.ts';

// Mentions and the bucket counts are partitioned by UTC month (sql/034_monthly_partitions.sql).
// Months are made ahead of time — at start-up and by the daily retention job — so a post lands
// in its own month; one that falls outside every month made waits in the default partition and
// moves into its month when that month is made. Making and dropping go through the owner's two
// functions in sql/034, as the service's role does not own the tables.

export const monthlyTables = ['mentions', 'mention_counts', 'mention_source_counts', 'mention_risk_counts'] as const;
export type MonthlyTable = (typeof monthlyTables)[number];

/** A UTC month as 'YYYY-MM'. */
export type Month = string;

export function monthOf(at: Date): Month {
  return at.toISOString().slice(0, 7);
}

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: Month, n: number): Month {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return monthOf(d);
}

export function monthStart(month: Month): Date {
  return new Date(`${month}-01T00:00:00Z`);
}

/**
 * Makes this month and the next `ahead` for every monthly table, and the month of every row that
 * waits in a default partition (from `oldest` on: older rows are retention's to remove); months
 * that exist are left alone. A restore or a backfill of old posts lands in the default partition
 * first and moves to its months here.
 */
export async function ensureMonthPartitions(sql: Sql | Tx, now: Date, opts: { ahead?: number; oldest?: Month } = {}): Promise<void> {
  const first = monthOf(now);
  const months = new Set<Month>();
  for (let i = 0; i <= (opts.ahead ?? 2); i++) months.add(addMonths(first, i));
  for (const table of monthlyTables) {
    const column = table === 'mentions' ? 'posted_at' : 'bucket_start';
    // The default partition itself: a filter on tableoid through the parent would scan every month.
    const waiting = await sql<{ month: Month }[]>`
      select distinct to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM') as month from ${sql(`${table}_default`)}`;
    for (const { month } of waiting) if (opts.oldest === undefined || month >= opts.oldest) months.add(month);
  }
  for (const month of [...months].sort()) {
    for (const table of monthlyTables) await sql`select hinoko_month_partition(${table}, ${monthStart(month)}::date)`;
  }
}

/** The months that have a partition, per table, oldest first. */
export async function listMonthPartitions(sql: Sql | Tx): Promise<Map<MonthlyTable, Month[]>> {
  const rows = await sql<{ parent: MonthlyTable; child: string }[]>`
    select p.relname as parent, c.relname as child
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = current_schema() and p.relname = any(${monthlyTables as unknown as string[]}::text[])
    order by c.relname`;
  const out = new Map<MonthlyTable, Month[]>(monthlyTables.map((t) => [t, []]));
  for (const { parent, child } of rows) {
    const m = /_(\d{4})_(\d{2})$/.exec(child.slice(parent.length));
    if (m) out.get(parent)!.push(`${m[1]}-${m[2]}`);
  }
  return out;
}

/** Drops one month of one table; false when it had no partition. */
export async function dropMonthPartition(tx: Tx, table: MonthlyTable, month: Month): Promise<boolean> {
  const [row] = await tx<{ dropped: boolean }[]>`select hinoko_drop_month_partition(${table}, ${monthStart(month)}::date) as dropped`;
  return row!.dropped;
}
