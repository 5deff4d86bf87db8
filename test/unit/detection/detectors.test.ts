import { describe, expect, it } from 'vitest';
import { criticalTermsDetector } from '../../../src/detection/critical-terms-detector.ts';
import { sentimentDetector, shareShiftLogLikelihoodRatio } from '../../../src/detection/sentiment-detector.ts';
import { defaultDetectorSettings, emptyBucketSignal, type BucketSignal } from '../../../src/detection/index.ts';
import { combinedScore } from '../../../src/detection/severity.ts';
import { velocityDetector } from '../../../src/detection/velocity-detector.ts';
import { calibratedSurprise, volumeDetector, type VolumeState } from '../../../src/detection/volume-detector.ts';
import { poisson, seededRandom } from './synthetic.ts';

const settings = defaultDetectorSettings(3_600_000);
const context = { hourOfDay: 10, dayOfWeek: 2 };
const t0 = Date.UTC(2026, 0, 5);

function bucket(i: number, over: Partial<BucketSignal> = {}): BucketSignal {
  return { ...emptyBucketSignal(new Date(t0 + i * 3_600_000)), ...over };
}

function learnVolume(counts: number[]): VolumeState {
  let state = volumeDetector.initial(settings);
  counts.forEach((count, i) => {
    state = volumeDetector.step(state, bucket(i, { count }), context, settings).state;
  });
  return state;
}

