import type { AppContext } from '../context.ts';
import { getSource } from './sources.ts';

export interface SourceRun {
  id: string;
  trigger: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  pages: number;
  fetched: number;
  inserted: number;
  updated: number;
  tombstoned: number;
  rejected: number;
  error: string | null;
}

/** A source's last 50 runs, newest first (404 when the source is not the organization's). */
export async function listSourceRuns(ctx: AppContext, orgId: string, sourceId: string): Promise<SourceRun[]> {
  const src = await getSource(ctx, sourceId, orgId);
  // Served by collector_runs_source_idx (org_id, source_id, started_at desc).
  return ctx.sql<SourceRun[]>`
    select id, trigger, status, started_at, finished_at, pages, fetched, inserted, updated, tombstoned, rejected, error
    from collector_runs where org_id = ${src.orgId} and source_id = ${src.id}
    order by started_at desc limit 50`;
}
