import { rankEmergingTerms, type EmergingTerm } from '../analysis/index.ts';
import type { Sql } from '../db/connect.ts';
import { ValidationError } from '../errors.ts';

export interface EmergingTermsQuery {
  orgId: string;
  watchTargetId?: string;
  from: Date;
  to: Date;
  /** Earlier windows of the same length to compare against (default 7). */
  baselineWindows?: number;
  limit?: number;
  /**
   * Private messages (LINE) are patients' words to the clinic: their terms count only for those
   * who may see personal data, and then the route records the view.
   */
  includePrivate: boolean;
}

/**
 * What people are talking about: terms of the window [from, to) that rise against the same
 * terms in the preceding windows of equal length. Terms come from each mention's analysis.
 */
export async function emergingTerms(
  sql: Sql,
  q: EmergingTermsQuery,
): Promise<{ items: EmergingTerm[]; baselineWindows: number; privateMessages: number }> {
  const length = q.to.getTime() - q.from.getTime();
  if (length <= 0) throw new ValidationError('to must be after from');
  if (length > 31 * 86_400_000) throw new ValidationError('the window may be at most 31 days');
  const windows = Math.min(Math.max(q.baselineWindows ?? 7, 1), 28);
  const start = new Date(q.from.getTime() - windows * length);
  const rows = await sql<{ w: number; term: string; n: number; private_mentions: number }[]>`
    select floor(extract(epoch from (m.posted_at - ${start}::timestamptz)) * 1000 / ${length})::int as w, t.term, count(*)::int as n,
      count(*) filter (where m.is_private)::int as private_mentions
    from mentions m, jsonb_array_elements_text(coalesce(m.analysis -> 'terms', '[]'::jsonb)) as t(term)
    where m.org_id = ${q.orgId}
      ${q.watchTargetId ? sql`and m.watch_target_id = ${q.watchTargetId}` : sql``}
      ${q.includePrivate ? sql`` : sql`and not m.is_private`}
      and m.posted_at >= ${start} and m.posted_at < ${q.to}
    group by 1, 2`;
  const current = new Map<string, number>();
  const baseline = Array.from({ length: windows }, () => new Map<string, number>());
  for (const r of rows) {
    if (r.w === windows) current.set(r.term, r.n);
    else if (r.w >= 0 && r.w < windows) baseline[r.w]!.set(r.term, r.n);
  }
  const privateMessages = rows.reduce((n, r) => n + r.private_mentions, 0);
  return { items: rankEmergingTerms({ current, baseline, limit: q.limit ?? 20 }), baselineWindows: windows, privateMessages };
}