describe('volume detector', () => {
  const steady = learnVolume(Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? 5 : 3)));

  it('does not fire on ordinary counts and fires on 3 → 40', () => {
    expect(volumeDetector.step(steady, bucket(301, { count: 5 }), context, settings).reading.fired).toBe(false);
    const spike = volumeDetector.step(steady, bucket(301, { count: 40 }), context, settings).reading;
    expect(spike.fired).toBe(true);
    expect(spike.expected).toBeGreaterThan(2);
    expect(spike.expected).toBeLessThan(5);
  });

  it('does not fire on 0 → 2 for a silent target (minimum-count floor)', () => {
    const silent = learnVolume(new Array(300).fill(0));
    expect(volumeDetector.step(silent, bucket(301, { count: 2 }), context, settings).reading.fired).toBe(false);
    expect(volumeDetector.step(silent, bucket(301, { count: 30 }), context, settings).reading.fired).toBe(true);
  });

  it('during warm-up judges against the clinic-sized prior and says the reading is provisional', () => {
    const young = learnVolume([0, 0, 1]);
    const surge = volumeDetector.step(young, bucket(4, { count: 500 }), context, settings).reading;
    expect(surge.provisional).toBe(true);
    expect(surge.fired).toBe(true);
    // The expectation blends 3 posts a day with the little seen: well under one post an hour.
    expect(surge.expected).toBeLessThan(1);
    const grown = learnVolume(new Array(24 * 2).fill(3));
    expect(volumeDetector.step(grown, bucket(49, { count: 500 }), context, settings).reading.provisional).toBeUndefined();
  });

  it('a spike does not become the new normal: learning is clipped', () => {
    let state = steady;
    state = volumeDetector.step(state, bucket(301, { count: 5000 }), context, settings).state;
    expect(state.level).toBeLessThan(steady.level * 2 + 2);
  });

  it('judges a target with daily 20-fold bursts less harshly than a steady one (tail calibration)', () => {
    const bursty = learnVolume(Array.from({ length: 24 * 30 }, (_, i) => (i % 24 === 12 ? 60 : 3)));
    const calm = learnVolume(new Array(24 * 30).fill(3));
    const onBursty = volumeDetector.step(bursty, bucket(24 * 30 + 1, { count: 60 }), context, settings).reading;
    const onCalm = volumeDetector.step(calm, bucket(24 * 30 + 1, { count: 60 }), context, settings).reading;
    expect(onBursty.surprise).toBeLessThan(onCalm.surprise);
  });

  it('catches a sustained rise no single bucket shows (the short window), and only through it', () => {
    // ~1 post per 5 minutes with an isolated burst of ~14 in 1% of buckets: single buckets of 5
    // are routine here. Then 5 per bucket for four hours: only the window sees it.
    const fiveMinutes = defaultDetectorSettings(300_000);
    const noWindow = { ...fiveMinutes, volume: { ...fiveMinutes.volume, windowHalfLifeBuckets: 1e-6 } };
    const random = seededRandom(5);
    const history = 288 * 7;
    const quiet = () => poisson(random, 1) + (random() < 0.01 ? 8 + poisson(random, 6) : 0);
    const counts = [...Array.from({ length: history }, quiet), ...Array.from({ length: 48 }, () => poisson(random, 5))];
    const firstAlarm = (s: typeof fiveMinutes) => {
      let state = volumeDetector.initial(s);
      let first = -1;
      counts.forEach((count, i) => {
        const step = volumeDetector.step(state, { ...emptyBucketSignal(new Date(t0 + i * 300_000)), count }, context, s);
        state = step.state;
        if (first < 0 && i >= history && step.reading.strength >= s.thresholds.open) first = i - history;
      });
      return first;
    };
    const withWindow = firstAlarm(fiveMinutes);
    expect(withWindow).toBeGreaterThanOrEqual(0);
    expect(withWindow).toBeLessThanOrEqual(24);
    expect(firstAlarm(noWindow)).toBe(-1);
  });

  it('tail calibration is monotone and continuous: a raw 2.9 never looks worse than a raw 3.5', () => {
    // A target whose history exceeds the model's threshold ten times as often as the model says.
    const u = settings.volume.tailThreshold;
    const bursty = { buckets: 10_000, exceedances: 10_000 * 10 * Math.pow(10, -u), excess: 10_000 * 10 * Math.pow(10, -u) * 2 };
    const calm = { buckets: 10_000, exceedances: 0, excess: 0 };
    let previous = 0;
    for (let raw = 0; raw <= 12; raw += 0.05) {
      const c = calibratedSurprise(raw, bursty, settings);
      expect(c).toBeLessThanOrEqual(raw + 1e-12);
      expect(c).toBeGreaterThanOrEqual(previous - 1e-9);
      previous = c;
    }
    expect(calibratedSurprise(u - 1e-9, bursty, settings)).toBeCloseTo(calibratedSurprise(u + 1e-9, bursty, settings), 6);
    expect(calibratedSurprise(2.9, bursty, settings)).toBeLessThan(calibratedSurprise(3.5, bursty, settings));
    // Below the threshold the bursty history lowers the verdict by the factor it measured (×10,
    // shrunk a little towards the model by the prior); a calm history keeps the model's verdict.
    const lowered = 2.5 - calibratedSurprise(2.5, bursty, settings);
    expect(lowered).toBeGreaterThan(0.9);
    expect(lowered).toBeLessThanOrEqual(1);
    expect(calibratedSurprise(2.5, calm, settings)).toBe(2.5);
  });

  it('never mutates the state it is given', () => {
    const copy = JSON.stringify(steady);
    volumeDetector.step(steady, bucket(301, { count: 99 }), context, settings);
    expect(JSON.stringify(steady)).toBe(copy);
  });
});

