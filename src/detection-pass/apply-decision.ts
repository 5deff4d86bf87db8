// The fan-out of one detector decision, as steps that each do one thing inside the detection
// pass's transaction: save the alert, record its event (and audit row), route it to an incident,
// then page or mail. Each step takes the transaction handle only — never the pool — so a pass
// holds exactly one connection however many organisations run at once.

import { enqueueAlertMails, type MailEnqueueConfig } from '../notify/enqueue-alert-mails.ts';
import { rankEmergingTerms, type EmergingTerm } from '../analysis/index.ts';
import { recordAudit, systemActor } from '../audit/record.ts';
import { asJson, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { describeAlert, type AlertDecision, type BucketSignal, type DetectionResult } from '../detection/index.ts';
import { incidentForAlertChange } from '../incidents/auto-open-incident.ts';
import { startEscalation } from '../oncall/escalation.ts';
import { MENTION_BUCKET_MS } from '../mention.ts';
import { hourlyTermCounts } from './signals.ts';

export interface Series {
  orgId: string;
  watchTargetId: string | null;
  institutionNames: string[];
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

/** What one decision is about: the series, the bucket that raised it, the detector's result. */
export interface DecisionContext {
  series: Series;
  at: Date;
  result: DetectionResult;
  decision: AlertDecision;
  /** About a recent bucket (within the notify window), not history being caught up on. */
  recent: boolean;
  /** The decision's severity (the episode's, as notified) and a summary stating that severity. */
  summary: string;
  /** This bucket's own severity and the summary stating it: the alert's "latest". */
  latest: { severity: number; summary: string };
  explanation: ReturnType<typeof alertExplanation> & { collection?: { complete: false; lagging: string[] } };
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

export async function emergingTermsAt(tx: Tx, series: Series, bucketStart: Date): Promise<EmergingTerm[]> {
  // The last hour against the 24 hours before it.
  const end = new Date(bucketStart.getTime() + MENTION_BUCKET_MS);
  const hour = 3_600_000;
  const counts = await hourlyTermCounts(tx, { ...series, from: new Date(end.getTime() - 25 * hour), to: end });
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

const severityOf = (d: AlertDecision) => Math.max(1, d.severity);

/**
 * Step 1: the alert row. Its (severity, summary) pair is the episode's peak as notified and
 * changes only when a decision reaches it again; the latest_* pair is this bucket's own reading.
 * A close keeps both pairs and only stamps the end. Null when an update names an episode with no
 * alert (a rebuild that starts mid-episode).
 */
export async function saveAlert(tx: Tx, d: DecisionContext): Promise<string | null> {
  const { series, at, result, decision, summary, latest, explanation } = d;
  const severity = severityOf(decision);
  if (decision.action === 'open') {
    const [row] = await tx<Pick<Row<'alerts'>, 'id'>[]>`
      insert into alerts (org_id, watch_target_id, episode_id, kind, status, severity, peak_score, opened_at, updated_at, summary_ja, explanation,
        latest_severity, latest_summary_ja, latest_at)
      values (${series.orgId}, ${series.watchTargetId}, ${decision.episodeId}, ${decision.kind}, 'open', ${severity},
        ${result.score}, ${at}, ${at}, ${summary}, ${tx.json(asJson(explanation))}, ${latest.severity}, ${latest.summary}, ${at})
      on conflict (org_id, watch_target_id, episode_id) do update set updated_at = excluded.updated_at
      returning id`;
    return row!.id;
  }
  if (decision.action === 'close') {
    const [row] = await tx<Pick<Row<'alerts'>, 'id'>[]>`
      update alerts set status = 'closed', updated_at = ${at}, closed_at = ${at}
      where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId} and episode_id = ${decision.episodeId}
      returning id`;
    return row?.id ?? null;
  }
  const [row] = await tx<Pick<Row<'alerts'>, 'id'>[]>`
    update alerts set
      -- A plain update of a running episode does not reopen an alert its incident closed.
      status = case when ${decision.action} = 'update' then status else 'open' end,
      closed_at = case when ${decision.action} = 'update' then closed_at end,
      kind = ${decision.kind},
      summary_ja = case when ${severity} > severity then ${summary} else summary_ja end,
      severity = greatest(severity, ${severity}),
      peak_score = greatest(peak_score, ${result.score}),
      latest_severity = ${latest.severity},
      latest_summary_ja = ${latest.summary},
      latest_at = ${at},
      updated_at = ${at},
      explanation = ${tx.json(asJson(explanation))}
    where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId} and episode_id = ${decision.episodeId}
    returning id`;
  return row?.id ?? null;
}

/**
 * Step 2: the alert's event and its audit row. A rebuild replays history: the same event is
 * recorded once, so a replay returns null and nothing downstream runs twice.
 */
export async function recordAlertEvent(tx: Tx, d: DecisionContext, alertId: string): Promise<string | null> {
  const { series, at, result, decision, summary } = d;
  const [event] = await tx<Pick<Row<'alert_events'>, 'id'>[]>`
    insert into alert_events (org_id, alert_id, action, notify, severity, score, bucket_start, summary_ja)
    values (${series.orgId}, ${alertId}, ${decision.action}, ${decision.notify}, ${severityOf(decision)}, ${result.score}, ${at}, ${summary})
    on conflict (org_id, alert_id, action, bucket_start) do nothing
    returning id`;
  if (!event) return null;
  await recordAudit(tx, systemActor, {
    orgId: series.orgId,
    action: `alert.${decision.action}`,
    targetType: 'alert',
    targetId: alertId,
    after: {
      episodeId: decision.episodeId,
      kind: decision.kind,
      severity: decision.severity,
      score: result.score,
      bucketStart: at,
      notify: decision.notify,
      summary,
    },
  });
  return event.id;
}

/**
 * Step 3: incidents (src/incidents). A crisis alert at the org's threshold opens or joins an
 * incident in this same transaction, so an alert never exists without the incident it should have.
 */
export function routeToIncident(tx: Tx, d: DecisionContext, alertId: string) {
  return incidentForAlertChange(tx, {
    orgId: d.series.orgId,
    alertId,
    action: d.decision.action,
    notify: d.decision.notify,
    recent: d.recent,
    at: d.at,
  });
}

/**
 * Step 4: tell people. An incident just opened under an escalation policy pages its level 1
 * (src/oncall); otherwise a notifying event is mailed (threaded into its incident when it has
 * one). The outbox rows commit with the event or not at all; the mailer sends them after commit.
 */
export async function notifyAlertChange(
  tx: Tx,
  mail: MailEnqueueConfig,
  d: DecisionContext,
  alertId: string,
  eventId: string,
  incident: Awaited<ReturnType<typeof routeToIncident>>,
): Promise<'paged' | 'mailed' | 'none'> {
  // A relapse (a resolved incident reopened by a new wave) pages like an opening, as wave 2, 3…
  const relapsed = incident?.action === 'relapsed';
  if (incident && (incident.action === 'opened' || relapsed) && mail.incident) {
    const wave = incident.action === 'relapsed' ? incident.relapse + 1 : 1;
    if (await startEscalation(tx, mail.incident, d.series.orgId, incident.incidentId, wave)) return 'paged';
  }
  if (!d.decision.notify && !relapsed) return 'none';
  const n = await enqueueAlertMails(tx, mail, {
    orgId: d.series.orgId,
    watchTargetId: d.series.watchTargetId,
    alertId,
    alertEventId: eventId,
    action: d.decision.action,
    kind: d.decision.kind,
    severity: severityOf(d.decision),
    summary: d.summary,
    explanation: d.explanation,
    at: d.at,
    relapse: relapsed,
  });
  return n > 0 ? 'mailed' : 'none';
}

/** The four steps for one bucket's decision; null when the detector decided nothing. */
export async function applyDecision(
  tx: Tx,
  series: Series,
  signal: BucketSignal,
  result: DetectionResult,
  recent: boolean,
  mail: MailEnqueueConfig,
  /** Sources that had not collected this bucket yet when detection stopped waiting for them. */
  lagging: string[] = [],
): Promise<AlertChange | null> {
  const decision = result.alert;
  if (!decision) return null;
  // Judged before every source caught up: the reader must know the count may be short.
  const caveat =
    lagging.length > 0
      ? `（収集待ちのソースあり: ${lagging.slice(0, 3).join('、')}${lagging.length > 3 ? ' ほか' : ''} — 件数は後から増える可能性があります）`
      : '';
  // The event, its mail and the alert's peak state the decision's severity; the bucket's own
  // reading (which may be lower mid-episode) is the alert's "latest", labelled as such.
  const summary = describeAlert({ ...result, severity: severityOf(decision) }) + caveat;
  const latest = { severity: Math.max(0, Math.min(5, result.severity)), summary: describeAlert(result) + caveat };
  const emerging = decision.action === 'close' ? [] : await emergingTermsAt(tx, series, signal.start);
  const explanation = {
    ...alertExplanation(result, emerging),
    ...(lagging.length > 0 ? { collection: { complete: false as const, lagging } } : {}),
  };
  const d: DecisionContext = { series, at: signal.start, result, decision, recent, summary, latest, explanation };
  const alertId = await saveAlert(tx, d);
  if (!alertId) return null;
  const eventId = await recordAlertEvent(tx, d, alertId);
  if (eventId) {
    const incident = await routeToIncident(tx, d, alertId);
    await notifyAlertChange(tx, mail, d, alertId, eventId, incident);
  }
  return {
    orgId: series.orgId,
    watchTargetId: series.watchTargetId,
    alertId,
    action: decision.action,
    notify: decision.notify,
    severity: decision.severity,
    kind: decision.kind,
    summary,
  };
}
