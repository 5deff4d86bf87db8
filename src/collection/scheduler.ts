import cron, { type ScheduledTask } from 'node-cron';
import type { AppContext } from '../context.ts';
import { runSource, type RunOutcome } from './run-source.ts';
import { definitionFor, listSources, type SourceRecord } from './sources.ts';

/**
 * Runs every enabled source on its own cron schedule. Safe with several instances on one
 * database: each tick is claimed by one insert (collector_runs is unique on the tick), and a
 * per-source lease (src/db/leases.ts) keeps runs from overlapping when one outlasts its interval.
 * Sources are re-read periodically, so adding, disabling or re-scheduling one needs no restart.
 */
export class Scheduler {
  private readonly tasks = new Map<string, { task: ScheduledTask; schedule: string }>();
  private readonly running = new Set<Promise<unknown>>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Every outcome, for tests and diagnostics (bounded). */
  readonly outcomes: { sourceId: string; at: Date; outcome: RunOutcome }[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly options: { refreshMs?: number } = {},
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.refreshTimer = setInterval(() => {
      this.refresh().catch((err) => this.ctx.log.error({ err }, 'scheduler refresh failed'));
    }, this.options.refreshMs ?? 30_000);
    this.refreshTimer.unref();
  }

  /** Reconciles cron tasks with the sources table. */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    const sources = (await listSources(this.ctx, { enabledOnly: true })).filter((s) => this.isCollectable(s));
    const wanted = new Map(sources.map((s) => [s.id, s]));
    for (const [id, entry] of this.tasks) {
      const s = wanted.get(id);
      if (!s || s.schedule !== entry.schedule) {
        await entry.task.destroy();
        this.tasks.delete(id);
      }
    }
    for (const s of sources) {
      if (this.tasks.has(s.id)) continue;
      const task = cron.schedule(s.schedule, (tick) => this.fire(s.id, tick.date), {
        name: `source-${s.id}`,
        // The lease is the real guard (across instances); this only saves a wasted claim.
        noOverlap: true,
        timezone: 'Asia/Tokyo',
      });
      this.tasks.set(s.id, { task, schedule: s.schedule });
    }
  }

  private isCollectable(s: SourceRecord): boolean {
    try {
      return Boolean(definitionFor(this.ctx, s.type).collect) && cron.validate(s.schedule);
    } catch {
      return false;
    }
  }

  private fire(sourceId: string, date: Date): Promise<void> {
    // Ticks are claimed per whole second, the cron resolution: every instance computes the same key.
    const scheduledFor = new Date(Math.floor(date.getTime() / 1000) * 1000);
    const p = this.runScheduled(sourceId, scheduledFor);
    this.running.add(p);
    return p.finally(() => this.running.delete(p));
  }

  private async runScheduled(sourceId: string, scheduledFor: Date): Promise<void> {
    if (this.stopped) return;
    try {
      const [src] = await this.ctx.sql<{ health: string; enabled: boolean }[]>`select health, enabled from sources where id = ${sourceId}`;
      // A source whose credentials were refused waits for a config change instead of hammering the API.
      if (!src || !src.enabled || src.health === 'unhealthy') return;
      const outcome = await runSource(this.ctx, { sourceId, trigger: 'schedule', scheduledFor });
      this.outcomes.push({ sourceId, at: scheduledFor, outcome });
      if (this.outcomes.length > 1000) this.outcomes.splice(0, this.outcomes.length - 1000);
    } catch (err) {
      this.ctx.log.error({ err, sourceId }, 'scheduled run failed');
    }
  }

  /** Waits for the runs in flight (tests call this to drain deterministically). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    for (const { task } of this.tasks.values()) await task.destroy();
    this.tasks.clear();
    await this.drain();
  }
}
