import { describe, expect, it } from 'vitest';
import { runCliCapture } from '../../support/run-cli.ts';
import { detectSeries, formatVerdictCsv, parseSeriesTimestamp, parseVolumeCsv } from '../../../src/detection/index.ts';
import { poisson, seededRandom } from './synthetic.ts';

// A 5-minute series like NAB's, with daily rhythm and two bursts, built from a seed.
function series(rows: number, withNegative = false): string {
  const random = seededRandom(11);
  const start = Date.UTC(2015, 1, 26, 21, 42, 53);
  const lines = [withNegative ? 'timestamp,value,negative' : 'timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(start + i * 300_000);
    const daily = 20 + 15 * Math.sin((2 * Math.PI * i) / 288);
    const burst = (i > 700 && i < 710) || (i > 1500 && i < 1503) ? 400 : 0;
    const value = poisson(random, daily + burst);
    const stamp = t.toISOString().replace('T', ' ').slice(0, 19);
    lines.push(withNegative ? `${stamp},${value},${Math.round(value * (burst ? 0.8 : 0.1))}` : `${stamp},${value}`);
  }
  return lines.join('\n') + '\n';
}

const cli = (args: string[], stdinText: string) => runCliCapture(['detect', ...args], stdinText);

describe('hinoko detect', () => {
  const text = series(2000);

  it('writes one row per input row, in order, with the documented columns', async () => {
    const { code, out } = await cli([], text);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('timestamp,anomaly_score,alert,severity,kind,baseline');
    expect(lines).toHaveLength(2001);
    const inputStamps = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(inputStamps);
    for (const l of lines.slice(1)) {
      const [, score, alert, severity, kind] = l.split(',');
      expect(Number(score)).toBeGreaterThanOrEqual(0);
      expect(Number(score)).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(alert);
      expect(Number(severity)).toBeGreaterThanOrEqual(0);
      expect(Number(severity)).toBeLessThanOrEqual(5);
      expect(['', 'crisis', 'notice']).toContain(kind);
    }
    // The injected burst after the one-day warm-up is notified.
    const alerts = lines.slice(1).flatMap((l, i) => (l.split(',')[2] === '1' ? [i] : []));
    expect(alerts.some((i) => i >= 700 && i <= 703)).toBe(true);
  });

  it('prefix property: the output for any prefix is the prefix of the output for the whole series', () => {
    const rows = parseVolumeCsv(series(1600, true));
    const whole = formatVerdictCsv(detectSeries(rows)).trim().split('\n');
    for (const n of [1, 2, 3, 288, 701, 702, 705, 1000, 1501, 1599]) {
      const part = formatVerdictCsv(detectSeries(rows.slice(0, n)))
        .trim()
        .split('\n');
      expect(part, `prefix ${n}`).toEqual(whole.slice(0, n + 1));
    }
  });

  it('applies a settings adjustment to the inferred bucket length (what the accuracy bench varies)', () => {
    const rows = parseVolumeCsv(series(1600));
    const seen: number[] = [];
    const unreachable = detectSeries(rows, 'balanced', (s) => {
      seen.push(s.bucketMs);
      return { ...s, thresholds: { ...s.thresholds, open: 1.01 } };
    });
    expect(seen).toEqual([300_000]);
    expect(unreachable.filter((v) => v.alert === 1)).toEqual([]);
    expect(detectSeries(rows, 'balanced', (s) => s)).toEqual(detectSeries(rows));
    expect(detectSeries(rows).some((v) => v.alert === 1)).toBe(true);
  });

  it('reads --input FILE and accepts a negative column; a positive burst is a notice', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hinoko-detect-'));
    const random = seededRandom(5);
    const lines = ['timestamp,value,negative'];
    for (let i = 0; i < 600; i++) {
      const v = i >= 400 && i < 404 ? 300 : poisson(random, 10);
      lines.push(`${new Date(Date.UTC(2026, 0, 5) + i * 300_000).toISOString()},${v},${Math.round(v * 0.05)}`);
    }
    const file = path.join(dir, 'series.csv');
    await fs.writeFile(file, lines.join('\n'));
    const { code, out } = await cli(['--input', file], '');
    expect(code).toBe(0);
    const burst = out.trim().split('\n')[401]!.split(',');
    expect(burst[2]).toBe('1');
    expect(burst[4]).toBe('notice');
    await fs.rm(dir, { recursive: true });
  });

  it('reads the optional reach and critical-term columns, so severity means what it means in the service (issue 16 item 6)', () => {
    // A quiet clinic (3 posts per 5 minutes) for two days, then one bucket of 9 posts, 6 negative.
    const random = seededRandom(21);
    const head = 'timestamp,value,negative,negative_reposts,negative_quotes,negative_replies,critical_terms';
    const quiet: string[] = [];
    for (let i = 0; i < 576; i++) {
      const v = poisson(random, 3);
      quiet.push(`${new Date(Date.UTC(2026, 0, 5) + i * 300_000).toISOString()},${v},${Math.min(v, poisson(random, 0.3))}`);
    }
    const at = new Date(Date.UTC(2026, 0, 5) + 576 * 300_000).toISOString();
    const plain = parseVolumeCsv([head.split(',').slice(0, 3).join(','), ...quiet, `${at},9,6`].join('\n'));
    const withColumns = parseVolumeCsv(
      [head, ...quiet.map((l) => `${l},0,0,0,`), `${at},9,6,900,120,300,医療ミス; 死亡 ;医療ミス`].join('\n'),
    );
    expect(withColumns.at(-1)).toMatchObject({ reach: { reposts: 900, quotes: 120, replies: 300 }, criticalTerms: ['医療ミス', '死亡'] });
    expect(plain.at(-1)).toMatchObject({ reach: { reposts: 0, quotes: 0, replies: 0 }, criticalTerms: [] });
    // Rows without the columns give the same verdicts as before; with them the last bucket weighs more.
    const before = detectSeries(plain).at(-1)!;
    const after = detectSeries(withColumns).at(-1)!;
    expect(after.alert).toBe(1);
    expect(after.kind).toBe('crisis');
    expect(after.severity).toBeGreaterThan(before.severity);
    expect(() => parseVolumeCsv(`${head}\n${at},1,0,0,0,0,${'語'.repeat(41)}`)).toThrow(/line 2: critical_terms/);
    expect(() => parseVolumeCsv(`${head}\n${at},1,0,-3,0,0,`)).toThrow(/line 2: negative_reposts/);
  });

  it('names the line of a malformed row and exits non-zero', async () => {
    const cases: [string, RegExp][] = [
      ['timestamp,value\n2015-01-01 00:00:00,3\n2015-01-01 00:05:00,abc\n', /line 3/],
      ['timestamp,value\n2015-01-01 00:00:00,3\n2015-13-01 00:05:00,4\n', /line 3: bad timestamp/],
      ['timestamp,value\n2015-01-01 00:05:00,3\n2015-01-01 00:00:00,4\n', /line 3: .*not after/],
      ['timestamp,value\n2015-01-01 00:00:00,-1\n', /line 2/],
      ['timestamp,value,negative\n2015-01-01 00:00:00,3,4\n', /line 2: negative/],
      ['timestamp,value,negative,reported\n2015-01-01 00:00:00,5,3,3\n', /line 2: negative \(3\) and reported \(3\)/],
      ['timestamp,value,reported\n2015-01-01 00:00:00,5,3\n', /line 1: the reported column needs/],
      ['time,count\n2015-01-01 00:00:00,3\n', /line 1/],
      ['timestamp,value\n2015-01-01 00:00:00\n', /line 2/],
    ];
    for (const [input, message] of cases) {
      const { code, out, err } = await cli([], input);
      expect(code, input).not.toBe(0);
      expect(err, input).toMatch(message);
      expect(out).toBe('');
    }
  });

  it('reports a flare-up already under way at the first rows, marking the baseline provisional (issue 16 item 3)', async () => {
    const random = seededRandom(5);
    const start = Date.UTC(2026, 8, 2, 1, 0, 0);
    const lines = ['timestamp,value,negative'];
    for (let i = 0; i < 48; i++) {
      const value = poisson(random, 8);
      lines.push(`${new Date(start + i * 300_000).toISOString()},${value},${Math.round(value * 0.7)}`);
    }
    const { code, out } = await cli([], lines.join('\n'));
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const firstAlert = rows.findIndex((r) => r[2] === '1');
    expect(firstAlert).toBeGreaterThanOrEqual(0);
    expect(firstAlert).toBeLessThanOrEqual(4);
    expect(rows.slice(0, 12).some((r) => r[4] === 'crisis')).toBe(true);
    expect(rows[firstAlert]![5]).toBe('provisional');
    // --bucket-minutes states the length instead of inferring it; a single row is judged too.
    const one = await cli(['--bucket-minutes', '5'], lines.slice(0, 2).join('\n'));
    expect(one.out.trim().split('\n')[1]!.split(',')[5]).toBe('provisional');
    expect((await cli(['--bucket-minutes', '0'], lines.join('\n'))).code).toBe(2);
  });

  it('judges a nightly batch after 23 empty hours as a catch-up, not a surge (issue 16 item 6)', () => {
    const random = seededRandom(9);
    const start = Date.UTC(2026, 8, 1, 15, 0, 0);
    const lines = ['timestamp,value,negative'];
    let held = 0;
    for (let i = 0; i < 12 * 288; i++) {
      const hour = ((i / 12) | 0) % 24;
      const value = poisson(random, hour >= 0 && hour < 14 ? 5 : 1);
      // From day 10 the feed delivers once a day, everything since the last delivery.
      if (i < 10 * 288) lines.push(`${new Date(start + i * 300_000).toISOString()},${value},${Math.round(value * 0.15)}`);
      else {
        held += value;
        const delivery = i % 288 === 36;
        lines.push(`${new Date(start + i * 300_000).toISOString()},${delivery ? held : 0},${delivery ? Math.round(held * 0.15) : 0}`);
        if (delivery) held = 0;
      }
    }
    const verdicts = detectSeries(parseVolumeCsv(lines.join('\n')));
    const batch = 11 * 288 + 36;
    expect(Number(lines[batch + 1]!.split(',')[1])).toBeGreaterThan(300);
    expect(verdicts.slice(10 * 288).filter((v) => v.alert === 1)).toEqual([]);
    expect(verdicts[batch]!.severity).toBeLessThanOrEqual(1);
    // Judged as one bucket's surge (catch-up recognition switched off), the batches alert.
    const naive = detectSeries(parseVolumeCsv(lines.join('\n')), 'balanced', (s) => ({
      ...s,
      volume: { ...s.volume, gapExpectedPosts: Infinity },
    }));
    expect(naive.slice(10 * 288).some((v) => v.alert === 1)).toBe(true);
  });

  it('reads a reported column: a news-sharing 炎上 in neutral words is a crisis', () => {
    const random = seededRandom(3);
    const start = Date.UTC(2026, 8, 1, 15, 0, 0);
    const lines = ['timestamp,value,negative,reported'];
    const onset = 20 * 288;
    for (let i = 0; i < 21 * 288; i++) {
      const surge = i >= onset ? 2 + (i - onset) * 0.4 : 0;
      const value = poisson(random, 0.02 + surge);
      const negative = Math.round(value * 0.15);
      const reported = i >= onset ? Math.round((value - negative) * 0.7) : 0;
      lines.push(`${new Date(start + i * 300_000).toISOString()},${value},${negative},${reported}`);
    }
    const verdicts = detectSeries(parseVolumeCsv(lines.join('\n')));
    const crisis = verdicts.findIndex((v, i) => i >= onset && v.alert === 1 && v.kind === 'crisis');
    expect(crisis - onset).toBeGreaterThanOrEqual(0);
    expect(crisis - onset).toBeLessThanOrEqual(12);
    // Without the column the same posts read as neutral chatter: no crisis in the first hour.
    const plain = detectSeries(parseVolumeCsv(lines.map((l) => l.split(',').slice(0, 3).join(',')).join('\n')));
    expect(plain.slice(onset, onset + 12).some((v) => v.kind === 'crisis')).toBe(false);
  });

  it('rejects an unknown sensitivity', async () => {
    const { code, err } = await cli(['--sensitivity', 'paranoid'], text);
    expect(code).toBe(2);
    expect(err).toMatch(/sensitivity/);
  });

  it('parses NAB, ISO and zoned timestamps as UTC instants', () => {
    expect(parseSeriesTimestamp('2015-02-26 21:42:53')).toBe(Date.UTC(2015, 1, 26, 21, 42, 53));
    expect(parseSeriesTimestamp('2015-02-26T21:42:53.000Z')).toBe(Date.UTC(2015, 1, 26, 21, 42, 53));
    expect(parseSeriesTimestamp('2015-02-27T06:42:53+09:00')).toBe(Date.UTC(2015, 1, 26, 21, 42, 53));
    expect(parseSeriesTimestamp('2015-02-30 00:00:00')).toBeNaN();
    expect(parseSeriesTimestamp('yesterday')).toBeNaN();
  });
});
