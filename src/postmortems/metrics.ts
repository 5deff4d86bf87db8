import { countSurprise } from '../detection/count-tails.ts';
import { JST_OFFSET_MS } from '../display.ts';

// Post-mortem metrics as pure functions over plain data: hourly buckets, incident timestamps and
// tasks in, numbers out. No database, so each definition is unit-tested on constructed timelines.
//
// Definitions (also printed in the post-mortem so a director can check them):
// - Buckets are one hour (UTC hours are JST hours: the offset is a whole 9 h).
// - Baseline: the 7 days ending LOOKBACK (48 h) before the first alert's hour. Its negative share
//   p0 and its negative posts per hour λ describe "normal" before the episode began.
// - An hour is elevated when its negative posts would happen less than 1 % of the time under the
//   baseline (Poisson tail, p < 0.01). The expected count is the baseline's for the same hour of day
//   (clinics are busy at 9 and quiet at 3), shrunk toward the flat hourly rate by two days' weight so
//   a week of sparse data does not make every empty hour-of-day a zero. The episode starts at the
//   first hour of the run of elevated hours that leads up to the first alert's hour, tolerating one
//   quiet hour inside the run, and never earlier than LOOKBACK before the alert.
// - The first alert counts from the end of the 5-minute window that raised it (the moment its data
//   was complete); the first negative post of the episode is the earliest negative post from the
//   episode's first hour up to then. Time to detect is the gap between the two.
// - Baseline band of the negative share for an hour with n posts: p0 ± 2·√(p0(1−p0)/n) (a binomial
//   band, so an hour with 3 posts may wander further than one with 300). An hour with no posts is
//   within the band: nobody said anything negative.
// - Sentiment recovery: after the peak hour (most negative posts; the first such hour on a tie),
//   the first hour from which every later hour up to the end of the data stays at or below the
//   band's upper edge. Time = that hour's start − the peak hour's start. Never back inside: null.
// - A missing timestamp (no statement yet, not acknowledged) gives a null metric, never 0.

export const HOUR_MS = 3_600_000;
export const LOOKBACK_MS = 48 * HOUR_MS;
export const BASELINE_MS = 7 * 24 * HOUR_MS;
export const BAND_Z = 2;

export interface Bucket {
  start: Date;
  total: number;
  negative: number;
}

export interface Baseline {
  from: Date;
  to: Date;
  total: number;
  negative: number;
  /** Negative share over the baseline; null when nobody posted in it. */
  share: number | null;
  negativePerHour: number;
  /** Negative posts expected in each UTC hour of day (index 0–23), shrunk toward negativePerHour. */
  negativeByHourOfDay: number[];
}

export const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

export function baselineWindow(firstAlertAt: Date): { from: Date; to: Date } {
  const to = new Date(floorHour(firstAlertAt).getTime() - LOOKBACK_MS);
  return { from: new Date(to.getTime() - BASELINE_MS), to };
}

/** Weight, in days, of the flat hourly rate in each hour-of-day's expectation. */
const HOUR_OF_DAY_PRIOR_DAYS = 2;
const ELEVATED_SURPRISE = 2; // p < 0.01

export function baselineOf(buckets: readonly Bucket[], window: { from: Date; to: Date }): Baseline {
  let total = 0;
  let negative = 0;
  const byHourOfDay = new Array<number>(24).fill(0);
  for (const b of buckets) {
    if (b.start >= window.from && b.start < window.to) {
      total += b.total;
      negative += b.negative;
      byHourOfDay[b.start.getUTCHours()]! += b.negative;
    }
  }
  const hours = (window.to.getTime() - window.from.getTime()) / HOUR_MS;
  const negativePerHour = hours > 0 ? negative / hours : 0;
  const days = hours / 24;
  const negativeByHourOfDay = byHourOfDay.map((n) => (n + HOUR_OF_DAY_PRIOR_DAYS * negativePerHour) / (days + HOUR_OF_DAY_PRIOR_DAYS));
  return { ...window, total, negative, share: total > 0 ? negative / total : null, negativePerHour, negativeByHourOfDay };
}

