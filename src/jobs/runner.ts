import cron from 'node-cron';
import type { AppContext } from '../context.ts';
import { tryLease } from '../db/leases.ts';
import type { Job, JobDeps } from './job.ts';

/**
 * Runs one job: one pass at a time per process. A wake() or NOTIFY during a pass runs one more
 * pass after it, never two at once (the work that arrived mid-pass is not lost); a cron tick
 * during a pass is dropped. Wakes work before start() too (a test, or a CLI command that stores
 * mentions, gets its passes without timers); start() adds the trigger.
 */
export class JobRunner<C extends JobDeps = AppContext> {
  /** When a pass last completed without error, or was skipped because another instance held the lock (/healthz shows it). */
  lastPassAt: Date | null = null;
  private running: Promise<void> | null = null;
  /** A pass asked for while one ran; `triggered` if any asker was the trigger. */
  private pending: { triggered: boolean } | null = null;
  private startedAt: Date | null = null;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private readonly halt = new AbortController();
  private readonly undo: (() => unknown)[] = [];

  constructor(
    private readonly ctx: C,
    readonly job: Job<unknown, C>,
  ) {
    if (job.wakeup) this.undo.push(job.wakeup.subscribe(() => this.wake()));
  }

  get name(): string {
    return this.job.name;
  }

  /** A pass runs now. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Runs a pass now, or once more after the one in flight. */
  wake(triggered = false): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = { triggered: triggered || (this.pending?.triggered ?? false) };
      return;
    }
    // pass() catches and logs its own failures: this promise never rejects.
    void this.launch(triggered, null);
  }

  private launch(triggered: boolean, scheduledFor: Date | null): Promise<void> {
    const running = this.pass(triggered, scheduledFor).finally(() => {
      this.running = null;
      const next = this.pending;
      this.pending = null;
      if (next) this.wake(next.triggered);
    });
    this.running = running;
    return running;
  }

  private async pass(triggered: boolean, scheduledFor: Date | null): Promise<void> {
    const { ctx, job } = this;
    try {
      const lease = job.lock ? await tryLease(ctx.sql, job.lock.lease, ctx.instanceId, { ttlMs: job.lock.ttlMs, log: ctx.log }) : null;
      if (job.lock && !lease) {
        // Ozone's stats computer does the same: another instance does this cycle's work.
        ctx.log.debug({ job: job.name }, 'pass skipped: another instance holds the lock');
        this.lastPassAt = new Date();
        return;
      }
      try {
        const signal = lease ? AbortSignal.any([this.halt.signal, lease.lost]) : this.halt.signal;
        await job.run(ctx, { triggered, scheduledFor, startedAt: this.startedAt, signal });
        this.lastPassAt = new Date();
      } finally {
        await lease?.release();
      }
    } catch (err) {
      ctx.log.error({ err, job: job.name }, `${job.name}: pass failed (retried at the next trigger)`);
    }
  }

  private tick(date: Date): Promise<void> {
    if (this.stopped || this.running) return Promise.resolve();
    // Ticks are claimed per whole second, the cron resolution: every instance computes the same key.
    return this.launch(true, new Date(Math.floor(date.getTime() / 1000) * 1000));
  }

  async start(): Promise<void> {
    if (this.stopped || this.startedAt) return;
    this.startedAt = this.ctx.now();
    const trigger = this.job.trigger;
    if ('cron' in trigger) {
      const task = cron.schedule(trigger.cron, (tick) => this.tick(tick.date), {
        name: this.job.name,
        noOverlap: true,
        timezone: trigger.timezone ?? 'Asia/Tokyo',
      });
      this.undo.push(() => task.destroy());
      return;
    }
    if ('notify' in trigger) {
      const listening = await this.ctx.sql.listen(trigger.notify, () => this.wake(true));
      this.undo.push(() => listening.unlisten());
    }
    const timer = setInterval(() => this.wake(true), trigger.pollMs);
    timer.unref();
    this.undo.push(() => clearInterval(timer));
    this.wake(true);
  }

  /** Waits until no pass runs and none is asked for: the passes woken meanwhile run first (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops the trigger, aborts the pass in flight at its next step and waits for it, then the job's own stop(). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.pending = null;
      for (const undo of this.undo.splice(0)) await Promise.resolve(undo()).catch(() => {});
      this.halt.abort(new Error(`${this.job.name} stopped`));
      await this.drain();
      await this.job
        .stop?.(this.ctx)
        .catch((err: unknown) => this.ctx.log.error({ err, job: this.job.name }, `${this.job.name}: stop failed`));
    })();
    return this.stopping;
  }
}

/** The jobs of one process, started in order and stopped in order (put first what must stop first). */
export class Jobs<C extends JobDeps = AppContext> {
  private readonly runners: JobRunner<C>[];

  constructor(ctx: C, jobs: readonly Job<unknown, C>[]) {
    const names = new Set<string>();
    for (const job of jobs) {
      if (names.has(job.name)) throw new Error(`two jobs named ${job.name}`);
      names.add(job.name);
    }
    this.runners = jobs.map((job) => new JobRunner(ctx, job));
  }

  runner(name: string): JobRunner<C> {
    const runner = this.runners.find((r) => r.name === name);
    if (!runner) throw new Error(`no job named ${name}`);
    return runner;
  }

  lastPassAt(name: string): Date | null {
    return this.runner(name).lastPassAt;
  }

  async start(): Promise<void> {
    for (const runner of this.runners) await runner.start();
  }

  /** Until every job is idle at once: a pass of one may wake another (the probe wakes the mailer). */
  async drain(): Promise<void> {
    while (this.runners.some((r) => r.busy)) await Promise.all(this.runners.map((r) => r.drain()));
  }

  async stop(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
  }
}
