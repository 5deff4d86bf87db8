import type { AppContext } from '../context.ts';
import { leaseNames } from '../db/locks.ts';
import { tryLease } from '../db/leases.ts';
import type { Row } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { ingestDepsFrom, prepareBatch, storeBatch, type PreparedBatch } from '../ingest/pipeline.ts';
import { AddressAllowList } from '../outbound/addresses.ts';
import { guardedAgent, guardFetch, OutboundRefusedError } from '../outbound/guarded-fetch.ts';
import { SourceAuthError, type SourceDefinition, type SourceRuntime } from '../sources/types.ts';
import { resolveSecrets } from './source-credentials.ts';
import { sourceSessionStore } from './source-session.ts';
import { watchTargetSpecs } from '../organizations/organizations.ts';
import { definitionFor, getSource, setSourceHealth, validateConfig } from './sources.ts';
import { collectionRunSeconds, collectionRuns } from '../metrics.ts';

export interface RunRequest {
  sourceId: string;
  trigger: 'schedule' | 'manual';
  /** The cron tick (schedule runs): claimed once across all instances. */
  scheduledFor?: Date;
}

export type RunOutcome =
  | {
      status: 'succeeded' | 'failed';
      runId: string;
      pages: number;
      fetched: number;
      inserted: number;
      updated: number;
      tombstoned: number;
      rejected: number;
      error?: string;
    }
  /** Another run of this source is still going (here or on another instance). */
  | { status: 'skipped'; runId: string | null; reason: string }
  /** Another instance already claimed this cron tick. */
  | { status: 'claimed-elsewhere' };

/** Milliseconds a single HTTP request may take before the collector treats it as a timeout. */
const REQUEST_TIMEOUT_MS = 30_000;

