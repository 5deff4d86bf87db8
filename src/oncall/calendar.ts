import { holidayOn, isRestDay, weekday } from './holidays.ts';
import { whoIsOnCall, type OnCall, type Schedule } from './schedule.ts';
import { JST_OFFSET_MS } from '../display.ts';

// A month of a schedule as a calendar: for each JST day, who holds the on-call day that starts
// at the hand-off (the rotation, or the rest-day rotation on a Saturday, Sunday or holiday), and
// the overrides that cover any part of that day. Pure: the page draws it, the tests read it.

export interface CalendarDay {
  /** 'YYYY-MM-DD', Japan time. */
  date: string;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
  holiday: string | null;
  restDay: boolean;
  /** Who is on call from this day's hand-off, by the rotations alone. */
  onCall: Pick<OnCall, 'userId' | 'source'> | null;
  /** Overrides covering part of the on-call day, in the order they start. */
  overrides: { id: string; userId: string; startsAt: Date; endsAt: Date }[];
}

const DAY_MS = 86_400_000;

export function monthCalendar(schedule: Schedule, year: number, month: number): CalendarDay[] {
  const [h, m] = schedule.rotation.handoffTime.split(':').map(Number) as [number, number];
  const days: CalendarDay[] = [];
  const count = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const rotations = { ...schedule, overrides: [] };
  for (let d = 1; d <= count; d++) {
    const date = `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    // The on-call day runs from this day's hand-off to the next day's (JST).
    const start = Date.UTC(year, month - 1, d, h, m) - JST_OFFSET_MS;
    const end = start + DAY_MS;
    const who = whoIsOnCall(rotations, new Date(start));
    days.push({
      date,
      weekday: weekday(year, month, d),
      holiday: holidayOn(date),
      restDay: isRestDay(date),
      onCall: who ? { userId: who.userId, source: who.source } : null,
      overrides: schedule.overrides
        .filter((o) => o.startsAt.getTime() < end && o.endsAt.getTime() > start)
        .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()),
    });
  }
  return days;
}
