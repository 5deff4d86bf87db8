import { initialAlertState, stepAlert, type AlertDecision, type AlertState } from './alert-rules.ts';
import { criticalTermsDetector, type CriticalTermsState } from './critical-terms-detector.ts';
import type { BucketContext, Detector, DetectorReading } from './detector.ts';
import { sentimentDetector, type SentimentState } from './sentiment-detector.ts';
import { alertKind, bucketSeverity, combinedScore, type AlertKind, type DetectorReadings } from './severity.ts';
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
  alert: AlertState;
}

const detectors: { [K in DetectorName]: Detector<DetectorStates[K]> } = {
  volume: volumeDetector,
  sentiment: sentimentDetector,
  velocity: velocityDetector,
  criticalTerms: criticalTermsDetector,
};

export interface DetectionExplanation {
  bucketStart: string;
  bucketMs: number;
  volume: { observed: number; expected: number; ratio: number };
  negativeShare: { observed: number | null; baseline: number; negative: number | null };
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
  const sentiment = detectors.sentiment.step(state.detectors.sentiment, signal, context, settings);
  const velocity = detectors.velocity.step(state.detectors.velocity, signal, context, settings);
  const criticalTerms = detectors.criticalTerms.step(state.detectors.criticalTerms, signal, context, settings);
  const readings: DetectorReadings = {
    volume: volume.reading,
    sentiment: sentiment.reading,
    velocity: velocity.reading,
    criticalTerms: criticalTerms.reading,
  };

  const baselineShare = sentiment.reading.expected;
  const score = combinedScore(readings);
  const kind = alertKind(signal, readings, baselineShare);
  const severity = bucketSeverity(score, kind, signal, readings, settings);
  const explanation = explain(signal, readings, criticalTerms.state.lastNew, settings);

  if (stale) {
    // Out of order or repeated: report what it looks like, but learn nothing and alert nothing.
    return { state, result: { score, severity, kind: state.alert.episode?.kind ?? null, alert: null, detectors: readings, explanation } };
  }

  const alert = stepAlert(state.alert, nowMs, score, severity, kind, settings);
  const next: DetectorState = {
    version: detectorStateVersion,
    lastBucketMs: nowMs,
    detectors: { volume: volume.state, sentiment: sentiment.state, velocity: velocity.state, criticalTerms: criticalTerms.state },
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

function explain(signal: BucketSignal, readings: DetectorReadings, newTerms: string[], settings: DetectorSettings): DetectionExplanation {
  const fired = (Object.keys(readings) as DetectorName[]).filter((name) => readings[name].fired);
  return {
    bucketStart: signal.start.toISOString(),
    bucketMs: settings.bucketMs,
    volume: {
      observed: signal.count,
      expected: round(readings.volume.expected),
      ratio: round(signal.count / Math.max(readings.volume.expected, 1e-9), 2),
    },
    negativeShare: {
      observed: signal.negative === null || signal.count === 0 ? null : round(signal.negative / signal.count),
      baseline: round(readings.sentiment.expected),
      negative: signal.negative,
    },
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