describe('sentiment detector', () => {
  const base = sentimentDetector.initial(settings);

  it('2 negatives of 3 is not a shift; 60 of 80 is', () => {
    expect(sentimentDetector.step(base, bucket(0, { count: 3, negative: 2 }), context, settings).reading.fired).toBe(false);
    expect(sentimentDetector.step(base, bucket(0, { count: 80, negative: 60 }), context, settings).reading.fired).toBe(true);
  });

  it('reads nothing when sentiment is unknown', () => {
    const r = sentimentDetector.step(base, bucket(0, { count: 80, negative: null }), context, settings);
    expect(r.reading.strength).toBe(0);
    expect(r.state).toBe(base);
  });

  it('a sustained shift barely moves an established baseline', () => {
    let state = base;
    // 30 days of 3 mentions an hour, one negative in seven.
    for (let i = 0; i < 24 * 30; i++)
      state = sentimentDetector.step(state, bucket(i, { count: 3, negative: i % 7 === 0 ? 3 : 0 }), context, settings).state;
    for (let i = 0; i < 48; i++) state = sentimentDetector.step(state, bucket(i, { count: 20, negative: 16 }), context, settings).state;
    const baseline = (state.negative + 0.2 * 10) / (state.total + 10);
    expect(baseline).toBeLessThan(0.25);
  });
});

describe('sentiment CUSUM', () => {
  it('the evidence of a post is positive when it is negative, negative otherwise, and an empty bucket is none', () => {
    expect(shareShiftLogLikelihoodRatio(1, 1, 0.15, settings)).toBeCloseTo(Math.log(0.4138 / 0.15), 2);
    expect(shareShiftLogLikelihoodRatio(0, 1, 0.15, settings)).toBeLessThan(0);
    expect(shareShiftLogLikelihoodRatio(0, 0, 0.15, settings)).toBe(0);
    // Beta-binomial: the 40th negative post of one bucket proves less than 40 separate ones.
    expect(shareShiftLogLikelihoodRatio(40, 40, 0.15, settings)).toBeLessThan(40 * shareShiftLogLikelihoodRatio(1, 1, 0.15, settings));
  });

  it('adds up a share that is high for days, one post at a time, and is capped', () => {
    let state = sentimentDetector.initial(settings);
    // A month of 3 posts a day, one in seven negative: the CUSUM keeps returning to 0.
    for (let i = 0; i < 24 * 30; i++) {
      state = sentimentDetector.step(
        state,
        bucket(i, i % 8 === 0 ? { count: 1, negative: i % 56 === 0 ? 1 : 0 } : {}),
        context,
        settings,
      ).state;
    }
    expect(state.cusum).toBeLessThan(3);
    // Then one post every 4 hours, two in three negative: never more than one post a bucket.
    let firstFired = -1;
    for (let i = 0; i < 24 * 10; i++) {
      const at = 24 * 30 + i;
      const step = sentimentDetector.step(
        state,
        bucket(at, i % 4 === 0 ? { count: 1, negative: i % 12 === 8 ? 0 : 1 } : {}),
        context,
        settings,
      );
      state = step.state;
      expect(step.reading.surprise).toBeLessThanOrEqual(settings.sentiment.cusumCapSurprise + 1e-9);
      if (firstFired < 0 && step.reading.fired) firstFired = i;
    }
    expect(firstFired).toBeGreaterThan(0);
    expect(firstFired / 24).toBeLessThan(3);
  });

  it('loads a state saved before the CUSUM existed', () => {
    const old = { negative: 10, total: 60, recentNegative: 1, recentTotal: 4 };
    const step = sentimentDetector.step(old, bucket(0, { count: 2, negative: 2 }), context, settings);
    expect(Number.isFinite(step.state.cusum)).toBe(true);
    expect(step.state.cusum).toBeGreaterThan(0);
  });
});

describe('combined score', () => {
  const reading = (strength: number) => ({ fired: strength >= 0.5, strength, surprise: 0, observed: 0, expected: 0 });
  const readings = (volume: number, sentiment = 0, velocity = 0, criticalTerms = 0) => ({
    volume: reading(volume),
    sentiment: reading(sentiment),
    velocity: reading(velocity),
    criticalTerms: reading(criticalTerms),
  });

  it('passes one detector through unchanged', () => {
    for (const s of [0, 0.2, 0.55, 0.9, 0.95]) expect(combinedScore(readings(s))).toBeCloseTo(s, 5);
    expect(combinedScore(readings(0, 0, 0, 0.95))).toBeCloseTo(0.95, 5);
  });

  it('two weak detectors do not make a strong one; two at the open threshold make more than it', () => {
    // Surprises 2.55 and 1.35: together a tail probability of ~1e-2.9, not the 0.63 a noisy-OR gave.
    const weak = combinedScore(readings(0.46, 0.31));
    expect(weak).toBeGreaterThan(0.46);
    expect(weak).toBeLessThan(settings.thresholds.open);
    const open = settings.thresholds.open;
    expect(combinedScore(readings(open, open))).toBeGreaterThan(open + 0.05);
    expect(combinedScore(readings(0.3, 0.3, 0.3))).toBe(combinedScore(readings(0.3, 0.3)));
  });
});

