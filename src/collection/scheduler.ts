import cron from 'node-cron';
import type { AppContext } from '../context.ts';
import type { Job } from '../jobs/job.ts';
import { JobRunner } from '../jobs/runner.ts';
import { runSource, type RunOutcome } from './run-source.ts';
import { definitionFor, listSources, type SourceRecord } from './sources.ts';

/** The collection schedule's job; `outcomes` holds every scheduled run's outcome, for tests and diagnostics (bounded). */
export interface CollectionScheduleJob extends Job<void> {
  readonly outcomes: { sourceId: string; at: Date; outcome: RunOutcome }[];
}

/**
 * Runs every enabled source on its own cron schedule: one cron job per source, reconciled with
 * the sources table every `refreshMs`, so adding, disabling or re-scheduling one needs no restart.
 */
export function collectionScheduleJob(options: { refreshMs?: number } = {}): CollectionScheduleJob {
  const runners = new Map<string, { runner: JobRunner; schedule: string }>();
  const retiring = new Set<Promise<void>>();
  const outcomes: CollectionScheduleJob['outcomes'] = [];
  return {
    name: 'collection-schedule',
    trigger: { pollMs: options.refreshMs ?? 30_000 },
    // No lock: every instance keeps its cron jobs, and each source's job is safe on several
    // (below); an instance that stops leaves the ticks to the others.
    lock: null,
    outcomes,
    async run(ctx, pass) {
      const sources = (await listSources(ctx, { enabledOnly: true })).filter((s) => isCollectable(ctx, s));
      const wanted = new Map(sources.map((s) => [s.id, s]));
      for (const [id, entry] of runners) {
        const s = wanted.get(id);
        if (!s || s.schedule !== entry.schedule) {
          runners.delete(id);
          // Not awaited: a long run of a source just disabled must not hold back the others' schedules.
          const stopping = entry.runner.stop().finally(() => retiring.delete(stopping));
          retiring.add(stopping);
        }
      }
      for (const s of sources) {
        if (runners.has(s.id) || pass.signal.aborted) continue;
        const runner = new JobRunner(ctx, sourceJob(s, outcomes));
        runners.set(s.id, { runner, schedule: s.schedule });
        await runner.start();
      }
    },
    // Together: a source's cron job still running would fire ticks while another's run is awaited.
    async stop() {
      const stopping = [...runners.values()].map(({ runner }) => runner.stop());
      runners.clear();
      await Promise.all([...stopping, ...retiring]);
    },
  };
}

function isCollectable(ctx: AppContext, s: SourceRecord): boolean {
  try {
    return Boolean(definitionFor(ctx, s.type).collect) && cron.validate(s.schedule);
  } catch {
    return false;
  }
}

function sourceJob(s: SourceRecord, outcomes: CollectionScheduleJob['outcomes']): Job<void> {
  return {
    name: `collect:${s.id}`,
    trigger: { cron: s.schedule },
    // No lock: each tick is claimed by one insert (collector_runs is unique on the tick), so every
    // instance fires it and one runs it; the per-source lease taken in runSource
    // (leaseNames.sourceRun) keeps runs from overlapping when one outlasts its interval.
    lock: null,
    async run(ctx, pass) {
      const [src] = await ctx.sql<{ health: string; enabled: boolean }[]>`select health, enabled from sources where id = ${s.id}`;
      // A source whose credentials were refused waits for a config change instead of hammering the API.
      if (!src || !src.enabled || src.health === 'unhealthy' || pass.signal.aborted) return;
      const scheduledFor = pass.scheduledFor ?? ctx.now();
      const outcome = await runSource(ctx, { sourceId: s.id, trigger: 'schedule', scheduledFor });
      outcomes.push({ sourceId: s.id, at: scheduledFor, outcome });
      if (outcomes.length > 1000) outcomes.splice(0, outcomes.length - 1000);
    },
  };
}

/** When a cron schedule next fires (for the settings page); null when it is not a valid one. */
export function nextRunAt(schedule: string): Date | null {
  if (!cron.validate(schedule)) return null;
  // A stopped task only computes: it starts no timer (destroyed at once all the same).
  const task = cron.createTask(schedule, () => {});
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}
