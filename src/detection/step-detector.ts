import { initialAlertState, stepAlert, type AlertDecision, type AlertState } from './alert-rules.ts';
import { criticalTermsDetector, type CriticalTermsState } from './critical-terms-detector.ts';
import type { BucketContext, Detector, DetectorReading } from './detector.ts';
import { sentimentDetector, type SentimentState } from './sentiment-detector.ts';
import { initialKindState, stepKind, type AlertKind, type KindState, type KindVerdict } from './episode-kind.ts';
import { bucketSeverity, combinedScore, type DetectorReadings } from './severity.ts';
import type { DetectorSettings } from './settings.ts';
import { sanitizeSignal, type BucketSignal, type BucketSample, type BucketTerm } from './signal.ts';
import { velocityDetector, type VelocityState } from './velocity-detector.ts';
import { volumeDetector, type VolumeState } from './volume-detector.ts';

// One bucket in, one verdict out. The state is plain JSON (numbers, strings, fixed-size arrays)
// so the lead can keep it in a jsonb column and a restart continues exactly where it stopped.

export const detectorStateVersion = 1;

export type DetectorName = keyof DetectorReadings;

interface DetectorStates {
  volume: VolumeState;
  sentiment: SentimentState;
  velocity: VelocityState;
  criticalTerms: CriticalTermsState;
}

export interface DetectorState {
  version: typeof detectorStateVersion;
  /** Start (ms since epoch) of the last bucket stepped; older or repeated buckets are ignored. */
  lastBucketMs: number | null;
  detectors: DetectorStates;
  /** Crisis-or-notice evidence; optional so state saved before it existed loads (as no evidence). */
  kind?: KindState;
  alert: AlertState;
}

const detectors: { [K in DetectorName]: Detector<DetectorStates[K]> } = {
  volume: volumeDetector,
  sentiment: sentimentDetector,
  velocity: velocityDetector,
  criticalTerms: criticalTermsDetector,
};

export interface OwnPostUnderFire {
  postId: string;
  /** The channel in Japanese (X（旧Twitter）, Instagram …). */
  channelJa: string;
  excerpt: string;
  url: string | null;
  publishedAt: string;
  /** Negative replies and quotes to it, all replies and quotes, and the window's negative posts. */
  negative: number;
  reactions: number;
  windowNegative: number;
  /** The window counted, in minutes. */
  windowMinutes: number;
}

export interface DetectionExplanation {
  bucketStart: string;
  bucketMs: number;
  /** `catchUp`: a batch after an improbably long empty stretch, judged against the stretch's expectation. */
  volume: { observed: number; expected: number; ratio: number; catchUp?: boolean };
  negativeShare: { observed: number | null; baseline: number; negative: number | null; reported: number };
  /** Why the episode is (or would open as) a crisis or a notice. */
  kind: KindVerdict;
  /** The baseline is provisional (a new series: default profile blended with a short history). */
  provisional: boolean;
  /** Set by the detection pass: the episode began before the series' history did (already under way). */
  underWay?: boolean;
  /**
   * Set by the detection pass: the clinic's own published post whose replies and quotes carry a
   * good part of the window's negative posts (src/post-review/own-post-link.ts).
   */
  ownPost?: OwnPostUnderFire;
  reach: { observed: number; expected: number };
  fired: DetectorName[];
  criticalTerms: { new: string[]; all: string[] };
  riskCategories: { category: string; count: number }[];
  topTerms: BucketTerm[];
  samples: BucketSample[];
}

export interface DetectionResult {
  score: number;
  /** 0 (nothing unusual) to 5 for this bucket; see severity.ts. */
  severity: number;
  /** Kind of the active episode, or null when none is active. */
  kind: AlertKind | null;
  alert: AlertDecision | null;
  detectors: Record<DetectorName, DetectorReading>;
  explanation: DetectionExplanation;
}

export function initialDetectorState(settings: DetectorSettings): DetectorState {
  return {
    version: detectorStateVersion,
    lastBucketMs: null,
    detectors: {
      volume: detectors.volume.initial(settings),
      sentiment: detectors.sentiment.initial(settings),
      velocity: detectors.velocity.initial(settings),
      criticalTerms: detectors.criticalTerms.initial(settings),
    },
    kind: initialKindState(),
    alert: initialAlertState(),
  };
}

export function bucketContext(start: Date, settings: DetectorSettings): BucketContext {
  const local = new Date(start.getTime() + settings.utcOffsetMinutes * 60_000);
  return { hourOfDay: local.getUTCHours(), dayOfWeek: local.getUTCDay() };
}

