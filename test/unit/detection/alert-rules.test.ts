import { describe, expect, it } from 'vitest';
import { initialAlertState, stepAlert, type AlertState } from '../../../src/detection/alert-rules.ts';
import { defaultDetectorSettings } from '../../../src/detection/index.ts';

const settings = defaultDetectorSettings(3_600_000);
const hour = 3_600_000;
const open = settings.thresholds.open;
const close = settings.thresholds.close;

function run(steps: { score: number; severity: number; kind?: 'crisis' | 'notice' }[]) {
  let state: AlertState = initialAlertState();
  return steps.map((s, i) => {
    const r = stepAlert(state, i * hour, s.score, s.severity, s.kind ?? 'crisis', settings);
    state = r.state;
    return r.alert;
  });
}

describe('alert rules', () => {
  it('opens once, updates while active, closes after the quiet spell', () => {
    const alerts = run([
      { score: 0.1, severity: 0 },
      { score: 0.9, severity: 2 },
      { score: 0.8, severity: 2 },
      { score: close + 0.01, severity: 1 },
      { score: 0.1, severity: 0 },
      { score: 0.1, severity: 0 },
      { score: 0.1, severity: 0 },
    ]);
    expect(alerts.map((a) => a?.action ?? null)).toEqual([null, 'open', 'update', 'update', null, 'close', null]);
    expect(alerts.filter((a) => a?.notify).length).toBe(1);
  });

  it('hysteresis: a score between close and open keeps an episode but never opens one', () => {
    const mid = (open + close) / 2;
    expect(run([{ score: mid, severity: 1 }])[0]).toBeNull();
    const alerts = run([{ score: 0.9, severity: 2 }, ...new Array(10).fill({ score: mid, severity: 1 })]);
    expect(alerts.slice(1).every((a) => a?.action === 'update')).toBe(true);
  });

  it('escalates (and notifies) when severity rises to 3 or more, silently below', () => {
    const alerts = run([
      { score: 0.9, severity: 1 },
      { score: 0.9, severity: 2 },
      { score: 0.95, severity: 3 },
      { score: 0.95, severity: 3 },
      { score: 0.99, severity: 5 },
    ]);
    expect(alerts.map((a) => a?.action)).toEqual(['open', 'update', 'escalate', 'update', 'escalate']);
    expect(alerts.map((a) => a?.severity)).toEqual([1, 1, 3, 3, 5]);
    expect(new Set(alerts.map((a) => a?.episodeId)).size).toBe(1);
  });

  it('good news interrupts nobody until it is a clear surge (severity 2)', () => {
    expect(run([{ score: 0.9, severity: 1, kind: 'notice' }])[0]).toBeNull();
    expect(run([{ score: 0.9, severity: 1, kind: 'crisis' }])[0]?.action).toBe('open');
    expect(run([{ score: 0.9, severity: 2, kind: 'notice' }])[0]?.action).toBe('open');
  });

  it('a notice that turns negative escalates to a crisis', () => {
    const alerts = run([
      { score: 0.9, severity: 2, kind: 'notice' },
      { score: 0.9, severity: 2, kind: 'crisis' },
    ]);
    expect(alerts[1]).toMatchObject({ action: 'escalate', kind: 'crisis', notify: true });
  });

  it('a new spike inside the cooldown resumes the same episode without a new notification', () => {
    const quiet = new Array(settings.episode.quietBucketsToClose).fill({ score: 0, severity: 0 });
    const alerts = run([{ score: 0.9, severity: 2 }, ...quiet, { score: 0.9, severity: 2 }]);
    const last = alerts[alerts.length - 1]!;
    expect(last).toMatchObject({ action: 'reopen', notify: false, episodeId: alerts[0]!.episodeId });
  });

  it('after the cooldown a new spike is a new episode', () => {
    const gap = new Array(settings.episode.quietBucketsToClose + settings.episode.cooldownBuckets + 1).fill({ score: 0, severity: 0 });
    const alerts = run([{ score: 0.9, severity: 2 }, ...gap, { score: 0.9, severity: 2 }]);
    const last = alerts[alerts.length - 1]!;
    expect(last.action).toBe('open');
    expect(last.episodeId).not.toBe(alerts[0]!.episodeId);
  });
});
