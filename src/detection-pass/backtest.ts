import type { AppContext } from '../context.ts';
import { defaultDetectorSettings, describeAlert, initialDetectorState, stepDetector, type Sensitivity } from '../detection/index.ts';
import { detectionSettingsFor, seriesOf, type Series } from './run-detection.ts';
import { MENTION_BUCKET_MS } from '../mention.ts';
import { loadBucketSignals } from './signals.ts';
import { loadSeriesSignals } from './aggregate-signals.ts';

export interface BacktestAlert {
  watchTargetId: string | null;
  bucketStart: Date;
  action: string;
  severity: number;
  kind: string;
  score: number;
  summary: string;
}

/** Days replayed before `from` so the detectors have learned a baseline, as they would have live. */
export const BACKTEST_WARMUP_MS = 14 * 86_400_000;
const CHUNK_MS = 2 * 86_400_000;

/**
 * Replays stored mentions through fresh detectors with the current (or a proposed) sensitivity
 * and lists the notifications that would have gone out in [from, to). Reads only; stores nothing.
 */
export async function backtest(
  ctx: AppContext,
  q: { orgId: string; from: Date; to: Date; sensitivity?: Sensitivity },
): Promise<{ alerts: BacktestAlert[]; buckets: number; sensitivity: Sensitivity }> {
  const sensitivity = q.sensitivity ?? (await detectionSettingsFor(ctx.sql, q.orgId)).sensitivity;
  const [result] = await backtestEach(ctx, { ...q, sensitivities: [sensitivity] });
  return result!;
}

/**
 * The same replay for several sensitivities at once (the settings page compares them): the
 * signals are read once and stepped through one detector per sensitivity. `counts` reads them
 * as per-bucket counts (aggregate-signals.ts: the same decisions, summaries without the rising
 * terms and samples) — what a busy clinic's 44 days need to answer within seconds.
 */
export async function backtestEach(
  ctx: AppContext,
  q: { orgId: string; from: Date; to: Date; sensitivities: readonly Sensitivity[]; signals?: 'posts' | 'counts' },
): Promise<{ alerts: BacktestAlert[]; buckets: number; sensitivity: Sensitivity }[]> {
  const runs = q.sensitivities.map((sensitivity) => ({
    sensitivity,
    settings: defaultDetectorSettings(MENTION_BUCKET_MS, sensitivity),
    alerts: [] as BacktestAlert[],
  }));
  const warmupStart = Math.floor((q.from.getTime() - BACKTEST_WARMUP_MS) / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
  const end = Math.ceil(q.to.getTime() / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
  let buckets = 0;
  const allSeries = await seriesOf(ctx.sql, q.orgId);
  const aggregated =
    q.signals === 'counts'
      ? await loadSeriesSignals(ctx.sql, { orgId: q.orgId, series: allSeries, from: new Date(warmupStart), to: new Date(end) })
      : null;
  for (const series of allSeries) {
    // Like live detection, a series starts learning at its first data, not in empty time before it.
    const [first] = await ctx.sql<{ at: Date | null }[]>`
      select min(bucket_start) as at from mention_counts
      where org_id = ${q.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
    if (!first?.at) continue;
    const start = Math.max(warmupStart, first.at.getTime());
    const states = runs.map((r) => initialDetectorState(r.settings));
    // Counted signals are all in memory already; posts are read a chunk at a time.
    const chunks = aggregated
      ? [(aggregated.get(series.watchTargetId ?? '') ?? []).filter((g) => g.start.getTime() >= start)]
      : postSignals(ctx.sql, series, start, end);
    for await (const signals of chunks) {
      for (const signal of signals) {
        buckets++;
        runs.forEach((run, i) => {
          const step = stepDetector(states[i]!, signal, run.settings);
          states[i] = step.state;
          const a = step.result.alert;
          if (a && a.notify && signal.start >= q.from && signal.start < q.to) {
            run.alerts.push({
              watchTargetId: series.watchTargetId,
              bucketStart: signal.start,
              action: a.action,
              severity: a.severity,
              kind: a.kind,
              score: step.result.score,
              summary: describeAlert(step.result),
            });
          }
        });
      }
    }
  }
  return runs.map((r) => ({ alerts: r.alerts, buckets, sensitivity: r.sensitivity }));
}

/** A series' signals built from its posts, two days at a time (bounded memory on a busy clinic). */
async function* postSignals(sql: AppContext['sql'], series: Series, start: number, end: number) {
  for (let t = start; t < end; t += CHUNK_MS) {
    yield loadBucketSignals(sql, { ...series, from: new Date(t), to: new Date(Math.min(end, t + CHUNK_MS)) });
  }
}
