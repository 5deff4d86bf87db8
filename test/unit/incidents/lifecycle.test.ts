import { describe, expect, it } from 'vitest';
import {
  findTransition,
  incidentStatuses,
  stampsAfter,
  timestampViolations,
  transitions,
  type IncidentStatus,
  type IncidentTimestamps,
} from '../../../src/incident-record/lifecycle.ts';

// Written out by hand, independently of the table, so a changed table fails here until the
// change is meant.
const allowed: Record<IncidentStatus, IncidentStatus[]> = {
  triage: ['active', 'cancelled'],
  active: ['stable', 'resolved', 'cancelled'],
  stable: ['active', 'resolved'],
  resolved: ['closed', 'active'],
  closed: ['active'],
  cancelled: [],
};

describe('transition table', () => {
  for (const from of incidentStatuses) {
    for (const to of incidentStatuses) {
      const ok = allowed[from].includes(to);
      it(`${from} → ${to} is ${ok ? 'allowed' : 'forbidden'}`, () => {
        expect(findTransition(from, to) !== undefined).toBe(ok);
      });
    }
  }

  it('has no duplicate rows and only known statuses', () => {
    const keys = transitions.map((t) => `${t.from}>${t.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of transitions) expect(incidentStatuses).toContain(t.to);
  });

  it('reopen and cancel need a reason', () => {
    expect(findTransition('resolved', 'active')!.reasonRequired).toBe(true);
    expect(findTransition('closed', 'active')!.reasonRequired).toBe(true);
    expect(findTransition('triage', 'cancelled')!.reasonRequired).toBe(true);
    expect(findTransition('triage', 'active')!.reasonRequired).toBeFalsy();
  });
});

const t0 = new Date('2026-11-25T01:00:00Z');
const min = (n: number) => new Date(t0.getTime() + n * 60_000);
const fresh = (): IncidentTimestamps => ({
  detectedAt: t0,
  acknowledgedAt: null,
  firstResponseAt: null,
  mitigatedAt: null,
  resolvedAt: null,
  closedAt: null,
});

describe('timestamps', () => {
  it('acknowledging stamps acknowledgedAt once; a later relapse keeps it', () => {
    const ack = stampsAfter(fresh(), findTransition('triage', 'active')!, min(5));
    expect(ack.acknowledgedAt).toEqual(min(5));
    const mitigated = stampsAfter(ack, findTransition('active', 'stable')!, min(30));
    const relapsed = stampsAfter(mitigated, findTransition('stable', 'active')!, min(40));
    expect(relapsed.acknowledgedAt).toEqual(min(5));
    expect(relapsed.mitigatedAt).toEqual(min(30));
  });

  it('resolving straight from active fills the missing mitigation time', () => {
    const ts = stampsAfter({ ...fresh(), acknowledgedAt: min(1) }, findTransition('active', 'resolved')!, min(60));
    expect(ts).toMatchObject({ mitigatedAt: min(60), resolvedAt: min(60), acknowledgedAt: min(1) });
  });

  it('reopen clears resolvedAt and closedAt', () => {
    const ts = stampsAfter({ ...fresh(), resolvedAt: min(10), closedAt: min(20) }, findTransition('closed', 'active')!, min(30));
    expect(ts.resolvedAt).toBeNull();
    expect(ts.closedAt).toBeNull();
  });

  it('accepts a consistent set', () => {
    expect(
      timestampViolations(
        { detectedAt: t0, acknowledgedAt: min(3), firstResponseAt: min(50), mitigatedAt: min(40), resolvedAt: min(60), closedAt: min(90) },
        min(100),
      ),
    ).toEqual([]);
  });

  const cases: [string, Partial<IncidentTimestamps>, RegExp][] = [
    ['resolved before detected', { resolvedAt: min(-1) }, /detectedAt must not be after resolvedAt/],
    ['acknowledged before detected', { acknowledgedAt: min(-5) }, /detectedAt must not be after acknowledgedAt/],
    ['first response before detected', { firstResponseAt: min(-5) }, /detectedAt must not be after firstResponseAt/],
    ['closed before resolved', { resolvedAt: min(20), closedAt: min(10) }, /resolvedAt must not be after closedAt/],
    ['mitigated after resolved', { mitigatedAt: min(30), resolvedAt: min(20) }, /mitigatedAt must not be after resolvedAt/],
    ['acknowledged after resolved', { acknowledgedAt: min(30), resolvedAt: min(20) }, /acknowledgedAt must not be after resolvedAt/],
    ['in the future', { acknowledgedAt: min(500) }, /acknowledgedAt is in the future/],
  ];
  for (const [name, patch, message] of cases) {
    it(`refuses ${name}`, () => {
      const v = timestampViolations({ ...fresh(), ...patch }, min(100));
      expect(v.join('\n')).toMatch(message);
    });
  }
});
