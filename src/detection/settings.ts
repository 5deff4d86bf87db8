// Every number the detectors and alert rules use, in one plain object per target (the lead
// stores it beside the state). Time-based knobs are converted to buckets here, once, so the
// same defaults serve 5-minute NAB series and hourly clinic streams.

export const sensitivities = ['fewer', 'balanced', 'more'] as const;
export type Sensitivity = (typeof sensitivities)[number];

export interface DetectorSettings {
  bucketMs: number;
  sensitivity: Sensitivity;
  /** Offset of the target's local time from UTC, for hour-of-day and day-of-week (JST = 540). */
  utcOffsetMinutes: number;
  thresholds: {
    /** Combined score at which an episode opens (and a notification goes out). */
    open: number;
    /** Hysteresis: the episode stays active while the score is at least this. */
    close: number;
    /** A detector counts as "fired" in the explanation at this strength. */
    fired: number;
  };
  floors: {
    /** Fewer mentions than this in a bucket never make a volume alarm (0 → 2 is not news). */
    minCount: number;
    /** Fewer negative mentions than this never make a sentiment alarm. */
    minNegative: number;
    /** Less engagement than this on negative posts never makes a velocity alarm. */
    minReach: number;
  };
  /** Surprise (−log10 tail probability) at which each detector's strength is 0.5. */
  halfStrengthSurprise: { volume: number; sentiment: number; velocity: number };
  volume: {
    warmupBuckets: number;
    levelHalfLifeBuckets: number;
    /** A slow level the expectation never falls below a share of: a week of 年末年始 closure must not make the first ordinary Monday look like a surge. */
    longLevelHalfLifeBuckets: number;
    longLevelFloorShare: number;
    trendHalfLifeBuckets: number;
    /** Observations of one hour-of-day slot (resp. weekday slot) after which its weight halves. */
    hourSlotHalfLife: number;
    daySlotHalfLife: number;
    /** Pseudo-count pulling each seasonal factor to 1 until the slot has seen real volume. */
    seasonalPriorCount: number;
    /** Expected count never goes below this (a silent target still may get a mention). */
    minExpected: number;
    /** Learning sees at most expected + this many standard deviations (or +1), so a spike does not become the new normal. */
    clipSigmas: number;
    dispersionPrior: number;
    dispersionMin: number;
    dispersionMax: number;
    dispersionHalfLifeBuckets: number;
    /** Surprise above which a bucket counts as an exceedance for tail calibration. */
    tailThreshold: number;
    tailHalfLifeBuckets: number;
    /** Prior weight of the count model's own tail (in buckets) before the target's history speaks. */
    tailPriorBuckets: number;
    /** One exceedance never moves the tail estimate by more than this much surprise. */
    tailExcessCap: number;
    /** Half-life of the short window that catches sustained rises no single bucket shows. */
    windowHalfLifeBuckets: number;
    /**
     * Cold start: until warm-up ends, a bucket is judged against a clinic-sized default profile
     * (posts a day) blended with what has been seen, weighted as this many buckets of history,
     * with at least this dispersion (a new target's level is uncertain).
     */
    priorPostsPerDay: number;
    priorWeightBuckets: number;
    priorDispersion: number;
    /** Posts expected over a run of empty buckets from which the batch ending it counts as a catch-up (e^−5 < 1 % by chance). */
    gapExpectedPosts: number;
  };
  sentiment: {
    baselineHalfLifeBuckets: number;
    /** Short window over which a slow build-up of negative posts is also judged. */
    recentHalfLifeBuckets: number;
    priorShare: number;
    priorWeight: number;
    /** Beta concentration: how much the negative share varies from bucket to bucket when nothing is wrong. */
    concentration: number;
    /** The shift the CUSUM looks for: odds of a post being negative this many times the baseline's (0.15 → 0.41). */
    cusumOddsRatio: number;
    /**
     * The CUSUM stops adding above this surprise, so that once a long complaint is over about forty
     * ordinary posts bring it back under the close threshold (two weeks at 3 a day, hours when busy).
     */
    cusumCapSurprise: number;
  };
  velocity: { baselineHalfLifeBuckets: number; dispersion: number };
  /** Crisis or notice (episode-kind.ts). */
  kind: {
    /** Share of posts about good news the analyser calls negative: good news stays under it. */
    goodNewsNegativeShare: number;
    /** Added to the larger of that share and the target's baseline before a share counts as more. */
    margin: number;
    /** One-sided normal quantile of the Wilson bound (2.33 ≈ 99 %). */
    z: number;
    /** Half-life of the window of posts judged (about an hour). */
    windowHalfLifeBuckets: number;
    /** Buckets in a row the evidence must say crisis before a running notice becomes one. */
    sustainBuckets: number;
    /** Buckets in a row the evidence must say notice before a running crisis becomes one again. */
    relaxBuckets: number;
    /** Until the sentiment baseline has seen this many posts it is provisional: good news is judged by the default share. */
    provisionalPosts: number;
  };
  criticalTerms: {
    /** A term seen again after this long counts as a first appearance again. */
    rearmMs: number;
    /** Terms remembered per target (oldest forgotten first): bounded state. */
    memory: number;
    strength: number;
  };
  episode: {
    /** Buckets below the close threshold before an episode closes. */
    quietBucketsToClose: number;
    /** After closing, a new spike within this many buckets resumes the same episode. */
    cooldownBuckets: number;
    /** Severity from which a rise notifies again (escalation); lower rises update silently. */
    escalateFromSeverity: number;
    /** Good news notifies only from this severity: a notice is worth an interruption only when it is a clear surge. */
    noticeFromSeverity: number;
  };
}

