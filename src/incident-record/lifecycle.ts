// The incident state machine as data: every allowed move is one row of `transitions`; anything
// not listed is forbidden. Verbs, routes and the generated tests all read this one table.

export const incidentStatuses = ['triage', 'active', 'stable', 'resolved', 'closed', 'cancelled'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

/** Still being worked on: auto-open attaches new alerts to these instead of opening another. */
export const openStatuses: readonly IncidentStatus[] = ['triage', 'active', 'stable'];

/** Over, but the same flare-up: a new crisis wave soon after reopens these as a relapse (relapse-incident.ts). */
export const relapsableStatuses: readonly IncidentStatus[] = ['resolved', 'closed'];

/** Nobody works on it any more: its alerts close with it (close-incident-alerts.ts). */
export const endedStatuses: readonly IncidentStatus[] = ['resolved', 'closed', 'cancelled'];

export const roleNames = ['pr_staff', 'oncall_manager', 'director', 'admin'] as const;
export type RoleName = (typeof roleNames)[number];

export const timestampFields = ['detectedAt', 'acknowledgedAt', 'firstResponseAt', 'mitigatedAt', 'resolvedAt', 'closedAt'] as const;
export type TimestampField = (typeof timestampFields)[number];
export type IncidentTimestamps = { detectedAt: Date } & { [K in Exclude<TimestampField, 'detectedAt'>]: Date | null };

export interface Transition {
  from: IncidentStatus;
  to: IncidentStatus;
  /** What the move means, for the timeline and the audit action. */
  name: 'acknowledge' | 'mitigate' | 'relapse' | 'resolve' | 'close' | 'reopen' | 'cancel';
  /** Stamped with the transition time unless already set. */
  sets?: readonly TimestampField[];
  /** Cleared: a reopened incident is no longer resolved or closed. */
  clears?: readonly TimestampField[];
  /** A reason is required where the move undoes or abandons work. */
  reasonRequired?: boolean;
}

export const transitions: readonly Transition[] = [
  { from: 'triage', to: 'active', name: 'acknowledge', sets: ['acknowledgedAt'] },
  { from: 'triage', to: 'cancelled', name: 'cancel', sets: ['closedAt'], reasonRequired: true },
  { from: 'active', to: 'stable', name: 'mitigate', sets: ['mitigatedAt'] },
  { from: 'active', to: 'resolved', name: 'resolve', sets: ['acknowledgedAt', 'mitigatedAt', 'resolvedAt'] },
  { from: 'active', to: 'cancelled', name: 'cancel', sets: ['closedAt'], reasonRequired: true },
  // A second wave after things calmed down: the incident is active again.
  { from: 'stable', to: 'active', name: 'relapse' },
  { from: 'stable', to: 'resolved', name: 'resolve', sets: ['resolvedAt'] },
  { from: 'resolved', to: 'closed', name: 'close', sets: ['closedAt'] },
  // Also taken without a person by a relapse (a new crisis wave after resolution, relapse-incident.ts):
  // the same stamps, the alert as the reason, and the timeline/audit name 'relapse'.
  { from: 'resolved', to: 'active', name: 'reopen', clears: ['resolvedAt', 'closedAt'], reasonRequired: true },
  { from: 'closed', to: 'active', name: 'reopen', clears: ['resolvedAt', 'closedAt'], reasonRequired: true },
];

export function findTransition(from: IncidentStatus, to: IncidentStatus): Transition | undefined {
  return transitions.find((t) => t.from === from && t.to === to);
}

/** The timestamps after a transition at `at`: set fields keep an earlier value, cleared ones go. */
export function stampsAfter(current: IncidentTimestamps, t: Transition, at: Date): IncidentTimestamps {
  const next: IncidentTimestamps = { ...current };
  for (const f of t.clears ?? []) if (f !== 'detectedAt') next[f] = null;
  for (const f of t.sets ?? []) if (f !== 'detectedAt' && next[f] === null) next[f] = at;
  return next;
}

/**
 * Each timestamp against the others. Returns the violations (empty: consistent). `now` bounds
 * them from above with a little slack for clock skew between instances.
 */
export function timestampViolations(ts: IncidentTimestamps, now: Date, skewMs = 60_000): string[] {
  const out: string[] = [];
  const before = (a: TimestampField, b: TimestampField) => {
    const x = ts[a];
    const y = ts[b];
    if (x && y && x.getTime() > y.getTime()) out.push(`${a} は ${b} より前でなければなりません (${a} must not be after ${b})`);
  };
  for (const f of timestampFields) {
    const v = ts[f];
    if (v && v.getTime() > now.getTime() + skewMs) out.push(`${f} が未来の時刻です (${f} is in the future)`);
  }
  for (const f of timestampFields) if (f !== 'detectedAt') before('detectedAt', f);
  before('acknowledgedAt', 'resolvedAt');
  before('mitigatedAt', 'resolvedAt');
  before('resolvedAt', 'closedAt');
  before('acknowledgedAt', 'closedAt');
  before('firstResponseAt', 'closedAt');
  return out;
}
