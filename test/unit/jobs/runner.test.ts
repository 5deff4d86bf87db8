import postgres from 'postgres';
import { expect, it } from 'vitest';
import { Wakeup, type Job, type JobDeps, type JobPass } from '../../../src/jobs/job.ts';
import { JobRunner, Jobs } from '../../../src/jobs/runner.ts';
import { logger } from '../../../src/logger.ts';

// The runner without a database: jobs without a lock, never started (no LISTEN, no timer), driven
// by wake() and settled by hand, so every interleaving here is chosen, not timed.

const errors: unknown[] = [];
const deps: JobDeps = {
  // Never queried: a client connects on its first query only.
  sql: postgres({ host: '127.0.0.1', port: 1, max: 1 }),
  log: Object.assign(logger.child({}), {
    error: (o: unknown) => {
      errors.push(o);
    },
  }),
  instanceId: 'unit',
  now: () => new Date('2026-12-01T00:00:00Z'),
};

/** A job whose passes wait until the test settles them. */
function manualJob(name = 'manual') {
  const passes: { pass: JobPass; settle: (fail?: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let stopped = 0;
  const job: Job<void, JobDeps> = {
    name,
    trigger: { pollMs: 60_000 },
    lock: null,
    wakeup: new Wakeup(),
    run: (_ctx, pass) =>
      new Promise<void>((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        passes.push({
          pass,
          settle: (fail) => {
            inFlight--;
            if (fail) reject(fail);
            else resolve();
          },
        });
      }),
    stop: async () => {
      stopped++;
    },
  };
  return { job, passes, max: () => maxInFlight, stopped: () => stopped };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

it('a wake during a pass runs one more pass after it, never two at once, however many wakes came', async () => {
  const m = manualJob();
  const runner = new JobRunner(deps, m.job);
  runner.wake();
  runner.wake();
  m.job.wakeup!.wake();
  await tick();
  expect(m.passes).toHaveLength(1);
  m.passes[0]!.settle();
  await tick();
  expect(m.passes).toHaveLength(2);
  m.passes[1]!.settle();
  await runner.drain();
  expect(m.passes).toHaveLength(2);
  expect(m.max()).toBe(1);
  expect(runner.lastPassAt).not.toBeNull();
});

it('drain() returns only when no pass runs and none is asked for', async () => {
  const m = manualJob();
  const runner = new JobRunner(deps, m.job);
  runner.wake();
  let drained = false;
  const draining = runner.drain().then(() => {
    drained = true;
  });
  await tick();
  runner.wake(); // asked for during the first pass
  m.passes[0]!.settle();
  await tick();
  expect(drained).toBe(false);
  m.passes[1]!.settle();
  await draining;
  expect(m.passes).toHaveLength(2);
});

it('a failed pass is logged and leaves lastPassAt alone; the next wake runs again', async () => {
  const m = manualJob('failing');
  const runner = new JobRunner(deps, m.job);
  errors.length = 0;
  runner.wake();
  await tick();
  m.passes[0]!.settle(new Error('database away'));
  await runner.drain();
  expect(runner.lastPassAt).toBeNull();
  expect(errors).toEqual([expect.objectContaining({ job: 'failing' })]);
  runner.wake();
  await tick();
  m.passes[1]!.settle();
  await runner.drain();
  expect(runner.lastPassAt).not.toBeNull();
});

it('stop() aborts the pass in flight, waits for it, runs the job stop once, and no pass runs after', async () => {
  const m = manualJob();
  const runner = new JobRunner(deps, m.job);
  runner.wake();
  await tick();
  runner.wake(); // would run after the pass: stop() cancels it
  let stopped = false;
  const stopping = runner.stop().then(() => {
    stopped = true;
  });
  await tick();
  expect(m.passes[0]!.pass.signal.aborted).toBe(true);
  expect(stopped).toBe(false);
  m.passes[0]!.settle();
  await stopping;
  await runner.stop();
  runner.wake();
  m.job.wakeup!.wake();
  await tick();
  expect(m.passes).toHaveLength(1);
  expect(m.stopped()).toBe(1);
});

it('the passes of a runner never started know it (startedAt null); an in-process wake is not the trigger', async () => {
  const m = manualJob();
  const runner = new JobRunner(deps, m.job);
  runner.wake();
  await tick();
  expect(m.passes[0]!.pass).toMatchObject({ triggered: false, scheduledFor: null, startedAt: null });
  m.passes[0]!.settle();
  await runner.drain();
});

it('Jobs refuses two jobs of one name and drains until every job is idle at once', async () => {
  expect(() => new Jobs(deps, [manualJob('a').job, manualJob('a').job])).toThrow(/two jobs named a/);
  const a = manualJob('a');
  const b = manualJob('b');
  const jobs = new Jobs(deps, [a.job, b.job]);
  a.job.wakeup!.wake();
  const draining = jobs.drain();
  await tick();
  // a's pass wakes b (as the mail probe wakes the outbox job); drain waits for b too.
  b.job.wakeup!.wake();
  a.passes[0]!.settle();
  await tick();
  b.passes[0]!.settle();
  await draining;
  expect(jobs.lastPassAt('a')).not.toBeNull();
  expect(jobs.lastPassAt('b')).not.toBeNull();
  await jobs.stop();
  expect([a.stopped(), b.stopped()]).toEqual([1, 1]);
});
