import type { DetectorSettings } from './settings.ts';
import type { BucketSignal } from './signal.ts';

// The shape every detector has, so `detectors` in step-detector.ts is a registry: a new kind does
// not compile until it has a state, a reading and a place in the explanation.

export interface DetectorReading {
  fired: boolean;
  /** In [0, 1): how strongly this detector says "flare-up". */
  strength: number;
  /** −log10 of the tail probability of what was observed (0 when not above expectation). */
  surprise: number;
  observed: number;
  expected: number;
  /** Judged against a provisional baseline (a default profile blended with a short history). */
  provisional?: boolean;
  /** Judged as a catch-up batch after an improbably long empty stretch (volume only). */
  catchUp?: boolean;
}

/** Calendar position of the bucket in the target's local time. */
export interface BucketContext {
  hourOfDay: number;
  dayOfWeek: number;
}

export interface Detector<State> {
  initial(settings: DetectorSettings): State;
  /** Pure: returns a new state, never mutates the one it was given. */
  step(state: State, signal: BucketSignal, context: BucketContext, settings: DetectorSettings): { state: State; reading: DetectorReading };
}

export const quietReading = (observed: number, expected: number): DetectorReading => ({
  fired: false,
  strength: 0,
  surprise: 0,
  observed,
  expected,
});
