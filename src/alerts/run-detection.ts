// The detection pass: steps each series of an org (org-wide, and each watch target) through its
// settled buckets with the pure detectors of src/detection, and stores what they decide — alert,
// alert event, audit row, incident, outbox mail — in the transaction that saves their state.

import { rankEmergingTerms, type EmergingTerm } from '../analysis/index.ts';
import { enqueueAlertMails, type MailEnqueueConfig } from '../alerting/enqueue-alert-mails.ts';
import { startEscalation } from '../oncall/escalation.ts';
import { recordAudit, systemActor } from '../audit/record.ts';
import { incidentForAlertChange } from '../incidents/auto-open-incident.ts';
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
/**
 * Only decisions about recent buckets notify anyone. Catching up on history (a new source's
 * backfill, a rebuild after late data, a restart after downtime) records alerts but pages nobody
 * about something that is over.
 */
export const NOTIFY_WINDOW_MS = 60 * 60_000;

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
  let incident: Awaited<ReturnType<typeof incidentForAlertChange>> = null;
  // A rebuild replays history: the same event is recorded once (and mailed at most once).
  const [event] = await tx<{ id: string }[]>`
    insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
    values (${series.orgId}, ${alertId}, ${decision.action}, ${decision.notify}, ${Math.max(1, decision.severity)}, ${result.score}, ${at}, ${summary})
    on conflict (org_id, alert_id, action, bucket_start) do nothing
    returning id`;
  // Alert e-mail (src/alerting): the outbox rows commit with the event or not at all; the
  // mailer sends them after commit.
  if (event) {
    await recordAudit(tx, systemActor, {
      orgId: series.orgId, action: `alert.${decision.action}`, targetType: 'alert', targetId: alertId,
      after: { episodeId: decision.episodeId, kind: decision.kind, severity: decision.severity, score: result.score, bucketStart: at, notify: decision.notify, summary },
    });
    // Incidents (src/incidents): a crisis alert at the org's threshold opens or joins an incident
    // in this same transaction, so an alert never exists without the incident it should have.
    incident = await incidentForAlertChange(tx, { orgId: series.orgId, alertId, action: decision.action, notify: decision.notify, at });
  }
  // An incident just opened under an escalation policy pages its level 1 (src/oncall); otherwise
  // the alert is mailed as before (threaded into its incident when it has one).
  const escalated = incident?.action === 'opened' && mail.incident ? await startEscalation(tx, mail.incident, series.orgId, incident.incidentId) : false;
  if (decision.notify && event && !escalated) {
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
        const recent = now.getTime() - signal.start.getTime() <= NOTIFY_WINDOW_MS;
        const result = recent || !step.result.alert ? step.result : { ...step.result, alert: { ...step.result.alert, notify: false } };
        const change = await applyDecision(tx, ctx.sql, series, signal, result, {
          ...ctx.config.mail,
          incident: { ...ctx.config.mail, ackKey: ctx.keys.ackLinks, ackLinkTtlMs: ctx.config.oncall.ackLinkTtlMs, now },
        });
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

/**
 * Mentions stored for buckets a series has already stepped (a new source's backfill, a delayed
 * feed) arrive too late for streaming detection. A trickle is ignored; when they are a material
 * part of that stretch of history, the series is rebuilt from its data on the next pass, so its
 * baseline is learned from what really happened rather than from the empty buckets it saw.
 */
export async function resetSeriesAfterLateData(ctx: AppContext, orgId: string, mentions: { watchTargetId: string | null; postedAt: Date }[]): Promise<(string | null)[]> {
  if (mentions.length < LATE_MIN_COUNT) return [];
  const states = await ctx.sql<{ watch_target_id: string | null; last_bucket_start: Date | null }[]>`
    select watch_target_id, last_bucket_start from detector_states where org_id = ${orgId}`;
  const reset: (string | null)[] = [];
  for (const st of states) {
    if (!st.last_bucket_start) continue;
    const end = st.last_bucket_start.getTime() + DETECTION_BUCKET_MS;
    // Minutes of collection delay are normal and handled by the settle time; only history counts.
    const late = mentions.filter((m) => (st.watch_target_id === null || m.watchTargetId === st.watch_target_id) && m.postedAt.getTime() < end - LATE_HORIZON_MS);
    if (late.length < LATE_MIN_COUNT) continue;
    const from = Math.floor(Math.min(...late.map((m) => m.postedAt.getTime())) / DETECTION_BUCKET_MS) * DETECTION_BUCKET_MS;
    const [row] = await ctx.sql<{ total: number }[]>`
      select coalesce(sum(total), 0)::int as total from mention_counts
      where org_id = ${orgId} and watch_target_id is not distinct from ${st.watch_target_id}
        and bucket_start >= ${new Date(from)} and bucket_start < ${new Date(end)}`;
    const before = row!.total - late.length;
    if (late.length < LATE_SHARE * Math.max(before, 1)) continue;
    await ctx.sql`
      delete from detector_states
      where org_id = ${orgId} and watch_target_id is not distinct from ${st.watch_target_id}
        and last_bucket_start = ${st.last_bucket_start}`;
    reset.push(st.watch_target_id);
  }
  return reset;
}

const LATE_MIN_COUNT = 10;
const LATE_SHARE = 0.2;
const LATE_HORIZON_MS = 30 * 60_000;

export async function detectOrg(ctx: AppContext, orgId: string, now = ctx.now()): Promise<AlertChange[]> {
  const changes: AlertChange[] = [];
  for (const series of await seriesOf(ctx.sql, orgId)) changes.push(...(await detectSeries(ctx, series, now)));
  return changes;
}
