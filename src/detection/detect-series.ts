import { defaultDetectorSettings, type DetectorSettings, type Sensitivity } from './settings.ts';
import type { AlertKind } from './severity.ts';
import { initialDetectorState, stepDetector, type DetectorState } from './step-detector.ts';
import type { BucketSignal } from './signal.ts';
import type { SeriesRow } from './volume-csv.ts';

// Runs a plain volume series through the product's detector, one row per bucket, strictly in
// order: each output depends only on the rows up to it (tests prove the prefix property).
// The bucket length is taken from the first two timestamps, so the first row, which has no
// history and no known bucket length, is always reported as unremarkable.

export interface SeriesVerdict {
  timestamp: string;
  score: number;
  /** 1 where the product would notify someone (an alert opened or escalated). */
  alert: 0 | 1;
  severity: number;
  kind: AlertKind | null;
}

function rowSignal(row: SeriesRow): BucketSignal {
  return {
    start: new Date(row.startMs),
    count: row.value,
    negative: row.negative,
    positive: row.negative === null ? null : row.value - row.negative,
    riskHits: {},
    reach: row.reach,
    criticalTerms: row.criticalTerms,
  };
}

export class SeriesDetector {
  private first: SeriesRow | null = null;
  private settings: DetectorSettings | null = null;
  private state: DetectorState | null = null;

  /** `tune` adjusts the default settings (bench/nab-accuracy.ts uses it for its leave-one-out estimate). */
  constructor(
    private readonly sensitivity: Sensitivity = 'balanced',
    private readonly tune: (settings: DetectorSettings) => DetectorSettings = (settings) => settings,
  ) {}

  push(row: SeriesRow): SeriesVerdict {
    if (!this.first) {
      this.first = row;
      return { timestamp: row.timestamp, score: 0, alert: 0, severity: 0, kind: null };
    }
    if (!this.settings || !this.state) {
      this.settings = this.tune(defaultDetectorSettings(Math.max(1000, row.startMs - this.first.startMs), this.sensitivity));
      this.state = stepDetector(initialDetectorState(this.settings), rowSignal(this.first), this.settings).state;
    }
    const { state, result } = stepDetector(this.state, rowSignal(row), this.settings);
    this.state = state;
    return {
      timestamp: row.timestamp,
      score: result.score,
      alert: result.alert?.notify ? 1 : 0,
      severity: result.severity,
      kind: result.kind,
    };
  }
}

export function detectSeries(
  rows: SeriesRow[],
  sensitivity: Sensitivity = 'balanced',
  tune?: (settings: DetectorSettings) => DetectorSettings,
): SeriesVerdict[] {
  const detector = new SeriesDetector(sensitivity, tune);
  return rows.map((row) => detector.push(row));
}

export function formatVerdictCsv(verdicts: SeriesVerdict[]): string {
  const out = ['timestamp,anomaly_score,alert,severity,kind'];
  for (const v of verdicts) out.push(`${v.timestamp},${v.score.toFixed(4)},${v.alert},${v.severity},${v.kind ?? ''}`);
  return out.join('\n') + '\n';
}