const hour = 3_600_000;
const day = 24 * hour;

function buckets(ms: number, bucketMs: number, min: number): number {
  return Math.max(min, Math.round(ms / bucketMs));
}

const bySensitivity: Record<Sensitivity, { open: number; minCount: number; minNegative: number; minReach: number }> = {
  fewer: { open: 0.7, minCount: 8, minNegative: 5, minReach: 50 },
  balanced: { open: 0.55, minCount: 5, minNegative: 3, minReach: 20 },
  more: { open: 0.45, minCount: 3, minNegative: 2, minReach: 10 },
};

export function defaultDetectorSettings(bucketMs: number, sensitivity: Sensitivity = 'balanced'): DetectorSettings {
  if (!Number.isFinite(bucketMs) || bucketMs < 1000) throw new RangeError(`bucketMs must be at least 1000, got ${bucketMs}`);
  const s = bySensitivity[sensitivity];
  return {
    bucketMs,
    sensitivity,
    utcOffsetMinutes: 540,
    // Strength = surprise / (surprise + half); with half = 3, 'balanced' opens at surprise 3.7
    // (tail probability ~2e-4) *after* the surprise is calibrated against the target's own
    // bursts (volume-detector.ts), so bursty targets need far bigger spikes than the raw model.
    thresholds: { open: s.open, close: 0.4, fired: 0.5 },
    floors: { minCount: s.minCount, minNegative: s.minNegative, minReach: s.minReach },
    halfStrengthSurprise: { volume: 3, sentiment: 3, velocity: 3 },
    volume: {
      warmupBuckets: Math.min(2000, buckets(day, bucketMs, 6)),
      levelHalfLifeBuckets: buckets(24 * hour, bucketMs, 2),
      longLevelHalfLifeBuckets: buckets(14 * day, bucketMs, 14),
      longLevelFloorShare: 0.5,
      trendHalfLifeBuckets: buckets(3 * day, bucketMs, 4),
      hourSlotHalfLife: Math.max(2, (14 * day) / bucketMs / 24),
      daySlotHalfLife: Math.max(2, (56 * day) / bucketMs / 7),
      seasonalPriorCount: 3,
      minExpected: 0.02,
      clipSigmas: 3,
      dispersionPrior: 0.1,
      dispersionMin: 0.01,
      dispersionMax: 5,
      dispersionHalfLifeBuckets: buckets(3 * day, bucketMs, 4),
      tailThreshold: 3,
      tailHalfLifeBuckets: buckets(14 * day, bucketMs, 24),
      tailPriorBuckets: 2000,
      tailExcessCap: 100,
      windowHalfLifeBuckets: Math.max(1, (2 * hour) / bucketMs),
      // The clinic-sized baseline: about 3 posts a day.
      priorPostsPerDay: 3,
      priorWeightBuckets: buckets(2 * hour, bucketMs, 2),
      priorDispersion: 1,
      gapExpectedPosts: 5,
    },
    sentiment: {
      baselineHalfLifeBuckets: buckets(30 * day, bucketMs, 4),
      recentHalfLifeBuckets: buckets(12 * hour, bucketMs, 1),
      priorShare: 0.2,
      priorWeight: 10,
      concentration: 30,
      cusumOddsRatio: 4,
      cusumCapSurprise: 5,
    },
    velocity: { baselineHalfLifeBuckets: buckets(7 * day, bucketMs, 4), dispersion: 1 },
    kind: {
      // The measurement on real positive bursts: the lexicon calls 14–19 % of posts about
      // good news negative; 0.2 covers that range, the margin covers the sampling of a long burst.
      goodNewsNegativeShare: 0.2,
      margin: 0.05,
      z: 2.33,
      windowHalfLifeBuckets: buckets(hour, bucketMs, 1),
      sustainBuckets: buckets(10 * 60_000, bucketMs, 1),
      relaxBuckets: buckets(2 * hour, bucketMs, 2),
      provisionalPosts: 30,
    },
    criticalTerms: { rearmMs: 30 * day, memory: 64, strength: 0.95 },
    episode: {
      quietBucketsToClose: buckets(2 * hour, bucketMs, 2),
      cooldownBuckets: buckets(24 * hour, bucketMs, 3),
      escalateFromSeverity: 3,
      noticeFromSeverity: 2,
    },
  };
}

/** Weight of the newest observation in an exponentially weighted mean with this half-life. */
export function ewmaWeight(halfLife: number): number {
  return 1 - Math.pow(0.5, 1 / Math.max(1e-9, halfLife));
}

/** Strength in [0, 1) from surprise: 0.5 at `half`, saturating smoothly. */
export function strengthFromSurprise(surprise: number, half: number): number {
  return surprise > 0 ? surprise / (surprise + half) : 0;
}
