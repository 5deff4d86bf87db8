// The detection pass: steps each series of an org (org-wide, and each watch target) through its
// settled buckets with the pure detectors of src/detection, and stores what they decide — alert,
// alert event, audit row, incident, outbox mail — in the transaction that saves their state.

import type { MailEnqueueConfig } from '../notify/enqueue-alert-mails.ts';
import { mailEnqueueConfigFor } from '../notify/mail-config.ts';
import type { AppContext } from '../context.ts';
import { asJson, type Sql, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import {
  defaultDetectorSettings,
  detectorStateVersion,
  initialDetectorState,
  sensitivities,
  stepDetector,
  type DetectionResult,
  type DetectorSettings,
  type Sensitivity,
} from '../detection/index.ts';
import { channelLabels, type Channel } from '../post-review/channels.ts';
import { postUnderFire } from '../post-review/own-post-link.ts';
import { applyDecision, type AlertChange, type Series } from './apply-decision.ts';
import { MENTION_BUCKET_MS } from '../mention.ts';
import { loadBucketSignals } from './signals.ts';
import { collectionGate, sourceCoverage, type CollectionGate } from './watermark.ts';

export type { AlertChange, Series } from './apply-decision.ts';
export { alertExplanation } from './apply-decision.ts';

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

export async function detectionSettingsFor(sql: Sql, orgId: string): Promise<DetectorSettings> {
  const [row] = await sql<{ settings: { detection?: { sensitivity?: string } } }[]>`select settings from organizations where id = ${orgId}`;
  const wanted = row?.settings?.detection?.sensitivity;
  const sensitivity: Sensitivity = (sensitivities as readonly string[]).includes(wanted ?? '') ? (wanted as Sensitivity) : 'balanced';
  return defaultDetectorSettings(MENTION_BUCKET_MS, sensitivity);
}

export async function seriesOf(sql: Sql, orgId: string): Promise<Series[]> {
  const targets = await sql<
    Pick<Row<'watch_targets'>, 'id' | 'names'>[]
  >`select id, names from watch_targets where org_id = ${orgId} and archived_at is null order by id`;
  return [
    { orgId, watchTargetId: null, institutionNames: [...new Set(targets.flatMap((t) => t.names))] },
    ...targets.map((t) => ({ orgId, watchTargetId: t.id, institutionNames: t.names })),
  ];
}

/** How detection waits for collection (src/detection-pass/watermark.ts); absent, it judges at once. */
export interface DetectOptions {
  /** When this detector started (ms): after a restart, collectors get `waitMs` from here to catch up. */
  waitFromMs: number;
  waitMs: number;
}

/**
 * Steps one series through every settled bucket since it was last stepped — and, when posts
 * arrived late in a recent bucket it had already judged, again from the state before that
 * bucket. State and the alerts it raises commit together, chunk by chunk, under a row lock, so
 * two instances never step the same bucket and a crash resumes from the last committed chunk.
 */
export async function detectSeries(ctx: AppContext, series: Series, now: Date, gate: CollectionGate | null = null): Promise<AlertChange[]> {
  // Everything the pass needs from outside its transactions is read first: inside them only the
  // transaction's own connection is used (a second one from the pool deadlocks under load).
  const settings = await detectionSettingsFor(ctx.sql, series.orgId);
  const mail: MailEnqueueConfig = await mailEnqueueConfigFor(ctx, now);
  const B = MENTION_BUCKET_MS;
  const settledEnd = Math.min(now.getTime() - SETTLE_MS, gate?.judgeUntil ?? Infinity);
  const lastSettled = Math.floor(settledEnd / B) * B - B;
  const changes: AlertChange[] = [];
  /** Episodes known to have told someone (alreadyUnderWay asks the database once per episode). */
  const notified = new Set<string>();
  for (;;) {
    const more = await ctx.sql.begin(async (tx) => {
      // One statement creates or locks the row and returns it: a late-data reset deleting the row
      // between an insert and a separate select can no longer leave the pass without a state.
      const [row] = await tx<Pick<Row<'detector_states'>, 'state' | 'last_bucket_start' | 'rejudge_from'>[]>`
        insert into detector_states (org_id, watch_target_id, bucket_ms, state)
        values (${series.orgId}, ${series.watchTargetId}, ${B}, ${tx.json(asJson(initialDetectorState(settings)))})
        on conflict (org_id, watch_target_id) do update set bucket_ms = detector_states.bucket_ms
        returning state, last_bucket_start, rejudge_from`;
      let state = row!.state.version === detectorStateVersion ? row!.state : initialDetectorState(settings);
      let from: number;
      if (row!.last_bucket_start) {
        from = row!.last_bucket_start.getTime() + B;
        const rejudge = row!.rejudge_from?.getTime();
        if (rejudge !== undefined && rejudge < from) {
          // Late posts in a bucket already judged: step again from the state before it.
          const [snap] = await tx<Pick<Row<'detector_snapshots'>, 'state'>[]>`
            select state from detector_snapshots
            where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId} and bucket_start = ${new Date(rejudge - B)}`;
          if (snap && snap.state.version === detectorStateVersion) {
            state = snap.state;
            from = rejudge;
          }
        }
      } else {
        const [first] = await tx<{ at: Date | null }[]>`
          select min(bucket_start) as at from mention_counts
          where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
        if (!first?.at) return false;
        from = Math.max(first.at.getTime(), Math.floor((now.getTime() - MAX_HISTORY_MS) / B) * B);
      }
      if (from > lastSettled) {
        if (row!.rejudge_from) await clearRejudge(tx, series);
        return false;
      }
      const to = Math.min(lastSettled + B, from + CHUNK_BUCKETS * B);
      const signals = await loadBucketSignals(tx, { ...series, from: new Date(from), to: new Date(to) });
      for (const signal of signals) {
        const step = stepDetector(state, signal, settings);
        state = step.state;
        const recent = now.getTime() - signal.start.getTime() <= NOTIFY_WINDOW_MS;
        let result = recent || !step.result.alert ? step.result : { ...step.result, alert: { ...step.result.alert, notify: false } };
        if (recent && result.alert && !result.alert.notify && result.alert.action !== 'close') {
          result = await alreadyUnderWay(tx, series, result, notified);
        }
        if (recent && result.alert && result.alert.action !== 'close') result = await nameOwnPost(tx, series, signal.start, result);
        const end = signal.start.getTime() + B;
        const lagging = gate && end > gate.completeUntil ? gate.lagging(end) : [];
        const change = await applyDecision(tx, series, signal, result, recent, mail, lagging);
        if (change) changes.push(change);
        // Recent buckets keep the state after them, for a re-judgement should posts arrive late.
        if (recent) {
          await tx`
            insert into detector_snapshots (org_id, watch_target_id, bucket_start, state)
            values (${series.orgId}, ${series.watchTargetId}, ${signal.start}, ${tx.json(asJson(state))})
            on conflict (org_id, watch_target_id, bucket_start) do update set state = excluded.state`;
        }
      }
      await tx`
        delete from detector_snapshots
        where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}
          and bucket_start < ${new Date(now.getTime() - NOTIFY_WINDOW_MS - B)}`;
      await tx`
        update detector_states set state = ${tx.json(asJson(state))}, last_bucket_start = ${new Date(to - B)}, rejudge_from = null, updated_at = now()
        where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
      return to <= lastSettled;
    });
    if (!more) break;
  }
  return changes;
}

/**
 * A flare-up already running when the series was first stepped (a new source's backfill, a new
 * organisation) opened its episode in history, where nobody is notified, and its live buckets only
 * update it. The first live bucket of such an episode tells people now, as an escalation that
 * says the history was short.
 */
async function alreadyUnderWay(tx: Tx, series: Series, result: DetectionResult, notified: Set<string>): Promise<DetectionResult> {
  const alert = result.alert!;
  if (notified.has(alert.episodeId)) return result;
  const [row] = await tx<{ told: boolean }[]>`
    select exists (
      select 1 from alerts a join alert_events e on e.org_id = a.org_id and e.alert_id = a.id
      where a.org_id = ${series.orgId} and a.watch_target_id is not distinct from ${series.watchTargetId}
        and a.episode_id = ${alert.episodeId} and e.notify
    ) as told`;
  notified.add(alert.episodeId);
  if (row?.told) return result;
  return { ...result, alert: { ...alert, action: 'escalate', notify: true }, explanation: { ...result.explanation, underWay: true } };
}

/** The window an alert looks at for replies to the clinic's own post: the kind test's hour. */
const OWN_POST_WINDOW_MS = 60 * 60_000;

/**
 * An alert about replies and quotes to the clinic's own published post names that post, so the
 * person on call sees at once which of the clinic's words started it.
 */
async function nameOwnPost(tx: Tx, series: Series, bucketStart: Date, result: DetectionResult): Promise<DetectionResult> {
  const to = new Date(bucketStart.getTime() + MENTION_BUCKET_MS);
  const post = await postUnderFire(tx, { ...series, from: new Date(to.getTime() - OWN_POST_WINDOW_MS), to });
  if (!post) return result;
  const ownPost = {
    postId: post.postId,
    channelJa: channelLabels[post.channel as Channel] ?? post.channel,
    excerpt: post.excerpt,
    url: post.url,
    publishedAt: post.publishedAt.toISOString(),
    negative: post.negative,
    reactions: post.reactions,
    windowNegative: post.windowNegative,
    windowMinutes: OWN_POST_WINDOW_MS / 60_000,
  };
  return { ...result, explanation: { ...result.explanation, ownPost } };
}

async function clearRejudge(tx: Tx, series: Series): Promise<void> {
  await tx`update detector_states set rejudge_from = null
    where org_id = ${series.orgId} and watch_target_id is not distinct from ${series.watchTargetId}`;
}

/**
 * Posts stored for a recent bucket a series has already judged (a collector catching up after a
 * timeout, a platform's indexing delay): the bucket is judged again on the next pass, from the
 * state before it, and notifies if its verdict rises. Older late data is resetSeriesAfterLateData's.
 */
export async function markLateRecentBuckets(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  mentions: { watchTargetId: string | null; postedAt: Date }[],
  now = ctx.now(),
): Promise<number> {
  const B = MENTION_BUCKET_MS;
  const earliest = new Map<string | null, number>();
  const note = (target: string | null, t: number) => earliest.set(target, Math.min(earliest.get(target) ?? Infinity, t));
  for (const m of mentions) {
    const t = m.postedAt.getTime();
    if (now.getTime() - t > NOTIFY_WINDOW_MS || t > now.getTime()) continue;
    const bucket = Math.floor(t / B) * B;
    note(null, bucket);
    if (m.watchTargetId) note(m.watchTargetId, bucket);
  }
  let marked = 0;
  for (const [target, bucket] of earliest) {
    const rows = await ctx.sql`
      update detector_states set rejudge_from = least(coalesce(rejudge_from, ${new Date(bucket)}), ${new Date(bucket)})
      where org_id = ${orgId} and watch_target_id is not distinct from ${target} and last_bucket_start >= ${new Date(bucket)}
      returning 1`;
    marked += rows.length;
  }
  return marked;
}

/**
 * Mentions stored for buckets a series has already stepped (a new source's backfill, a delayed
 * feed) arrive too late for streaming detection. A trickle is ignored; when they are a material
 * part of that stretch of history, the series is rebuilt from its data on the next pass, so its
 * baseline is learned from what really happened rather than from the empty buckets it saw.
 */
export async function resetSeriesAfterLateData(
  ctx: Pick<AppContext, 'sql' | 'now'>,
  orgId: string,
  mentions: { watchTargetId: string | null; postedAt: Date }[],
): Promise<(string | null)[]> {
  if (mentions.length < LATE_MIN_COUNT) return [];
  const states = await ctx.sql<Pick<Row<'detector_states'>, 'watch_target_id' | 'last_bucket_start'>[]>`
    select watch_target_id, last_bucket_start from detector_states where org_id = ${orgId}`;
  const reset: (string | null)[] = [];
  for (const st of states) {
    if (!st.last_bucket_start) continue;
    const end = st.last_bucket_start.getTime() + MENTION_BUCKET_MS;
    // Minutes of collection delay are normal and handled by the settle time; only history counts.
    const late = mentions.filter(
      (m) => (st.watch_target_id === null || m.watchTargetId === st.watch_target_id) && m.postedAt.getTime() < end - LATE_HORIZON_MS,
    );
    if (late.length < LATE_MIN_COUNT) continue;
    const from = Math.floor(Math.min(...late.map((m) => m.postedAt.getTime())) / MENTION_BUCKET_MS) * MENTION_BUCKET_MS;
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

export async function detectOrg(
  ctx: AppContext,
  orgId: string,
  now = ctx.now(),
  options: DetectOptions | null = null,
): Promise<AlertChange[]> {
  const gate = options
    ? collectionGate(await sourceCoverage(ctx, orgId, options.waitMs), {
        nowMs: now.getTime(),
        waitFromMs: options.waitFromMs,
        waitMs: options.waitMs,
      })
    : null;
  const changes: AlertChange[] = [];
  for (const series of await seriesOf(ctx.sql, orgId)) changes.push(...(await detectSeries(ctx, series, now, gate)));
  return changes;
}
