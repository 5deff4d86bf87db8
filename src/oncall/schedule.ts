import { isRestDay } from './holidays.ts';
import { JST_OFFSET_MS } from '../display.ts';

// Who is on call: a pure function over a schedule and an instant. Schedules think in Japan time
// (Asia/Tokyo has had no DST since 1951, so +09:00 is exact).
//
// A schedule has a rotation (ordered users, each on for `lengthDays`, handing off at `handoffTime`
// JST, counted from `startDate`) and optionally a `restDayRotation` that takes the on-call day
// when that day is a Saturday, Sunday or Japanese public holiday. An "on-call day" starts at the
// hand-off time: with a 09:00 hand-off, 08:59 on New Year's Day still belongs to 31 December.
// Overrides (user, from–to) beat both; the latest-created override wins where they overlap.

const DAY_MS = 86_400_000;

export interface Rotation {
  userIds: string[];
  lengthDays: number;
  /** 'HH:MM' in Japan time. */
  handoffTime: string;
  /** 'YYYY-MM-DD' in Japan time: userIds[0] takes over at startDate handoffTime. */
  startDate: string;
}

export interface ScheduleDefinition {
  rotation: Rotation;
  restDayRotation: Rotation | null;
}

export interface Override {
  id: string;
  userId: string;
  startsAt: Date;
  endsAt: Date;
}

export interface Schedule extends ScheduleDefinition {
  overrides: Override[];
}

export interface OnCall {
  userId: string;
  source: 'override' | 'rotation' | 'rest_day_rotation';
  /** The on-call day (JST) the answer belongs to. */
  day: string;
}

function handoffMinutes(r: Rotation): number {
  const [h, m] = r.handoffTime.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** The JST civil date whose on-call day contains `at`, for a hand-off at `minutes` past midnight. */
function onCallDay(at: Date, minutes: number): { day: string; startMs: number } {
  const local = at.getTime() + JST_OFFSET_MS - minutes * 60_000;
  const dayStartLocal = Math.floor(local / DAY_MS) * DAY_MS;
  return { day: new Date(dayStartLocal).toISOString().slice(0, 10), startMs: dayStartLocal };
}

function rotationUser(r: Rotation, dayStartLocalMs: number): string | null {
  if (r.userIds.length === 0) return null;
  const start = Date.parse(`${r.startDate}T00:00:00Z`);
  const shifts = Math.floor((dayStartLocalMs - start) / (r.lengthDays * DAY_MS));
  if (shifts < 0) return null;
  return r.userIds[shifts % r.userIds.length]!;
}

export function whoIsOnCall(schedule: Schedule, at: Date): OnCall | null {
  const { day, startMs } = onCallDay(at, handoffMinutes(schedule.rotation));
  const override = schedule.overrides
    .filter((o) => o.startsAt.getTime() <= at.getTime() && at.getTime() < o.endsAt.getTime())
    .sort((a, b) => Number(b.id) - Number(a.id))[0];
  if (override) return { userId: override.userId, source: 'override', day };
  const rest = schedule.restDayRotation;
  if (rest) {
    const r = onCallDay(at, handoffMinutes(rest));
    if (isRestDay(r.day)) {
      const userId = rotationUser(rest, r.startMs);
      if (userId) return { userId, source: 'rest_day_rotation', day: r.day };
    }
  }
  const userId = rotationUser(schedule.rotation, startMs);
  return userId ? { userId, source: 'rotation', day } : null;
}
