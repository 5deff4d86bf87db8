import { describe, expect, it } from 'vitest';
import { initialKindState, stepKind, wilsonInterval, type KindState } from '../../../src/detection/episode-kind.ts';
import {
  defaultDetectorSettings,
  describeAlert,
  initialDetectorState,
  stepDetector,
  type BucketSignal,
} from '../../../src/detection/index.ts';

const fiveMinutes = 300_000;
const settings = defaultDetectorSettings(fiveMinutes);
const at = (i: number) => new Date(Date.UTC(2026, 8, 1, 15) + i * fiveMinutes);

function signal(i: number, count: number, negative: number, extra: Partial<BucketSignal> = {}): BucketSignal {
  return {
    start: at(i),
    count,
    negative,
    positive: 0,
    riskHits: {},
    reach: { reposts: 0, quotes: 0, replies: 0 },
    criticalTerms: [],
    ...extra,
  };
}

function run(buckets: BucketSignal[], active: boolean, critical: (i: number) => boolean = () => false) {
  let state: KindState = initialKindState();
  return buckets.map((b, i) => {
    const step = stepKind(state, b, critical(i), 0.15, settings, active);
    state = step.state;
    return step.verdict;
  });
}

describe('wilsonInterval', () => {
  it('is wide for few posts and narrow for many', () => {
    const few = wilsonInterval(2, 5, 2.33);
    const many = wilsonInterval(200, 500, 2.33);
    expect(few.lower).toBeLessThan(0.1);
    expect(few.upper).toBeGreaterThan(0.8);
    expect(many.lower).toBeGreaterThan(0.34);
    expect(many.upper).toBeLessThan(0.46);
    expect(wilsonInterval(0, 0, 2.33)).toEqual({ lower: 0, upper: 1 });
  });
});

describe('stepKind', () => {
  it('2 of 5 negative is not evidence; 60 of 150 is', () => {
    expect(run([signal(0, 5, 2)], false)[0]!.signalled).toBe('notice');
    // In five buckets: the posts of one bucket are not independent (a copied phrase), so a single
    // bucket of 150 proves less than 150 posts spread over time.
    expect(
      run(
        [0, 1, 2, 3, 4].map((i) => signal(i, 30, 12)),
        false,
      ).at(-1)!.signalled,
    ).toBe('crisis');
    expect(run([signal(0, 150, 60)], false)[0]!.signalled).toBe('notice');
  });

  it('a new episode opens as a crisis only after the evidence held for a sustained spell (10 minutes)', () => {
    const v = run([signal(0, 20, 14), signal(1, 20, 14), signal(2, 20, 14)], false);
    expect(v.map((x) => x.kind)).toEqual(['notice', 'crisis', 'crisis']);
    expect(v[0]!.reason).toBe('unconfirmed');
  });

  it('a running crisis goes back to a notice only after two hours of decisive good-news evidence, not when posts dwindle', () => {
    const flare = Array.from({ length: 6 }, (_, i) => signal(i, 20, 14));
    const dwindling = Array.from({ length: 36 }, (_, i) => signal(6 + i, 1, 0));
    const v1 = run([...flare, ...dwindling], true);
    expect(v1.at(-1)!.kind).toBe('crisis');
    const praise = Array.from({ length: 40 }, (_, i) => signal(6 + i, 40, 2));
    const v2 = run([...flare, ...praise], true);
    const back = v2.findIndex((x, i) => i >= 6 && x.kind === 'notice');
    expect(back - 6).toBeGreaterThanOrEqual(settings.kind.relaxBuckets - 1);
    expect(v2[back]!.reason).toBe('within-good-news');
  });

  it('a critical term makes it a crisis at once and keeps it one while the episode runs', () => {
    const v = run([signal(0, 1, 0), signal(1, 40, 2), signal(2, 40, 2)], true, (i) => i === 0);
    expect(v.map((x) => [x.kind, x.reason])).toEqual([
      ['crisis', 'critical-terms'],
      ['crisis', 'critical-terms'],
      ['crisis', 'critical-terms'],
    ]);
  });

  it('posts that pass on a report of trouble count as negative evidence', () => {
    const quiet = run([signal(0, 30, 4), signal(1, 30, 4), signal(2, 30, 4)], false);
    const shared = run([signal(0, 30, 4, { reported: 16 }), signal(1, 30, 4, { reported: 16 }), signal(2, 30, 4, { reported: 16 })], false);
    expect(quiet.at(-1)!.kind).toBe('notice');
    expect(shared.at(-1)!.kind).toBe('crisis');
    expect(shared.at(-1)!.evidence.reported).toBeGreaterThan(30);
  });
});

describe('the alert explains its kind and a change of kind', () => {
  it('a notice that becomes a crisis says so, with the counts that decided it', () => {
    let state = initialDetectorState(settings);
    const texts: string[] = [];
    // A quiet day, a burst of praise, then the same burst turning: negative posts and shared reports.
    const buckets: BucketSignal[] = [];
    for (let i = 0; i < 288; i++) buckets.push(signal(i, i % 40 === 0 ? 1 : 0, 0));
    for (let i = 288; i < 300; i++) buckets.push({ ...signal(i, 30, 3), positive: 20 });
    for (let i = 300; i < 312; i++) buckets.push(signal(i, 30, 12, { reported: 10 }));
    for (const b of buckets) {
      const step = stepDetector(state, b, settings);
      state = step.state;
      if (step.result.alert?.notify) texts.push(describeAlert(step.result));
    }
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts[0]).toMatch(/お知らせ/);
    expect(texts[0]).toMatch(/好意的な話題でも見られる水準/);
    const changed = texts.find((t) => t.includes('種別を「お知らせ」から「炎上の疑い」に変更'));
    expect(changed, texts.join('\n')).toBeDefined();
    expect(changed).toMatch(/ほかにニュース・まとめの共有や炎上への言及 10件（否定的な反応として数える）/);
    expect(changed).toMatch(/明らかに上回る（下限 \d+%）/);
  });
});
