import { rankEmergingTerms, type EmergingTerm } from '../analysis/index.ts';
import { enqueueAlertMails, type MailEnqueueConfig } from '../alerting/enqueue-alert-mails.ts';
import type { AppContext } from '../context.ts';
import type { Sql, Tx } from '../db/connect.ts';
import {
  defaultDetectorSettings, describeAlert, detectorStateVersion, initialDetectorState, sensitivities, stepDetector,
  type BucketSignal, type DetectionResult, type DetectorSettings, type DetectorState, type Sensitivity,
} from '../detection/index.ts';
import { DETECTION_BUCKET_MS, hourlyTermCounts, loadBucketSignals } from './signals.ts';

/** A bucket is stepped once it is over and late posts have had this long to arrive. */
export const SETTLE_MS = 60_000;
/** A new series starts learning from at most this far back. */
const MAX_HISTORY_MS = 28 * 86_400_000;
/** Buckets stepped per transaction, so a long catch-up commits as it goes. */
const CHUNK_BUCKETS = 288;

export interface Series {
  orgId: string;
  watchTargetId: string | null;
  institutionNames: string[];
}

export async function detectionSettingsFor(sql: Sql, orgId: string): Promise<DetectorSettings> {
  const [row] = await sql<{ settings: { detection?: { sensitivity?: string } } }[]>`select settings from organizations where id = ${orgId}`;
  const wanted = row?.settings?.detection?.sensitivity;
  const sensitivity: Sensitivity = (sensitivities as readonly string[]).includes(wanted ?? '') ? (wanted as Sensitivity) : 'balanced';
  return defaultDetectorSettings(DETECTION_BUCKET_MS, sensitivity);
}

export async function seriesOf(sql: Sql, orgId: string): Promise<Series[]> {
  const targets = await sql<{ id: string; names: string[] }[]>`select id, names from watch_targets where org_id = ${orgId} order by id`;
  return [
    { orgId, watchTargetId: null, institutionNames: [...new Set(targets.flatMap((t) => t.names))] },
    ...targets.map((t) => ({ orgId, watchTargetId: t.id, institutionNames: t.names })),
  ];
}

export interface AlertChange {
  orgId: string;
  watchTargetId: string | null;
  alertId: string;
  action: string;
  notify: boolean;
  severity: number;
  kind: string;
  summary: string;
}

/** The explanation an alert carries: the detector's own plus what people are talking about. */
export function alertExplanation(result: DetectionResult, emerging: EmergingTerm[]) {
  return {
    ...result.explanation,
    score: result.score,
    detectors: result.detectors,
    emergingTerms: emerging.map((t) => ({ term: t.term, count: t.count, baselineMean: Math.round(t.baselineMean * 10) / 10 })),
  };
}

async function emergingTermsAt(sql: Sql, series: Series, bucketStart: Date): Promise<EmergingTerm[]> {
  // The last hour against the 24 hours before it.
  const end = new Date(bucketStart.getTime() + DETECTION_BUCKET_MS);
  const hour = 3_600_000;
  const counts = await hourlyTermCounts(sql, { ...series, from: new Date(end.getTime() - 25 * hour), to: end });
  const current = new Map<string, number>();
  const baseline: Map<string, number>[] = [];
  const currentFrom = end.getTime() - hour;
  for (const [h, terms] of counts) {
    if (h >= Math.floor(currentFrom / hour) * hour) for (const [t, n] of terms) current.set(t, (current.get(t) ?? 0) + n);
    else baseline.push(terms);
  }
  while (baseline.length < 24) baseline.push(new Map());
  return rankEmergingTerms({ current, baseline, limit: 10 });
}