function round(n: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Step one bucket. Pure: the given state is not modified. */
export function stepDetector(
  state: DetectorState,
  rawSignal: BucketSignal,
  settings: DetectorSettings,
): { state: DetectorState; result: DetectionResult } {
  const signal = sanitizeSignal(rawSignal);
  const nowMs = signal.start.getTime();
  const context = bucketContext(signal.start, settings);
  const stale = state.lastBucketMs !== null && nowMs <= state.lastBucketMs;

  const volume = detectors.volume.step(state.detectors.volume, signal, context, settings);
  // Posts sharing a report of trouble are negative evidence whatever their own words (episode-kind.ts).
  const judged =
    signal.reported && signal.negative !== null
      ? { ...signal, negative: Math.min(signal.count, signal.negative + signal.reported) }
      : signal;
  const sentiment = detectors.sentiment.step(state.detectors.sentiment, judged, context, settings);
  const velocity = detectors.velocity.step(state.detectors.velocity, signal, context, settings);
  const criticalTerms = detectors.criticalTerms.step(state.detectors.criticalTerms, signal, context, settings);

  // Until the sentiment baseline has seen enough posts, good news is judged by the default share:
  // a series that starts inside a flare-up must not learn the flare-up's share as normal.
  // Also while the volume is still warming up: a first day's flare-up brings its own 30 posts.
  const sentimentProvisional =
    state.detectors.sentiment.total < settings.kind.provisionalPosts || state.detectors.volume.seen < settings.volume.warmupBuckets;
  const baselineShare = sentimentProvisional
    ? Math.min(sentiment.reading.expected, settings.sentiment.priorShare)
    : sentiment.reading.expected;
  const last = state.alert.lastClosed;
  const episodeActive =
    state.alert.episode !== null || (last !== null && nowMs - last.closedMs <= settings.episode.cooldownBuckets * settings.bucketMs);
  const run = sentiment.reading.fired ? { negative: sentiment.state.cusumNegative ?? 0, total: sentiment.state.cusumTotal ?? 0 } : null;
  const kindStep = stepKind(
    state.kind ?? initialKindState(),
    signal,
    criticalTerms.reading.fired,
    baselineShare,
    settings,
    episodeActive,
    run,
  );
  const kind = kindStep.verdict.kind;

  // A provisional volume reading (cold start) may alert only with negative evidence or a critical
  // term: a busy target's first ordinary day is not a surge, a first day that starts with a 炎上 is.
  const provisionalVolume = volume.reading.provisional === true;
  const volumeMayAlert = !provisionalVolume || (kindStep.verdict.signalled === 'crisis' && kindStep.verdict.reason !== 'unknown-sentiment');
  const readings: DetectorReadings = {
    volume: volumeMayAlert ? volume.reading : { ...volume.reading, fired: false, strength: 0 },
    sentiment: sentiment.reading,
    velocity: velocity.reading,
    criticalTerms: criticalTerms.reading,
  };
  const score = combinedScore(readings);
  const severity = bucketSeverity(score, kind, signal, readings, settings);
  const explanation = explain(
    signal,
    readings,
    criticalTerms.state.lastNew,
    settings,
    kindStep.verdict,
    provisionalVolume || sentimentProvisional,
  );

  if (stale) {
    // Out of order or repeated: report what it looks like, but learn nothing and alert nothing.
    return { state, result: { score, severity, kind: state.alert.episode?.kind ?? null, alert: null, detectors: readings, explanation } };
  }

  const alert = stepAlert(state.alert, nowMs, score, severity, kind, settings);
  const next: DetectorState = {
    version: detectorStateVersion,
    lastBucketMs: nowMs,
    detectors: { volume: volume.state, sentiment: sentiment.state, velocity: velocity.state, criticalTerms: criticalTerms.state },
    kind: kindStep.state,
    alert: alert.state,
  };
  return {
    state: next,
    result: {
      score,
      severity,
      kind: alert.state.episode?.kind ?? null,
      alert: alert.alert,
      detectors: readings,
      explanation,
    },
  };
}

function explain(
  signal: BucketSignal,
  readings: DetectorReadings,
  newTerms: string[],
  settings: DetectorSettings,
  kind: DetectionExplanation['kind'],
  provisional: boolean,
): DetectionExplanation {
  const fired = (Object.keys(readings) as DetectorName[]).filter((name) => readings[name].fired);
  return {
    bucketStart: signal.start.toISOString(),
    bucketMs: settings.bucketMs,
    volume: {
      observed: signal.count,
      expected: round(readings.volume.expected),
      ratio: round(signal.count / Math.max(readings.volume.expected, 1e-9), 2),
      ...(readings.volume.catchUp ? { catchUp: true } : {}),
    },
    negativeShare: {
      observed: signal.negative === null || signal.count === 0 ? null : round(signal.negative / signal.count),
      baseline: round(readings.sentiment.expected),
      negative: signal.negative,
      reported: signal.reported ?? 0,
    },
    kind,
    provisional,
    reach: { observed: readings.velocity.observed, expected: round(readings.velocity.expected) },
    fired,
    criticalTerms: { new: newTerms, all: signal.criticalTerms },
    riskCategories: Object.entries(signal.riskHits)
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 5),
    topTerms: (signal.topTerms ?? [])
      .slice()
      .sort((a, b) => b.count - a.count)
      .slice(0, 5),
    samples: (signal.samples ?? []).slice(0, 3),
  };
}
