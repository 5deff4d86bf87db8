import { describe, expect, it } from 'vitest';
import { emptyBucketSignal, type BucketSignal } from '../../../src/detection/index.ts';
import { clinicRate, hourlyStream, hourMs, jst, poisson, replay, seededRandom, signalFor } from './synthetic.ts';

// Seeded synthetic clinics, hourly buckets, JST. Each scenario asserts the two numbers that
// matter to the person on call: how many buckets after the onset the first notification comes,
// and how many notifications arrive when nothing is wrong.

const from = Date.UTC(2026, 8, 1, 15); // 2026-09-02 00:00 JST, a Wednesday
const seeds = [1, 2, 3, 4, 5];

describe('sparse clinic stream (0–5 mentions a day)', () => {
  it('raises no alert over 90 quiet days', () => {
    for (const seed of seeds) {
      const stream = hourlyStream(seed, from, 90, (ms, _i, r) => ({ count: poisson(r, clinicRate(ms, 3)), negativeShare: 0.15 }));
      expect(replay(stream).notifications, `seed ${seed}`).toEqual([]);
    }
  });

  it('notifies a negative flare-up within 2 buckets of its onset, in one episode, as a crisis', () => {
    const onset = 50 * 24 + 10;
    for (const seed of seeds) {
      const stream = hourlyStream(seed, from, 60, (ms, i, r) => {
        const k = i - onset;
        if (k >= 0 && k < 24) return { count: poisson(r, [4, 10, 30, 60, 80][Math.min(k, 4)]!), negativeShare: 0.7, reachPerNegative: 5 };
        return { count: poisson(r, clinicRate(ms, 3)), negativeShare: 0.15 };
      });
      const { results, notifications } = replay(stream);
      const opens = notifications.filter((i) => results[i]!.alert!.action === 'open');
      expect(opens, `seed ${seed}`).toHaveLength(1);
      expect(opens[0]! - onset, `seed ${seed} delay`).toBeGreaterThanOrEqual(0);
      expect(opens[0]! - onset, `seed ${seed} delay`).toBeLessThanOrEqual(2);
      // A crisis by the second hour: 5 negatives of 11 in the first hour do not yet prove more
      // than good news would (episode-kind.ts), so that hour may be told as a notice first.
      const crisis = notifications.find((i) => results[i]!.kind === 'crisis');
      expect(crisis! - onset, `seed ${seed} crisis delay`).toBeLessThanOrEqual(2);
      expect(results[crisis!]!.severity).toBeGreaterThanOrEqual(3);
      // Escalations only, no second episode; nothing after the flare-up ends.
      expect(notifications.filter((i) => i < onset || i > onset + 24 + 24)).toEqual([]);
    }
  });

  it('a single post naming a critical term alerts even at low volume', () => {
    const at = 40 * 24 + 14;
    const stream = hourlyStream(3, from, 45, (ms, i, r) =>
      i === at
        ? { count: 1, negativeShare: 1, criticalTerms: ['個人情報流出'] }
        : { count: poisson(r, clinicRate(ms, 3)), negativeShare: 0.15 },
    );
    const { results, notifications } = replay(stream);
    expect(notifications).toEqual([at]);
    expect(results[at]!).toMatchObject({ kind: 'crisis', severity: 3 });
  });
});

describe('busier clinic streams (30 and 100 mentions a day)', () => {
  it('raise at most one alert in 450 quiet days each: a few more posts with a few negatives is not a flare-up', () => {
    // With a noisy-OR of strengths these streams raised 7 and 21: an hour of 5 posts (0.8
    // expected) with 2 negatives turned volume 0.46 and sentiment 0.31 into 0.63. What remains
    // is the volume test's own rate (a tail probability of ~1e-4 an hour: one in a year or so).
    for (const perDay of [30, 100]) {
      let alerts = 0;
      for (const seed of seeds) {
        const stream = hourlyStream(seed, from, 90, (ms, _i, r) => ({ count: poisson(r, clinicRate(ms, perDay)), negativeShare: 0.15 }));
        alerts += replay(stream).notifications.length;
      }
      expect(alerts, `${perDay}/day`).toBeLessThanOrEqual(1);
    }
  });
});