describe('velocity detector', () => {
  it('fires on a jump in engagement on negative posts, not on the usual trickle', () => {
    let state = velocityDetector.initial(settings);
    for (let i = 0; i < 100; i++)
      state = velocityDetector.step(state, bucket(i, { reach: { reposts: 2, quotes: 0, replies: 1 } }), context, settings).state;
    expect(
      velocityDetector.step(state, bucket(100, { reach: { reposts: 4, quotes: 0, replies: 2 } }), context, settings).reading.fired,
    ).toBe(false);
    expect(
      velocityDetector.step(state, bucket(100, { reach: { reposts: 800, quotes: 100, replies: 300 } }), context, settings).reading.fired,
    ).toBe(true);
  });

  it('counts falling engagement less than rising engagement', () => {
    let state = velocityDetector.initial(settings);
    for (let i = 0; i < 100; i++)
      state = velocityDetector.step(state, bucket(i, { reach: { reposts: 2, quotes: 0, replies: 1 } }), context, settings).state;
    const rising = velocityDetector.step(state, bucket(100, { reach: { reposts: 100, quotes: 0, replies: 0 } }), context, settings);
    const afterPeak = velocityDetector.step(
      { ...state, previous: 1000 },
      bucket(100, { reach: { reposts: 100, quotes: 0, replies: 0 } }),
      context,
      settings,
    );
    expect(afterPeak.reading.strength).toBeLessThan(rising.reading.strength);
    void rising.state;
  });
});

describe('critical terms detector', () => {
  it('fires on the first appearance only, and again after the re-arm period', () => {
    let state = criticalTermsDetector.initial(settings);
    let step = criticalTermsDetector.step(state, bucket(0, { criticalTerms: ['医療ミス'] }), context, settings);
    expect(step.reading.fired).toBe(true);
    state = step.state;
    step = criticalTermsDetector.step(state, bucket(1, { criticalTerms: ['医療ミス'] }), context, settings);
    expect(step.reading.fired).toBe(false);
    step = criticalTermsDetector.step(step.state, bucket(2, { criticalTerms: ['医療ミス', '死亡'] }), context, settings);
    expect(step.reading.fired).toBe(true);
    expect(step.state.lastNew).toEqual(['死亡']);
    const later = criticalTermsDetector.step(step.state, bucket(24 * 31, { criticalTerms: ['医療ミス'] }), context, settings);
    expect(later.reading.fired).toBe(true);
  });

  it('keeps bounded memory and is safe with hostile term names', () => {
    let state = criticalTermsDetector.initial(settings);
    const terms = Array.from({ length: 20 }, (_, i) => `t${i}`);
    for (let i = 0; i < 10; i++) {
      state = criticalTermsDetector.step(state, bucket(i, { criticalTerms: terms.map((t) => `${t}-${i}`) }), context, settings).state;
    }
    expect(state.seen.length).toBe(settings.criticalTerms.memory);
    const proto = criticalTermsDetector.step(state, bucket(11, { criticalTerms: ['__proto__', 'constructor'] }), context, settings);
    expect(proto.reading.observed).toBe(2);
    expect(JSON.parse(JSON.stringify(proto.state)).seen.length).toBe(settings.criticalTerms.memory);
  });
});