/** Hourly buckets from `from` up to `to`, empty hours filled in (the store has rows only where posts came). */
export function hourly(buckets: readonly Bucket[], from: Date, to: Date): Bucket[] {
  const byHour = new Map<number, Bucket>();
  for (const b of buckets) {
    const h = floorHour(b.start).getTime();
    const cur = byHour.get(h) ?? { start: new Date(h), total: 0, negative: 0 };
    byHour.set(h, { start: cur.start, total: cur.total + b.total, negative: cur.negative + b.negative });
  }
  const out: Bucket[] = [];
  for (let h = floorHour(from).getTime(); h < to.getTime(); h += HOUR_MS)
    out.push(byHour.get(h) ?? { start: new Date(h), total: 0, negative: 0 });
  return out;
}

/** Whether an hour's negative posts are surprising for its hour of day (see the definitions above). */
export function isElevated(hour: Bucket, baseline: Baseline): boolean {
  // With no negatives in the baseline at all, a floor of one a week keeps a single post unremarkable.
  const expected = Math.max(baseline.negativeByHourOfDay[hour.start.getUTCHours()] ?? baseline.negativePerHour, 1 / (7 * 24));
  return countSurprise(hour.negative, expected, 0) >= ELEVATED_SURPRISE;
}

/** Start of the episode's first hour (see the definitions above). */
export function episodeStart(hours: readonly Bucket[], baseline: Baseline, firstAlertAt: Date): Date {
  const alertHour = floorHour(firstAlertAt).getTime();
  const earliest = alertHour - LOOKBACK_MS;
  const byHour = new Map(hours.map((b) => [b.start.getTime(), b]));
  const elevated = (h: number) => isElevated(byHour.get(h) ?? { start: new Date(h), total: 0, negative: 0 }, baseline);
  let start = alertHour;
  for (let h = alertHour - HOUR_MS; h >= earliest; h -= HOUR_MS) {
    if (elevated(h)) start = h;
    // One quiet hour inside the run (a lull at night) does not end it; two do.
    else if (!(h - HOUR_MS >= earliest && elevated(h - HOUR_MS))) break;
  }
  return new Date(start);
}

/** Upper edge of the baseline band for an hour with `n` posts; null without a baseline share. */
export function bandUpper(p0: number | null, n: number): number | null {
  if (p0 === null) return null;
  if (n === 0) return 1;
  return p0 + BAND_Z * Math.sqrt((p0 * (1 - p0)) / n);
}

export interface Recovery {
  peakAt: Date | null;
  peakNegative: number;
  recoveredAt: Date | null;
  /** recoveredAt − peakAt; null when never back within the band (or no baseline to compare with). */
  recoveryMs: number | null;
}

/** Sentiment recovery over `hours` (from the episode start to the end of the data). */
export function sentimentRecovery(hours: readonly Bucket[], p0: number | null): Recovery {
  let peak = -1;
  for (let i = 0; i < hours.length; i++) if (peak < 0 || hours[i]!.negative > hours[peak]!.negative) peak = i;
  if (peak < 0 || hours[peak]!.negative === 0) return { peakAt: null, peakNegative: 0, recoveredAt: null, recoveryMs: null };
  const peakAt = hours[peak]!.start;
  const base = { peakAt, peakNegative: hours[peak]!.negative };
  if (p0 === null) return { ...base, recoveredAt: null, recoveryMs: null };
  const within = (b: Bucket) => b.total === 0 || b.negative / b.total <= bandUpper(p0, b.total)! + 1e-12;
  // Walk back from the end: the recovery hour starts the final run of in-band hours after the peak.
  let first = hours.length;
  for (let i = hours.length - 1; i > peak; i--) {
    if (!within(hours[i]!)) break;
    first = i;
  }
  if (first === hours.length) return { ...base, recoveredAt: null, recoveryMs: null };
  const recoveredAt = hours[first]!.start;
  return { ...base, recoveredAt, recoveryMs: recoveredAt.getTime() - peakAt.getTime() };
}