function timedFetch(base: typeof fetch, shutdown: AbortSignal): typeof fetch {
  return (input, init) => {
    const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS), shutdown];
    if (init?.signal) signals.push(init.signal);
    return base(input, { ...init, signal: AbortSignal.any(signals) });
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * What one run of one source may use: its own credentials, and a fetch that goes through the
 * outbound guard (no internal addresses, credentials only to the platform's origins).
 */
export async function runtimeFor(
  ctx: AppContext,
  source: { orgId: string; id: string },
  def: SourceDefinition<any>,
  config: unknown,
): Promise<SourceRuntime & { close(): Promise<void> }> {
  const secrets = await resolveSecrets(ctx.sql, ctx.keys, ctx.config, def, source, config);
  const allow = new AddressAllowList(ctx.config.outbound.allowAddresses);
  const agent = guardedAgent(allow);
  const guarded = guardFetch(ctx.fetch, {
    allow,
    agent,
    credentialOrigins: def.endpoints(config).credentialOrigins,
    credentials: secrets.handedOut,
  });
  return {
    fetch: timedFetch(guarded, ctx.shutdown),
    secret: secrets.secret,
    hasSecret: secrets.hasSecret,
    // destroy, not close: a body nobody read must not keep the run (and a shutdown) waiting.
    close: () => agent.destroy(),
    now: ctx.now,
    sleep: (ms, signal) => sleep(ms, signal ?? ctx.shutdown),
    random: Math.random,
    signal: ctx.shutdown,
    log: ctx.log,
    session: sourceSessionStore(ctx.sql, ctx.keys, source, ctx.now),
  };
}

export function errorMessage(err: unknown): string {
  // Our own errors carry messages written for people (and the guard's say nothing of what is
  // inside); anything else is summarised without its text, because a library error can quote a
  // request (and with it a credential) or tell an internal socket failure from a parse error.
  if (err instanceof AppError || err instanceof SourceAuthError || err instanceof OutboundRefusedError) return err.message.slice(0, 1000);
  if (err instanceof Error && err.name === 'TimeoutError') return 'request timed out';
  return '収集中に予期しないエラーが発生しました (unexpected error during collection; details are in the server log)';
}

/**
 * One collection run of one source: claim the tick (if scheduled), take the source's lease
 * so no two runs overlap on any instance, then store page by page. Each page commits with
 * its cursor, so a crash mid-run resumes from the last committed page.
 */
export async function runSource(ctx: AppContext, req: RunRequest): Promise<RunOutcome> {
  // covers_until (this clock, now): a run that succeeds has collected what was posted before it
  // began, which is what detection waits for (src/detection-pass/watermark.ts).
  const source = await getSource(ctx, req.sourceId);
  const def = definitionFor(ctx, source.type);
  if (!def.collect)
    throw new AppError('bad_request', `source ${source.id} (${source.type}) receives data by push or import; it cannot be collected`);

  const coversUntil = ctx.now();
  let runId: string;
  if (req.scheduledFor) {
    const claimed = await ctx.sql<Pick<Row<'collector_runs'>, 'id'>[]>`
      insert into collector_runs (org_id, source_id, scheduled_for, trigger, instance_id, status, covers_until)
      values (${source.orgId}, ${source.id}, ${req.scheduledFor}, 'schedule', ${ctx.instanceId}, 'running', ${coversUntil})
      on conflict (org_id, source_id, scheduled_for) do nothing
      returning id`;
    if (claimed.length === 0) return { status: 'claimed-elsewhere' };
    runId = claimed[0]!.id;
  } else {
    const [row] = await ctx.sql<Pick<Row<'collector_runs'>, 'id'>[]>`
      insert into collector_runs (org_id, source_id, trigger, instance_id, status, covers_until)
      values (${source.orgId}, ${source.id}, ${req.trigger}, ${ctx.instanceId}, 'running', ${coversUntil})
      returning id`;
    runId = row!.id;
  }

  // A lease (src/db/leases.ts), not a session lock: it needs no reserved connection, so the
  // database going away mid-run fails the run instead of the process. A holder that dies is
  // replaced at once on this host and after the lease's minute elsewhere.
  const lease = await tryLease(ctx.sql, leaseNames.sourceRun(source.id), ctx.instanceId, { ttlMs: SOURCE_LEASE_MS, log: ctx.log });
  if (!lease) {
    await ctx.sql`
      update collector_runs set status = 'skipped', finished_at = now(), error = 'previous run still in progress'
      where org_id = ${source.orgId} and id = ${runId}`;
    return { status: 'skipped', runId, reason: 'previous run still in progress' };
  }
  try {
    // Holding the lease proves no other run of this source is alive: any still marked running
    // belonged to a process that died mid-run.
    await ctx.sql`
      update collector_runs set status = 'failed', finished_at = now(),
        error = 'interrupted: the collecting process stopped before finishing'
      where org_id = ${source.orgId} and source_id = ${source.id} and status = 'running' and id <> ${runId}`;
    // A lost lease stops the run like a shutdown does: at its next page.
    const outcome = await collectLocked({ ...ctx, shutdown: AbortSignal.any([ctx.shutdown, lease.lost]) }, source, def, runId);
    // The buckets that ended before this run began may be complete now (detection-job.ts).
    if (outcome.status === 'succeeded') ctx.detection?.afterRun(source.orgId, coversUntil, ctx.now());
    return outcome;
  } finally {
    await lease.release();
  }
}

/** How long a source's run lease lives unrenewed (renewed every third of it). */
export const SOURCE_LEASE_MS = 60_000;

async function collectLocked(
  ctx: AppContext,
  source: Awaited<ReturnType<typeof getSource>>,
  def: ReturnType<typeof definitionFor>,
  runId: string,
): Promise<RunOutcome> {
  const totals = { pages: 0, fetched: 0, inserted: 0, updated: 0, tombstoned: 0, rejected: 0 };
  const timer = collectionRunSeconds.startTimer();
  const deps = ingestDepsFrom(ctx);
  let committing: Promise<void> | null = null;
  let runtime: Awaited<ReturnType<typeof runtimeFor>> | null = null;
  try {
    // Checked again at each run: the operator's rules may have tightened since the config was saved.
    const config = validateConfig(ctx, def, source.orgId, source.config);
    const [cursorRow] = await ctx.sql<Pick<Row<'source_cursors'>, 'cursor'>[]>`
      select cursor from source_cursors where org_id = ${source.orgId} and source_id = ${source.id}`;
    const targets = await watchTargetSpecs(ctx.db, source.orgId);
    runtime = await runtimeFor(ctx, source, def, config);
    const pages = def.collect!({ config, cursor: cursorRow?.cursor ?? null, targets, runtime });
    // Pages are analysed while the previous page's transaction commits (kuromoji in this process,
    // the insert in Postgres's): on two cores the run takes the longer of the two, not their sum.
    // Commits stay strictly in page order, so the cursor never passes uncommitted rows.
    for await (const page of pages) {
      const batchSize = ctx.config.ingest.batchSize;
      // Large pages are stored in slices; only the last slice carries the cursor.
      const slices: { batch: PreparedBatch; last: boolean }[] = [];
      for (let i = 0; i < Math.max(page.mentions.length, 1); i += batchSize) {
        slices.push({ batch: prepareBatch(deps, page.mentions.slice(i, i + batchSize)), last: i + batchSize >= page.mentions.length });
      }
      if (committing) await committing;
      committing = (async () => {
        for (const { batch, last } of slices) {
          const result = await storeBatch(
            deps,
            {
              orgId: source.orgId,
              sourceId: source.id,
              tombstones: last ? page.tombstones : [],
              cursor: last ? { value: page.cursor } : undefined,
            },
            batch,
          );
          totals.inserted += result.inserted.length;
          totals.updated += result.edited + result.refreshed;
          totals.tombstoned += result.tombstoned;
          totals.rejected += result.rejected.length;
        }
        totals.pages++;
        totals.fetched += page.mentions.length;
        await ctx.sql`
          update collector_runs set pages = ${totals.pages}, fetched = ${totals.fetched}, inserted = ${totals.inserted},
            updated = ${totals.updated}, tombstoned = ${totals.tombstoned}, rejected = ${totals.rejected}
          where org_id = ${source.orgId} and id = ${runId}`;
      })();
      // A failed commit must stop the run at once, not after the next page is fetched.
      committing.catch(() => {});
      if (ctx.shutdown.aborted) break;
    }
    if (committing) await committing;
    await finishRun(ctx, source.orgId, runId, 'succeeded', null);
    await setSourceHealth(ctx, source, 'ok', null, true);
    countRun(source.type, 'succeeded', timer);
    return { status: 'succeeded', runId, ...totals };
  } catch (err) {
    // The page already handed to the database finishes (or fails) before the run is closed.
    await committing?.catch(() => {});
    const message = errorMessage(err);
    if (message !== (err as Error)?.message) ctx.log.warn({ sourceId: source.id, err }, 'collection error (detail for the operator)');
    const unhealthy = err instanceof SourceAuthError;
    ctx.log.warn({ sourceId: source.id, type: source.type, error: message }, unhealthy ? 'source unhealthy' : 'collection run failed');
    await finishRun(ctx, source.orgId, runId, 'failed', message);
    await setSourceHealth(ctx, source, unhealthy ? 'unhealthy' : 'failing', message, false);
    countRun(source.type, 'failed', timer);
    return { status: 'failed', runId, ...totals, error: message };
  } finally {
    await runtime?.close().catch(() => {});
  }
}

function countRun(type: string, status: 'succeeded' | 'failed', timer: (labels: { source_type: string }) => number): void {
  collectionRuns.inc({ source_type: type, status });
  timer({ source_type: type });
}

async function finishRun(ctx: AppContext, orgId: string, runId: string, status: 'succeeded' | 'failed', error: string | null) {
  await ctx.sql`
    update collector_runs set status = ${status}, finished_at = now(), error = ${error}
    where org_id = ${orgId} and id = ${runId}`;
}