async function applyDecision(
  tx: Tx, sql: Sql, series: Series, signal: BucketSignal, result: DetectionResult, mail: MailEnqueueConfig,
): Promise<AlertChange | null> {
  const decision = result.alert;
  if (!decision) return null;
  const summary = describeAlert(result);
  const emerging = decision.action === 'close' ? [] : await emergingTermsAt(sql, series, signal.start);
  const explanation = alertExplanation(result, emerging);
  const at = signal.start;
  let alertId: string;
  if (decision.action === 'open') {
    const [row] = await tx<{ id: string }[]>`
      insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation)
      values (${series.orgId}, ${series.watchTargetId}, ${decision.episodeId}, ${decision.kind}, 'open', ${Math.max(1, decision.severity)},
        ${result.score}, ${at}, ${at}, ${summary}, ${tx.json(explanation as never)})
      on conflict (org_id, watch_target_id, episode_id) do update set updated_at = excluded.updated_at
      returning id`;
    alertId = row!.id;
  } else {
    const [row] = await tx<{ id: string }[]>`
      update alerts set
        status = ${decision.action === 'close' ? 'closed' : 'open'},
        kind = ${decision.kind},
        severity = greatest(severity, ${Math.max(1, decision.severity)}),
        peak_score = greatest(peak_score, ${result.score}),
        updated_at = ${at},
        closed_at = ${decision.action === 'close' ? at : null},
        summary_ja = ${decision.action === 'close' ? tx`summary_ja` : summary},
        explanation = ${decision.action === 'close' ? tx`explanation` : tx.json(explanation as never)}
      where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId} and episode_id = ${decision.episodeId}
      returning id`;
    if (!row) return null;
    alertId = row.id;
  }
  const [event] = await tx<{ id: string }[]>`
    insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
    values (${series.orgId}, ${alertId}, ${decision.action}, ${decision.notify}, ${Math.max(1, decision.severity)}, ${result.score}, ${at}, ${summary})
    returning id`;
  // Alert e-mail (src/alerting): the outbox rows commit with the event or not at all; the
  // mailer sends them after commit.
  if (decision.notify) {
    await enqueueAlertMails(tx, mail, {
      orgId: series.orgId, watchTargetId: series.watchTargetId, alertId, alertEventId: event!.id, action: decision.action,
      kind: decision.kind, severity: Math.max(1, decision.severity), summary, explanation, at,
    });
  }
  return {
    orgId: series.orgId, watchTargetId: series.watchTargetId, alertId, action: decision.action, notify: decision.notify,
    severity: decision.severity, kind: decision.kind, summary,
  };
}

/**
 * Steps one series through every settled bucket since it was last stepped. State and the alerts
 * it raises commit together, chunk by chunk, under a row lock, so two instances never step the
 * same bucket and a crash resumes from the last committed chunk.
 */
export async function detectSeries(ctx: AppContext, series: Series, now: Date): Promise<AlertChange[]> {
  const settings = await detectionSettingsFor(ctx.sql, series.orgId);
  const lastSettled = Math.floor((now.getTime() - SETTLE_MS) / DETECTION_BUCKET_MS) * DETECTION_BUCKET_MS - DETECTION_BUCKET_MS;
  const changes: AlertChange[] = [];
  for (;;) {
    const more = await ctx.sql.begin(async (tx) => {
      await tx`
        insert into detector_states (org_id, watch_target_id, bucket_ms, state)
        values (${series.orgId}, ${series.watchTargetId}, ${DETECTION_BUCKET_MS}, ${tx.json(initialDetectorState(settings) as never)})
        on conflict (org_id, watch_target_id) do nothing`;
      const [row] = await tx<{ state: DetectorState; last_bucket_start: Date | null }[]>`
        select state, last_bucket_start from detector_states
        where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}
        for update`;
      let state = row!.state.version === detectorStateVersion ? row!.state : initialDetectorState(settings);
      let from: number;
      if (row!.last_bucket_start) {
        from = row!.last_bucket_start.getTime() + DETECTION_BUCKET_MS;
      } else {
        const [first] = await tx<{ at: Date | null }[]>`
          select min(bucket_start) as at from mention_counts
          where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
        if (!first?.at) return false;
        from = Math.max(first.at.getTime(), Math.floor((now.getTime() - MAX_HISTORY_MS) / DETECTION_BUCKET_MS) * DETECTION_BUCKET_MS);
      }
      if (from > lastSettled) return false;
      const to = Math.min(lastSettled + DETECTION_BUCKET_MS, from + CHUNK_BUCKETS * DETECTION_BUCKET_MS);
      const signals = await loadBucketSignals(ctx.sql, { ...series, from: new Date(from), to: new Date(to) });
      for (const signal of signals) {
        const step = stepDetector(state, signal, settings);
        state = step.state;
        const change = await applyDecision(tx, ctx.sql, series, signal, step.result, ctx.config.mail);
        if (change) changes.push(change);
      }
      await tx`
        update detector_states set state = ${tx.json(state as never)}, last_bucket_start = ${new Date(to - DETECTION_BUCKET_MS)}, updated_at = now()
        where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
      return to <= lastSettled;
    });
    if (!more) break;
  }
  return changes;
}

export async function detectOrg(ctx: AppContext, orgId: string, now = ctx.now()): Promise<AlertChange[]> {
  const changes: AlertChange[] = [];
  for (const series of await seriesOf(ctx.sql, orgId)) changes.push(...(await detectSeries(ctx, series, now)));
  return changes;
}
