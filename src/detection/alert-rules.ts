import type { AlertKind } from './episode-kind.ts';
import type { DetectorSettings } from './settings.ts';

// One episode = one alert. Scores above the open threshold open an episode; it stays active
// while the score is above the (lower) close threshold — hysteresis — and closes after a quiet
// spell. A new spike within the cooldown resumes the same episode instead of opening another.
// Notifications go out on open and on escalation only: alert fatigue is what kills these tools.

export type AlertAction = 'open' | 'escalate' | 'reopen' | 'update' | 'close';

export interface AlertDecision {
  action: AlertAction;
  /** Stable per target: derived from the bucket that opened it, so replays give the same id. */
  episodeId: string;
  /** The episode's severity as last notified (or current, for open/escalate). */
  severity: number;
  kind: AlertKind;
  /** True when someone should be told now (open, escalate). */
  notify: boolean;
  /** The episode's kind before this decision, when this decision changed it. */
  kindFrom?: AlertKind;
}

export interface OpenEpisode {
  id: string;
  openedMs: number;
  kind: AlertKind;
  notifiedSeverity: number;
  peakSeverity: number;
  peakScore: number;
  quietBuckets: number;
}

export interface AlertState {
  episode: OpenEpisode | null;
  lastClosed: { id: string; closedMs: number; kind: AlertKind; notifiedSeverity: number; openedMs: number } | null;
}

export const initialAlertState = (): AlertState => ({ episode: null, lastClosed: null });

export function episodeIdFor(openedMs: number): string {
  return `ep_${new Date(openedMs).toISOString()}`;
}

export function stepAlert(
  state: AlertState,
  nowMs: number,
  score: number,
  severity: number,
  kind: AlertKind,
  settings: DetectorSettings,
): { state: AlertState; alert: AlertDecision | null } {
  const { open, close } = settings.thresholds;
  const { quietBucketsToClose, cooldownBuckets, escalateFromSeverity } = settings.episode;
  const episode = state.episode;

  if (!episode) {
    const minSeverity = kind === 'notice' ? settings.episode.noticeFromSeverity : 1;
    if (score < open || severity < minSeverity) return { state, alert: null };
    const last = state.lastClosed;
    if (last && nowMs - last.closedMs <= cooldownBuckets * settings.bucketMs) {
      const upgraded = last.kind === 'notice' && kind === 'crisis';
      const escalates = upgraded || (severity > last.notifiedSeverity && severity >= escalateFromSeverity);
      const resumed: OpenEpisode = {
        id: last.id,
        openedMs: last.openedMs,
        kind: upgraded ? 'crisis' : last.kind,
        notifiedSeverity: escalates ? Math.max(severity, last.notifiedSeverity) : last.notifiedSeverity,
        peakSeverity: severity,
        peakScore: score,
        quietBuckets: 0,
      };
      return {
        state: { episode: resumed, lastClosed: null },
        alert: {
          action: escalates ? 'escalate' : 'reopen',
          episodeId: resumed.id,
          severity: resumed.notifiedSeverity,
          kind: resumed.kind,
          notify: escalates,
          ...(upgraded ? { kindFrom: last.kind } : {}),
        },
      };
    }
    const opened: OpenEpisode = {
      id: episodeIdFor(nowMs),
      openedMs: nowMs,
      kind,
      notifiedSeverity: severity,
      peakSeverity: severity,
      peakScore: score,
      quietBuckets: 0,
    };
    return {
      state: { episode: opened, lastClosed: state.lastClosed },
      alert: { action: 'open', episodeId: opened.id, severity, kind, notify: true },
    };
  }

  if (score >= close) {
    const upgraded = episode.kind === 'notice' && kind === 'crisis' && score >= open;
    // Back to a notice only once the evidence has said so for a sustained spell (episode-kind.ts
    // decides that); it tells nobody, the alert's history says why.
    const downgraded = episode.kind === 'crisis' && kind === 'notice';
    const escalates = upgraded || (severity > episode.notifiedSeverity && severity >= escalateFromSeverity && score >= open);
    const next: OpenEpisode = {
      ...episode,
      kind: upgraded ? 'crisis' : downgraded ? 'notice' : episode.kind,
      notifiedSeverity: escalates ? Math.max(severity, episode.notifiedSeverity) : episode.notifiedSeverity,
      peakSeverity: Math.max(episode.peakSeverity, severity),
      peakScore: Math.max(episode.peakScore, score),
      quietBuckets: 0,
    };
    return {
      state: { episode: next, lastClosed: state.lastClosed },
      alert: {
        action: escalates ? 'escalate' : 'update',
        episodeId: next.id,
        severity: next.notifiedSeverity,
        kind: next.kind,
        notify: escalates,
        ...(next.kind !== episode.kind ? { kindFrom: episode.kind } : {}),
      },
    };
  }

  const quietBuckets = episode.quietBuckets + 1;
  if (quietBuckets < quietBucketsToClose) {
    return { state: { episode: { ...episode, quietBuckets }, lastClosed: state.lastClosed }, alert: null };
  }
  return {
    state: {
      episode: null,
      lastClosed: {
        id: episode.id,
        closedMs: nowMs,
        kind: episode.kind,
        notifiedSeverity: episode.notifiedSeverity,
        openedMs: episode.openedMs,
      },
    },
    alert: { action: 'close', episodeId: episode.id, severity: episode.notifiedSeverity, kind: episode.kind, notify: false },
  };
}