const diff = (later: Date | null | undefined, earlier: Date | null | undefined): number | null =>
  later && earlier ? later.getTime() - earlier.getTime() : null;

export interface MetricInput {
  firstNegativeAt: Date | null;
  firstAlertAt: Date | null;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  recovery: Recovery;
}

export interface Metrics {
  timeToDetectMs: number | null;
  timeToAcknowledgeMs: number | null;
  timeToFirstStatementMs: number | null;
  timeToResolveMs: number | null;
  sentimentRecoveryMs: number | null;
}

export function responseMetrics(i: MetricInput): Metrics {
  return {
    timeToDetectMs: diff(i.firstAlertAt, i.firstNegativeAt),
    timeToAcknowledgeMs: diff(i.acknowledgedAt, i.detectedAt),
    timeToFirstStatementMs: diff(i.firstResponseAt, i.detectedAt),
    timeToResolveMs: diff(i.resolvedAt, i.detectedAt),
    sentimentRecoveryMs: i.recovery.recoveryMs,
  };
}

export const metricNames = [
  'timeToDetectMs',
  'timeToAcknowledgeMs',
  'timeToFirstStatementMs',
  'timeToResolveMs',
  'sentimentRecoveryMs',
] as const;
export type MetricName = (typeof metricNames)[number];
export const metricLabels: Record<MetricName, string> = {
  timeToDetectMs: '検知までの時間 (time to detect)',
  timeToAcknowledgeMs: '受領までの時間 (time to acknowledge)',
  timeToFirstStatementMs: '最初の公式発表までの時間 (time to first public statement)',
  timeToResolveMs: '解決までの時間 (time to resolve)',
  sentimentRecoveryMs: '否定割合の回復時間 (sentiment recovery)',
};

export interface TaskFact {
  id: string;
  stepKey: string;
  title: string;
  ownerRole: string;
  dueAt: Date;
  status: 'open' | 'done' | 'skipped';
  doneAt: Date | null;
}

export type DeadlineOutcome = 'met' | 'late' | 'missed' | 'skipped' | 'open';
export interface Deadline extends TaskFact {
  outcome: DeadlineOutcome;
  lateMs: number | null;
}

/**
 * Whether each playbook task met its deadline, judged at `asOf` (the resolution): done by the due
 * time is met, done after it late, still open past it missed; open and not yet due is open.
 * Action items ('action:<n>') are the post-mortem's own output, not the playbook's: left out.
 */
export function deadlineOutcomes(tasks: readonly TaskFact[], asOf: Date): Deadline[] {
  return tasks
    .filter((t) => !t.stepKey.startsWith('action:'))
    .map((t) => {
      if (t.status === 'skipped') return { ...t, outcome: 'skipped' as const, lateMs: null };
      if (t.status === 'done' && t.doneAt) {
        const late = t.doneAt.getTime() - t.dueAt.getTime();
        return { ...t, outcome: late <= 0 ? ('met' as const) : ('late' as const), lateMs: late > 0 ? late : null };
      }
      const late = asOf.getTime() - t.dueAt.getTime();
      return { ...t, outcome: late > 0 ? ('missed' as const) : ('open' as const), lateMs: late > 0 ? late : null };
    });
}

/** 1時間5分 / 3日2時間 / 45秒: durations for people (the two largest units). */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const sign = ms < 0 ? '−' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d ? `${d}日` : '', h ? `${h}時間` : '', m ? `${m}分` : '', !d && !h && !m ? `${s}秒` : ''].filter(Boolean);
  return sign + parts.slice(0, 2).join('');
}

/** Median of the non-null values; null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** '2026-11': the month the instant falls in, in Japan. */
export function jstMonth(d: Date): string {
  return new Date(d.getTime() + JST_OFFSET_MS).toISOString().slice(0, 7);
}
