import type { DetectorReading } from './detector.ts';
import { strengthFromSurprise, type DetectorSettings } from './settings.ts';
import type { AlertKind } from './episode-kind.ts';
import type { BucketSignal } from './signal.ts';

// Severity and kind of one bucket, in terms a PR person can act on (README table):
// 1 注意 unusual but small · 2 警戒 clear surge · 3 要対応 negative surge or spreading, or a new
// critical term · 4 重大 large negative surge with spread, or critical term plus surge ·
// 5 緊急 critical term, surge and spread together, or an enormous negative surge.

// Strengths are turned back into surprises on one common scale to be combined (the default
// half-way point of settings.ts); a single detector's strength passes through unchanged.
const halfStrength = 3;

export interface DetectorReadings {
  volume: DetectorReading;
  sentiment: DetectorReading;
  velocity: DetectorReading;
  criticalTerms: DetectorReading;
}

/**
 * The strongest single detector, or the two strongest together, whichever says more. Two
 * detectors agree by Fisher's method on their surprises (tail probabilities multiplied, judged
 * as the chi-square with 4 degrees of freedom they would follow by chance): a few more posts than
 * usual with a few of them negative is not twice the evidence of either. (A noisy-OR of the
 * strengths counted it as such: a 5-post hour with 2 negatives made 0.46 and 0.31 into 0.63.)
 */
export function combinedScore(readings: DetectorReadings): number {
  const surprises = (Object.values(readings) as DetectorReading[])
    .map((r) => {
      const s = Math.min(0.999999, Math.max(0, r.strength));
      return (halfStrength * s) / (1 - s);
    })
    .sort((a, b) => b - a);
  const [first = 0, second = 0] = surprises;
  const sum = first + second;
  const pair = sum > 0 ? sum - Math.log10(1 + Math.LN10 * sum) : 0;
  const surprise = Math.max(first, pair);
  return Math.round(strengthFromSurprise(surprise, halfStrength) * 1e6) / 1e6;
}

export function bucketSeverity(
  score: number,
  kind: AlertKind,
  signal: BucketSignal,
  readings: DetectorReadings,
  settings: DetectorSettings,
): number {
  if (score < settings.thresholds.close) return 0;
  const { minCount, minNegative } = settings.floors;
  const ratio = signal.count / Math.max(readings.volume.expected, 1e-9);
  const negatives = signal.negative ?? signal.count;
  const surge = readings.volume.fired && ratio >= 3 && signal.count >= 2 * minCount;
  const bigSurge = readings.volume.fired && ratio >= 10 && negatives >= 3 * minNegative;
  const hugeSurge = readings.volume.fired && ratio >= 30 && negatives >= 10 * minCount;
  const spreading = readings.velocity.fired;
  const critical = readings.criticalTerms.fired;

  let severity = 1;
  if (surge || readings.sentiment.fired) severity = 2;
  if (kind === 'notice') return Math.min(severity, 2);
  if (bigSurge || spreading || critical) severity = 3;
  if ((hugeSurge && spreading) || (critical && (surge || spreading)) || (hugeSurge && ratio >= 100)) severity = 4;
  if ((critical && (bigSurge || hugeSurge) && spreading) || (hugeSurge && ratio >= 100 && spreading)) severity = 5;
  return severity;
}
