import { describe, expect, it } from 'vitest';
import {
  bandUpper,
  baselineOf,
  baselineWindow,
  deadlineOutcomes,
  episodeStart,
  formatDuration,
  hourly,
  HOUR_MS,
  jstMonth,
  median,
  responseMetrics,
  sentimentRecovery,
  type Bucket,
} from '../../../src/postmortems/metrics.ts';
import { monthlyTrend, type ReportIncident } from '../../../src/postmortems/report.ts';
import { mdInline } from '../../../src/postmortems/render.ts';

const t0 = new Date('2026-11-20T00:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR_MS);
const b = (hour: number, total: number, negative: number): Bucket => ({ start: at(hour), total, negative });

/** A week of baseline (10 posts/hour, 1 negative) ending 48 h before `alertHour`, then `episode` hours. */
function timeline(alertHour: number, episode: [number, number, number][]): Bucket[] {
  const out: Bucket[] = [];
  for (let hh = alertHour - 48 - 168; hh < alertHour - 48; hh++) out.push(b(hh, 10, 1));
  for (let hh = alertHour - 48; hh < alertHour + 200; hh++) {
    const e = episode.find(([x]) => x === hh);
    out.push(e ? b(hh, e[1], e[2]) : b(hh, 10, 1));
  }
  return out;
}

describe('baseline and episode start', () => {
  it('the baseline is the 7 days ending 48 h before the alert hour; the episode starts at the first elevated hour, a single lull tolerated', () => {
    const alertAt = new Date(at(100).getTime() + 20 * 60_000);
    const buckets = timeline(100, [
      [95, 12, 5],
      [96, 10, 1],
      [97, 15, 6],
      [98, 20, 10],
      [99, 40, 25],
      [100, 80, 60],
    ]);
    const w = baselineWindow(alertAt);
    expect(w.to).toEqual(at(52));
    expect(w.from).toEqual(at(52 - 168));
    const base = baselineOf(buckets, w);
    expect(base.share).toBeCloseTo(0.1);
    expect(base.negativePerHour).toBeCloseTo(1);
    const hours = hourly(buckets, w.to, at(300));
    // λ=1 → threshold 3. Hour 96 (1 negative) is one quiet hour inside the run, so the run reaches back to 95.
    expect(episodeStart(hours, base, alertAt)).toEqual(at(95));
  });

  it('two quiet hours end the run; a non-elevated alert hour is its own start', () => {
    const alertAt = at(100);
    const buckets = timeline(100, [
      [94, 12, 6],
      [97, 15, 6],
      [98, 20, 10],
      [99, 40, 25],
    ]);
    const base = baselineOf(buckets, baselineWindow(alertAt));
    const hours = hourly(buckets, at(52), at(300));
    expect(episodeStart(hours, base, alertAt)).toEqual(at(97));
    const quiet = timeline(100, []);
    expect(episodeStart(hourly(quiet, at(52), at(300)), baselineOf(quiet, baselineWindow(alertAt)), alertAt)).toEqual(at(100));
  });

  it('the run never reaches back further than 48 h', () => {
    const alertAt = at(100);
    const episode: [number, number, number][] = [];
    for (let hh = 40; hh <= 100; hh++) episode.push([hh, 30, 20]);
    const buckets = timeline(100, episode);
    expect(episodeStart(hourly(buckets, at(52), at(300)), baselineOf(buckets, baselineWindow(alertAt)), alertAt)).toEqual(at(52));
  });

  it("judges an hour against the same hour of day: a clinic's busy morning is not an episode, the same count at night is", () => {
    // A week where 00:00–01:00 UTC (09 JST) always has 4 negatives and every other hour none.
    const rows: Bucket[] = [];
    const alertAt = at(24 * 10 + 1); // 01:00 UTC on day 10
    for (let hh = 24 * 10 + 1 - 48 - 168; hh < 24 * 10 + 1; hh++) rows.push(b(hh, 8, at(hh).getUTCHours() === 0 ? 4 : 0));
    const base = baselineOf(rows, baselineWindow(alertAt));
    const hours = hourly(rows, at(0), at(24 * 10 + 2));
    // The 00:00 hour right before the alert had its usual 4: the episode is the alert's own hour.
    expect(episodeStart(hours, base, alertAt)).toEqual(at(24 * 10 + 1));
    // The same 4 negatives at 22:00–23:00 UTC (07 JST), where none are usual, start the episode there.
    const night = rows.map((r) => (r.start.getTime() === at(24 * 10 - 1).getTime() ? { ...r, negative: 4 } : r));
    const nightAlert = at(24 * 10);
    expect(episodeStart(hourly(night, at(0), at(24 * 10 + 2)), baselineOf(night, baselineWindow(nightAlert)), nightAlert)).toEqual(
      at(24 * 10 - 1),
    );
  });

  it('hourly sums 5-minute rows and fills empty hours', () => {
    const rows = [
      { start: new Date(at(1).getTime() + 5 * 60_000), total: 2, negative: 1 },
      { start: new Date(at(1).getTime() + 55 * 60_000), total: 3, negative: 0 },
    ];
    expect(hourly(rows, at(0), at(3))).toEqual([b(0, 0, 0), b(1, 5, 1), b(2, 0, 0)]);
  });
});

describe('sentiment recovery', () => {
  it('is the first hour after the peak from which every later hour stays within the band', () => {
    // p0 = 0.1; with 10 posts the upper edge is 0.1 + 2·√(0.009) ≈ 0.29.
    expect(bandUpper(0.1, 10)).toBeCloseTo(0.2897, 3);
    const hours = [b(0, 20, 8), b(1, 80, 60), b(2, 40, 20), b(3, 10, 2), b(4, 10, 5), b(5, 10, 2), b(6, 0, 0), b(7, 10, 1)];
    const r = sentimentRecovery(hours, 0.1);
    expect(r.peakAt).toEqual(at(1));
    expect(r.peakNegative).toBe(60);
    // Hour 3 is within the band but hour 4 (50%) is not: recovery is hour 5, 4 h after the peak.
    expect(r.recoveredAt).toEqual(at(5));
    expect(r.recoveryMs).toBe(4 * HOUR_MS);
  });

  it('never reached: the last hour is still outside the band → null, not 0', () => {
    const r = sentimentRecovery([b(0, 80, 60), b(1, 10, 2), b(2, 10, 6)], 0.1);
    expect(r.peakAt).toEqual(at(0));
    expect(r.recoveredAt).toBeNull();
    expect(r.recoveryMs).toBeNull();
    // Nothing after the peak at all: not reached either.
    expect(sentimentRecovery([b(0, 10, 1), b(1, 80, 60)], 0.1).recoveryMs).toBeNull();
  });

  it('without a baseline (nobody posted before) there is no band: null', () => {
    expect(sentimentRecovery([b(0, 80, 60), b(1, 10, 0)], null).recoveryMs).toBeNull();
  });

  it('no negative posts at all: no peak', () => {
    expect(sentimentRecovery([b(0, 10, 0)], 0.1)).toEqual({ peakAt: null, peakNegative: 0, recoveredAt: null, recoveryMs: null });
  });
});

describe('response metrics', () => {
  const recovery = { peakAt: at(2), peakNegative: 10, recoveredAt: at(6), recoveryMs: 4 * HOUR_MS };
  it('each metric is the difference of its two times', () => {
    const m = responseMetrics({
      firstNegativeAt: at(0),
      firstAlertAt: new Date(at(1).getTime() + 30 * 60_000),
      detectedAt: at(1),
      acknowledgedAt: new Date(at(1).getTime() + 15 * 60_000),
      firstResponseAt: at(5),
      resolvedAt: at(48),
      recovery,
    });
    expect(m).toEqual({
      timeToDetectMs: 90 * 60_000,
      timeToAcknowledgeMs: 15 * 60_000,
      timeToFirstStatementMs: 4 * HOUR_MS,
      timeToResolveMs: 47 * HOUR_MS,
      sentimentRecoveryMs: 4 * HOUR_MS,
    });
  });

  it('no statement yet, not acknowledged, no negative post found → null metrics, not 0', () => {
    const m = responseMetrics({
      firstNegativeAt: null,
      firstAlertAt: at(1),
      detectedAt: at(1),
      acknowledgedAt: null,
      firstResponseAt: null,
      resolvedAt: at(3),
      recovery,
    });
    expect(m.timeToFirstStatementMs).toBeNull();
    expect(m.timeToAcknowledgeMs).toBeNull();
    expect(m.timeToDetectMs).toBeNull();
    expect(m.timeToResolveMs).toBe(2 * HOUR_MS);
  });
});

describe('playbook deadlines', () => {
  it('met, late, missed, open and skipped; action items are left out', () => {
    const task = (stepKey: string, due: number, status: 'open' | 'done' | 'skipped', done: number | null) => ({
      id: stepKey,
      stepKey,
      title: stepKey,
      ownerRole: 'pr_staff',
      dueAt: at(due),
      status,
      doneAt: done === null ? null : at(done),
    });
    const out = deadlineOutcomes(
      [
        task('fact-check', 1, 'done', 0.5),
        task('escalation', 1, 'done', 3),
        task('official-statement', 24, 'open', null),
        task('media', 72, 'open', null),
        task('delete', 24, 'skipped', 2),
        task('action:1', 1, 'open', null),
      ],
      at(30),
    );
    expect(out.map((d) => [d.stepKey, d.outcome, d.lateMs])).toEqual([
      ['fact-check', 'met', null],
      ['escalation', 'late', 2 * HOUR_MS],
      ['official-statement', 'missed', 6 * HOUR_MS],
      ['media', 'open', null],
      ['delete', 'skipped', null],
    ]);
  });
});

describe('report helpers', () => {
  it('median ignores nulls and is null with no values', () => {
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, null])).toBeNull();
  });

  it('months are JST months: 2026-11-30T15:30Z is December in Japan', () => {
    expect(jstMonth(new Date('2026-11-30T14:59:00Z'))).toBe('2026-11');
    expect(jstMonth(new Date('2026-11-30T15:30:00Z'))).toBe('2026-12');
  });

  it('monthlyTrend counts per JST month with medians, empty months included', () => {
    const inc = (detectedAt: string, ack: number | null): ReportIncident => ({
      id: detectedAt,
      title: 't',
      severity: 3,
      status: 'resolved',
      detectedAt: new Date(detectedAt),
      postmortem: 'draft',
      metrics: {
        timeToDetectMs: null,
        timeToAcknowledgeMs: ack,
        timeToFirstStatementMs: null,
        timeToResolveMs: 10,
        sentimentRecoveryMs: null,
      },
    });
    const rows = monthlyTrend([inc('2026-10-31T16:00:00Z', 100), inc('2026-11-15T00:00:00Z', 300), inc('2026-09-02T00:00:00Z', null)], {
      from: new Date('2026-08-31T15:00:00Z'),
      to: new Date('2026-11-30T15:00:00Z'),
    });
    expect(rows.map((r) => [r.month, r.incidents, r.medians.timeToAcknowledgeMs])).toEqual([
      ['2026-09', 1, null],
      ['2026-10', 0, null],
      ['2026-11', 2, 200],
    ]);
  });

  it('formatDuration shows the two largest units', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(45_000)).toBe('45秒');
    expect(formatDuration(65 * 60_000)).toBe('1時間5分');
    expect(formatDuration(50 * HOUR_MS + 61_000)).toBe('2日2時間');
  });
});

describe('Markdown escaping', () => {
  it('hostile text cannot open a link, an HTML tag, code or a table cell', () => {
    const out = mdInline('[click](javascript:alert(1)) <script>x</script> `code` | cell\n# head');
    expect(out).not.toMatch(/(^|[^\\])\[/);
    expect(out).not.toMatch(/(^|[^\\])\]\(/);
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/(^|[^\\])`/);
    expect(out).not.toMatch(/(^|[^\\])\|/);
    expect(out).not.toContain('\n');
    expect(out).toContain('&lt;script&gt;');
    expect(mdInline('# 見出し')).toBe('\\# 見出し');
    expect(mdInline('- 項目')).toBe('\\- 項目');
    expect(mdInline('1. 番号')).toBe('1\\. 番号');
    expect(mdInline('10:05 (JST)')).toBe('10:05 (JST)');
  });
});
