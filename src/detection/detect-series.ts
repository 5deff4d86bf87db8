import { defaultDetectorSettings, type DetectorSettings, type Sensitivity } from './settings.ts';
import type { AlertKind } from './episode-kind.ts';
import { initialDetectorState, stepDetector, type DetectorState } from './step-detector.ts';
import type { BucketSignal } from './signal.ts';
import type { SeriesRow } from './volume-csv.ts';

// Runs a plain volume series through the product's detector, one row per bucket, strictly in
// order: each output depends only on the rows up to it and the bucket length (tests prove the
// prefix property). The bucket length is given, or taken from the first two timestamps (five
// minutes, the product's own, for a single row). Every row is judged, the first included: a series
// that starts inside a flare-up is reported on its first rows, judged against the provisional
// baseline a new target gets (the `baseline` column says so).

export interface SeriesVerdict {
  timestamp: string;
  score: number;
  /** 1 where the product would notify someone (an alert opened or escalated). */
  alert: 0 | 1;
  severity: number;
  kind: AlertKind | null;
  /** The baseline was provisional (short history) when this row was judged. */
  provisional: boolean;
}

function rowSignal(row: SeriesRow): BucketSignal {
  return {
    start: new Date(row.startMs),
    count: row.value,
    negative: row.negative,
    // A plain series says nothing of praise: the posts neither negative nor reported count as positive.
    positive: row.negative === null ? null : row.value - row.negative - row.reported,
    reported: row.reported,
    riskHits: {},
    reach: row.reach,
    criticalTerms: row.criticalTerms,
  };
}

/** The product's own bucket length, for a series of one row with no length given. */
const defaultBucketMs = 5 * 60_000;

export class SeriesDetector {
  private settings: DetectorSettings | null = null;
  private state: DetectorState | null = null;

  /** `tune` adjusts the default settings (bench/nab-accuracy.ts uses it for its leave-one-out estimate). */
  constructor(
    private readonly bucketMs: number,
    private readonly sensitivity: Sensitivity = 'balanced',
    private readonly tune: (settings: DetectorSettings) => DetectorSettings = (settings) => settings,
  ) {}

  push(row: SeriesRow): SeriesVerdict {
    if (!this.settings || !this.state) {
      this.settings = this.tune(defaultDetectorSettings(Math.max(1000, this.bucketMs), this.sensitivity));
      this.state = initialDetectorState(this.settings);
    }
    const { state, result } = stepDetector(this.state, rowSignal(row), this.settings);
    this.state = state;
    return {
      timestamp: row.timestamp,
      score: result.score,
      alert: result.alert?.notify ? 1 : 0,
      severity: result.severity,
      kind: result.kind,
      provisional: result.explanation.provisional,
    };
  }
}

/** The bucket length of a series: from its first two rows, else the product's five minutes. */
export function inferBucketMs(rows: readonly SeriesRow[]): number {
  const [first, second] = rows;
  return first && second ? Math.max(1000, second.startMs - first.startMs) : defaultBucketMs;
}

export function detectSeries(
  rows: SeriesRow[],
  sensitivity: Sensitivity = 'balanced',
  tune?: (settings: DetectorSettings) => DetectorSettings,
  bucketMs = inferBucketMs(rows),
): SeriesVerdict[] {
  const detector = new SeriesDetector(bucketMs, sensitivity, tune);
  return rows.map((row) => detector.push(row));
}

export function formatVerdictCsv(verdicts: SeriesVerdict[]): string {
  const out = ['timestamp,anomaly_score,alert,severity,kind,baseline'];
  for (const v of verdicts) {
    out.push(`${v.timestamp},${v.score.toFixed(4)},${v.alert},${v.severity},${v.kind ?? ''},${v.provisional ? 'provisional' : ''}`);
  }
  return out.join('\n') + '\n';
}