describe('positive viral burst (a TV feature praising the clinic)', () => {
  it('is reported as a notice, not a crisis, with low severity', () => {
    const onset = 50 * 24 + 20;
    for (const seed of seeds) {
      const stream = hourlyStream(seed, from, 60, (ms, i, r) => {
        const k = i - onset;
        if (k >= 0 && k < 6) return { count: poisson(r, [20, 80, 150, 100, 50, 20][k]!), negativeShare: 0.05, positiveShare: 0.7 };
        return { count: poisson(r, clinicRate(ms, 3)), negativeShare: 0.15 };
      });
      const { results, notifications } = replay(stream);
      expect(notifications, `seed ${seed}`).toHaveLength(1);
      expect(notifications[0]! - onset).toBeLessThanOrEqual(1);
      expect(results[notifications[0]!]!.kind).toBe('notice');
      expect(Math.max(...results.map((r) => r.severity))).toBeLessThanOrEqual(2);
    }
  });
});

describe('slow-burning complaint trend', () => {
  it('is caught while it builds (within 11 days of a 10-day build-up) with at most 3 notifications in 20 days', () => {
    const start = 40 * 24;
    for (const seed of seeds) {
      const stream = hourlyStream(seed, from, 60, (ms, i, r) => {
        const day = (i - start) / 24;
        const base = clinicRate(ms, 3);
        if (day < 0) return { count: poisson(r, base), negativeShare: 0.15 };
        const extra = base * Math.min(day, 10) * 0.8;
        return {
          count: poisson(r, base + extra),
          negativeShare: Math.min(0.85, (0.15 * base + 0.9 * extra) / (base + extra)),
          reachPerNegative: 1,
        };
      });
      const { results, notifications } = replay(stream);
      expect(
        notifications.filter((i) => i < start),
        `seed ${seed}`,
      ).toEqual([]);
      expect(notifications.length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect(notifications.length, `seed ${seed}`).toBeLessThanOrEqual(3);
      expect((notifications[0]! - start) / 24, `seed ${seed} delay (days)`).toBeLessThanOrEqual(11);
      expect(results[notifications[0]!]!.kind).toBe('crisis');
    }
  });
});

describe('complaint trend measured by the CUSUM of negative posts', () => {
  // The same build-up as above (and one at half the pace): the negative share runs high from the
  // first day, but a 3-a-day clinic gets only a handful of posts a day, so no single bucket or
  // half-day window proves it. The CUSUM adds up the evidence of every post.
  function trend(seed: number, start: number, perDay: number) {
    return hourlyStream(seed, from, 60, (ms, i, r) => {
      const day = (i - start) / 24;
      const base = clinicRate(ms, 3);
      if (day < 0) return { count: poisson(r, base), negativeShare: 0.15 };
      const extra = base * Math.min(day, 10) * perDay;
      return {
        count: poisson(r, base + extra),
        negativeShare: Math.min(0.85, (0.15 * base + 0.9 * extra) / (base + extra)),
        reachPerNegative: 1,
      };
    });
  }

  it('notifies once, within 4½ days of the start of the build-up (it took 8–11 before)', () => {
    const start = 40 * 24;
    for (const seed of seeds) {
      const { results, notifications } = replay(trend(seed, start, 0.8));
      expect(notifications, `seed ${seed}`).toHaveLength(1);
      expect((notifications[0]! - start) / 24, `seed ${seed} delay (days)`).toBeLessThanOrEqual(4.5);
      expect(results[notifications[0]!]!.kind).toBe('crisis');
      expect(results[notifications[0]!]!.detectors.sentiment.fired).toBe(true);
    }
  });

  it('catches a build-up at half that pace too, within 8 days (before, most were never caught)', () => {
    const start = 40 * 24;
    for (const seed of seeds) {
      const { notifications } = replay(trend(seed, start, 0.4));
      expect(
        notifications.filter((i) => i < start),
        `seed ${seed}`,
      ).toEqual([]);
      expect(notifications.length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect((notifications[0]! - start) / 24, `seed ${seed} delay (days)`).toBeLessThanOrEqual(8);
    }
  });

  it('at the 5-minute buckets the product steps, too: once, within 5 days (before: after 7.6–9.5 days or never)', () => {
    const fiveMinutes = 300_000;
    const start = 30 * 288;
    for (const seed of seeds) {
      const random = seededRandom(seed);
      const signals = Array.from({ length: 45 * 288 }, (_, i) => {
        const ms = from + i * fiveMinutes;
        const day = (i - start) / 288;
        const base = clinicRate(ms, 3) / 12;
        const extra = day < 0 ? 0 : base * Math.min(day, 10) * 0.8;
        return signalFor(random, ms, {
          count: poisson(random, base + extra),
          negativeShare: Math.min(0.85, (0.15 * base + 0.9 * extra) / (base + extra)),
          reachPerNegative: 1,
        });
      });
      const { notifications } = replay(signals, fiveMinutes);
      expect(notifications, `seed ${seed}`).toHaveLength(1);
      expect((notifications[0]! - start) / 288, `seed ${seed} delay (days)`).toBeGreaterThanOrEqual(0);
      expect((notifications[0]! - start) / 288, `seed ${seed} delay (days)`).toBeLessThanOrEqual(5);
    }
  });

  it('stays quiet when the negative share swings from day to day (5–30 %) without a trend', () => {
    for (const perDay of [3, 10]) {
      for (const seed of seeds) {
        const shares = seededRandom(seed * 7919);
        let share = 0.15;
        const stream = hourlyStream(seed, from, 90, (ms, i, r) => {
          if (i % 24 === 0) share = 0.05 + 0.25 * shares();
          return { count: poisson(r, clinicRate(ms, perDay)), negativeShare: share };
        });
        expect(replay(stream).notifications, `${perDay}/day seed ${seed}`).toEqual([]);
      }
    }
  });
});

describe('weekends and 年末年始', () => {
  it('a clinic closed at weekends and over the New Year raises no alert when it reopens', () => {
    const novemberFirst = Date.UTC(2026, 10, 1, 15);
    for (const seed of seeds) {
      const stream = hourlyStream(seed, novemberFirst, 80, (ms, _i, r) => ({ count: poisson(r, clinicRate(ms, 10)), negativeShare: 0.15 }));
      const { notifications } = replay(stream);
      expect(
        notifications.map((i) => new Date(stream[i]!.start.getTime() + 9 * hourMs).toISOString()),
        `seed ${seed}`,
      ).toEqual([]);
    }
  });

  it('still detects a flare-up on the first working day after the holidays', () => {
    const novemberFirst = Date.UTC(2026, 10, 1, 15);
    const stream = hourlyStream(9, novemberFirst, 70, (ms, _i, r) => {
      const { month, date, hour } = jst(ms);
      if (month === 1 && date === 4 && hour >= 11 && hour < 16) return { count: poisson(r, 60), negativeShare: 0.75, reachPerNegative: 3 };
      return { count: poisson(r, clinicRate(ms, 10)), negativeShare: 0.15 };
    });
    const { results, notifications } = replay(stream);
    const onset = stream.findIndex((s) => {
      const t = jst(s.start.getTime());
      return t.month === 1 && t.date === 4 && t.hour === 11;
    });
    expect(notifications[0]! - onset).toBeLessThanOrEqual(1);
    expect(notifications[0]! - onset).toBeGreaterThanOrEqual(0);
    expect(results[notifications[0]!]!.kind).toBe('crisis');
  });
});

describe('sensitivity', () => {
  it("'more' notifies at least as early as 'balanced', and 'fewer' never earlier", () => {
    const onset = 30 * 24 + 10;
    const stream = hourlyStream(4, from, 35, (ms, i, r) => {
      const k = i - onset;
      if (k >= 0 && k < 12) return { count: poisson(r, 3 + 4 * k), negativeShare: 0.6, reachPerNegative: 2 };
      return { count: poisson(r, clinicRate(ms, 3)), negativeShare: 0.15 };
    });
    const first = (s: 'fewer' | 'balanced' | 'more') => replay(stream, hourMs, s).notifications[0] ?? Infinity;
    expect(first('more')).toBeLessThanOrEqual(first('balanced'));
    expect(first('balanced')).toBeLessThanOrEqual(first('fewer'));
    expect(first('balanced')).toBeLessThan(onset + 6);
  });
});

describe('busy 5-minute stream with routine bursts (volume only, like a brand on Twitter)', () => {
  // ~30 posts per 5 minutes with a daily cycle, and about one routine burst a day (2–6× for
  // 10–35 minutes): a retweet wave, not a flare-up. Sentiment unknown. Three weeks after a week
  // of learning; the tail calibration must keep these from becoming daily alerts.
  const fiveMinutes = 300_000;
  const perDay = 288;
  interface Surge {
    at: number;
    buckets: number;
    factor: number;
  }
  function busyStream(seed: number, surges: Surge[] = []): { signals: BucketSignal[]; bursts: number } {
    const random = seededRandom(seed);
    const signals: BucketSignal[] = [];
    let burstLeft = 0;
    let burstSize = 1;
    let bursts = 0;
    for (let i = 0; i < perDay * 28; i++) {
      const hour = (i / 12) % 24;
      let mean = 30 * (0.4 + 0.96 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)));
      if (burstLeft === 0 && random() < 0.004) {
        burstLeft = 2 + Math.floor(random() * 6);
        burstSize = 2 + random() * 4;
        if (i >= perDay * 7) bursts++;
      }
      if (burstLeft > 0) {
        mean *= burstSize;
        burstLeft--;
      }
      for (const surge of surges) if (i >= surge.at && i < surge.at + surge.buckets) mean *= surge.factor;
      signals.push({
        ...emptyBucketSignal(new Date(from + i * fiveMinutes)),
        count: poisson(random, mean),
        negative: null,
        positive: null,
      });
    }
    return { signals, bursts };
  }

  it('routine bursts rarely notify: a handful in three weeks, far fewer than the bursts', () => {
    const totals = { balanced: 0, more: 0 };
    let bursts = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const stream = busyStream(seed);
      bursts += stream.bursts;
      for (const s of ['balanced', 'more'] as const) {
        totals[s] += replay(stream.signals, fiveMinutes, s).notifications.filter((i) => i >= perDay * 7).length;
      }
    }
    // Measured: balanced 6, more 30 of 114 bursts. (The stream's posts were all neutral until
    // 2026-11-26, which made bursts notices that notify only from severity 2; 'more' then stayed
    // under 24. Sentiment unknown, as here, is judged as a possible crisis.)
    expect(bursts).toBeGreaterThan(80);
    expect(totals.balanced).toBeLessThanOrEqual(12);
    expect(totals.more).toBeLessThanOrEqual(36);
    expect(totals.more).toBeLessThan(bursts / 3);
    expect(totals.more).toBeGreaterThanOrEqual(totals.balanced);
  });

  it('a real 15-fold surge for three hours is notified within 2 buckets', () => {
    const onset = perDay * 20 + 150;
    for (const seed of [1, 2, 3]) {
      const { notifications } = replay(busyStream(seed, [{ at: onset, buckets: 36, factor: 15 }]).signals, fiveMinutes);
      const first = notifications.find((i) => i >= onset);
      expect(first, `seed ${seed}`).toBeDefined();
      expect(first! - onset, `seed ${seed} delay`).toBeLessThanOrEqual(2);
    }
  });

  // A flare-up teaches the model how widely this target's counts swing; learned at full speed,
  // three hours of a 15-fold surge quintupled the dispersion and a second wave went unnoticed.
  function waveDelays(seed: number, waves: Surge[]): (number | null)[] {
    const { notifications } = replay(busyStream(seed, waves).signals, fiveMinutes);
    return waves.map((w) => {
      const first = notifications.find((i) => i >= w.at && i < w.at + w.buckets);
      return first === undefined ? null : first - w.at;
    });
  }

  it('a flare-up returning five days later is notified again, each wave within 2 hours (before: 2 of 5 second waves and 3 of 5 third waves never)', () => {
    const waves = [10, 15, 20].map((day) => ({ at: perDay * day + 150, buckets: 36, factor: 15 }));
    for (const seed of [1, 2, 3, 4, 5]) {
      const [first, ...later] = waveDelays(seed, waves);
      expect(first, `seed ${seed} first wave`).not.toBeNull();
      expect(first!, `seed ${seed} first wave`).toBeLessThanOrEqual(2);
      for (const delay of later) {
        expect(delay, `seed ${seed} later wave`).not.toBeNull();
        expect(delay!, `seed ${seed} later wave`).toBeLessThanOrEqual(24);
      }
    }
  });

  it('one-hour 30-fold waves three days apart are each notified within 40 minutes (before: 4 of 5 fourth waves never)', () => {
    const waves = [10, 13, 16, 19].map((day) => ({ at: perDay * day + 150, buckets: 12, factor: 30 }));
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const delay of waveDelays(seed, waves)) {
        expect(delay, `seed ${seed}`).not.toBeNull();
        expect(delay!, `seed ${seed}`).toBeLessThanOrEqual(8);
      }
    }
  });
});
