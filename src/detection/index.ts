// Flare-up detection: pure streaming detectors, alert rules and explanations. Nothing here
// touches the database or the network; the caller persists `DetectorState` (plain JSON).
export { sanitizeSignal, emptyBucketSignal, type BucketSignal, type BucketReach, type BucketTerm, type BucketSample } from './signal.ts';
export { defaultDetectorSettings, sensitivities, type DetectorSettings, type Sensitivity } from './settings.ts';
export {
  initialDetectorState,
  stepDetector,
  bucketContext,
  detectorStateVersion,
  type DetectorState,
  type DetectionResult,
  type DetectionExplanation,
  type DetectorName,
} from './step-detector.ts';
export type { DetectorReading } from './detector.ts';
export type { AlertDecision, AlertAction } from './alert-rules.ts';
export type { AlertKind, KindReason, KindEvidence, KindVerdict } from './episode-kind.ts';
export { describeAlert, severityLevels, bucketLengthJa, type SeverityLevel } from './describe-alert.ts';
export { countSurprise, betaBinomialSurprise } from './count-tails.ts';
export { parseVolumeCsv, parseSeriesTimestamp, type SeriesRow } from './volume-csv.ts';
export { detectSeries, SeriesDetector, formatVerdictCsv, type SeriesVerdict } from './detect-series.ts';
export { buildBucketSignal, bucketStartFor, criticalTermsIn, defaultCriticalCategories, type BuildSignalOptions } from './build-signal.ts';
