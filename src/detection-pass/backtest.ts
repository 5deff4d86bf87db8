import type { AppContext } from '../context.ts';
import { defaultDetectorSettings, describeAlert, initialDetectorState, stepDetector, type Sensitivity } from '../detection/index.ts';
import { detectionSettingsFor, seriesOf } from './run-detection.ts';
import { MENTION_BUCKET_MS } from '../mention.ts';
import { loadBucketSignals } from './signals.ts';

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
  const settings = q.sensitivity ? defaultDetectorSettings(MENTION_BUCKET_MS, q.sensitivity) : await detectionSettingsFor(ctx.sql, q.orgId);
  const warmupStart = Math.floor((q.from.getTime() - BACKTEST_WARMUP_MS) / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
  const end = Math.ceil(q.to.getTime() / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
  const alerts: BacktestAlert[] = [];
  let buckets = 0;
  for (const series of await seriesOf(ctx.sql, q.orgId)) {
    // Like live detection, a series starts learning at its first data, not in empty time before it.
    const [first] = await ctx.sql<{ at: Date | null }[]>`
      select min(bucket_start) as at from mention_counts
      where org_id = ${q.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
    if (!first?.at) continue;
    const start = Math.max(warmupStart, first.at.getTime());
    let state = initialDetectorState(settings);
    for (let t = start; t < end; t += CHUNK_MS) {
      const signals = await loadBucketSignals(ctx.sql, { ...series, from: new Date(t), to: new Date(Math.min(end, t + CHUNK_MS)) });
      for (const signal of signals) {
        const step = stepDetector(state, signal, settings);
        state = step.state;
        buckets++;
        const a = step.result.alert;
        if (a && a.notify && signal.start >= q.from && signal.start < q.to) {
          alerts.push({
            watchTargetId: series.watchTargetId,
            bucketStart: signal.start,
            action: a.action,
            severity: a.severity,
            kind: a.kind,
            score: step.result.score,
            summary: describeAlert(step.result),
          });
        }
      }
    }
  }
  return { alerts, buckets, sensitivity: settings.sensitivity };
}
