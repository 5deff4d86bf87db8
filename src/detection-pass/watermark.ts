// When a bucket may be judged. After downtime (a restart, a collector failing) the first detection
// pass would otherwise step buckets whose posts are still on their way, and judge a flare-up by
// the part of it collected so far. A bucket is judged once every enabled pull source that runs at
// least as often as the wait has committed a run that began after the bucket ended — or once the
// wait has passed (counted from the bucket's end, or from when this detector started, whichever
// is later), and then the alert says which sources were behind. Slower sources (an hourly feed)
// are not waited for; their posts arrive late by design and re-judge the bucket (run-detection.ts).

import { createTask } from 'node-cron';
import type { AppContext } from '../context.ts';

export interface SourceCoverage {
  name: string;
  /** The run start of its latest successful run (ms), or null when it never succeeded. */
  coveredUntil: number | null;
}

export interface CollectionGate {
  /** Buckets ending at or before this are complete (ms; Infinity when nothing is waited for). */
  completeUntil: number;
  /** Buckets ending at or before this may be judged (complete, or waited for long enough). */
  judgeUntil: number;
  /** The sources that had not covered a bucket ending at `endMs`. */
  lagging(endMs: number): string[];
}

/** Pure: the gate for `now`, given the waited-for sources' coverage. */
export function collectionGate(sources: SourceCoverage[], o: { nowMs: number; waitFromMs: number; waitMs: number }): CollectionGate {
  const completeUntil = Math.min(Infinity, ...sources.map((s) => s.coveredUntil ?? -Infinity));
  // now - max(end, waitFrom) >= wait  ⇔  end <= now - wait, once now - waitFrom >= wait.
  const waitedUntil = o.nowMs - o.waitFromMs >= o.waitMs ? o.nowMs - o.waitMs : -Infinity;
  return {
    completeUntil,
    judgeUntil: Math.max(completeUntil, waitedUntil),
    lagging: (endMs) => sources.filter((s) => (s.coveredUntil ?? -Infinity) < endMs).map((s) => s.name),
  };
}

const intervals = new Map<string, number>();
/** A cron schedule's interval (ms), from its next two runs; Infinity when it cannot say. */
export function scheduleIntervalMs(schedule: string): number {
  let ms = intervals.get(schedule);
  if (ms === undefined) {
    try {
      const task = createTask(schedule, () => {});
      const [a, b] = task.getNextRuns(2);
      void task.destroy();
      ms = a && b ? b.getTime() - a.getTime() : Infinity;
    } catch {
      ms = Infinity;
    }
    intervals.set(schedule, ms);
  }
  return ms;
}

/** The org's waited-for pull sources and how far each has collected. */
export async function sourceCoverage(ctx: AppContext, orgId: string, waitMs: number): Promise<SourceCoverage[]> {
  const pullTypes = Object.values(ctx.sources)
    .filter((d) => d?.collect)
    .map((d) => d!.type);
  const rows = await ctx.sql<{ name: string; schedule: string; covered: Date | null }[]>`
    select s.name, s.schedule,
      (select max(coalesce(r.covers_until, r.started_at)) from collector_runs r
       where r.org_id = s.org_id and r.source_id = s.id and r.status = 'succeeded') as covered
    from sources s
    where s.org_id = ${orgId} and s.enabled and s.type = any(${pullTypes})`;
  return rows
    .filter((r) => scheduleIntervalMs(r.schedule) <= waitMs)
    .map((r) => ({ name: r.name, coveredUntil: r.covered?.getTime() ?? null }));
}
