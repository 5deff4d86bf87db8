import { ValidationError } from '../errors.ts';
import { object } from '../validation.ts';
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

function parseRotation(v: unknown, field: string): Rotation {
  const o = object(v, ['userIds', 'lengthDays', 'handoffTime', 'startDate'], field);
  if (!Array.isArray(o.userIds) || o.userIds.length === 0 || o.userIds.length > 50) {
    throw new ValidationError(`${field}.userIds must list 1 to 50 user ids in rotation order`);
  }
  const userIds = o.userIds.map((u, i) => {
    const s = typeof u === 'number' ? String(u) : u;
    if (typeof s !== 'string' || !/^[1-9][0-9]{0,18}$/.test(s)) throw new ValidationError(`${field}.userIds[${i}] must be a user id`);
    return s;
  });
  if (typeof o.lengthDays !== 'number' || !Number.isInteger(o.lengthDays) || o.lengthDays < 1 || o.lengthDays > 28) {
    throw new ValidationError(`${field}.lengthDays must be an integer from 1 to 28`);
  }
  if (typeof o.handoffTime !== 'string' || !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(o.handoffTime)) {
    throw new ValidationError(`${field}.handoffTime must be HH:MM in Japan time, e.g. 09:00`);
  }
  if (typeof o.startDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(o.startDate) || Number.isNaN(Date.parse(`${o.startDate}T00:00:00Z`))
    || new Date(`${o.startDate}T00:00:00Z`).toISOString().slice(0, 10) !== o.startDate) {
    throw new ValidationError(`${field}.startDate must be a date YYYY-MM-DD (Japan time)`);
  }
  return { userIds, lengthDays: o.lengthDays, handoffTime: o.handoffTime, startDate: o.startDate };
}

export function parseScheduleDefinition(v: unknown): ScheduleDefinition {
  const o = object(v, ['rotation', 'restDayRotation'], 'definition');
  return {
    rotation: parseRotation(o.rotation, 'rotation'),
    restDayRotation: o.restDayRotation === undefined || o.restDayRotation === null ? null : parseRotation(o.restDayRotation, 'restDayRotation'),
  };
}
