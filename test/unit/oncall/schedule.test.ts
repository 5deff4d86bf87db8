import { expect, it } from 'vitest';
import { ScheduleDefinitionInput } from '../../../src/oncall/routes.ts';
import { whoIsOnCall, type Schedule } from '../../../src/oncall/schedule.ts';

// Weekly rotation A → B → C handing off Mondays 09:00 JST from Monday 2026-11-02;
// weekends and holidays covered by D and E, day by day, handing off at 09:00 too.
const base: Schedule = {
  rotation: { userIds: ['1', '2', '3'], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' },
  restDayRotation: { userIds: ['4', '5'], lengthDays: 1, handoffTime: '09:00', startDate: '2026-11-01' },
  overrides: [],
};
const jst = (s: string) => new Date(`${s}+09:00`);

it('hands off at 09:00 JST, not at UTC midnight or JST midnight', () => {
  const weekly = { ...base, restDayRotation: null };
  // Tuesday 17 Nov is week 3 (user 3); Monday 16 Nov 08:59 JST still belongs to week 2 (user 2).
  expect(whoIsOnCall(weekly, jst('2026-11-16T08:59:59'))).toMatchObject({ userId: '2', source: 'rotation', day: '2026-11-15' });
  expect(whoIsOnCall(weekly, jst('2026-11-16T09:00:00'))).toMatchObject({ userId: '3', source: 'rotation', day: '2026-11-16' });
  // 00:30 UTC on the 16th is 09:30 JST: already the new week.
  expect(whoIsOnCall(weekly, new Date('2026-11-16T00:30:00Z'))?.userId).toBe('3');
  // Wraps round: week 4 is user 1 again.
  expect(whoIsOnCall(weekly, jst('2026-11-24T10:00:00'))?.userId).toBe('1');
});

it('the rest-day rotation takes weekends and public holidays (勤労感謝の日 on Monday 23 Nov 2026)', () => {
  // Saturday 21 Nov 10:00 → rest-day rotation: day index 20 from 1 Nov → user 4.
  expect(whoIsOnCall(base, jst('2026-11-21T10:00:00'))).toMatchObject({ source: 'rest_day_rotation', userId: '4' });
  expect(whoIsOnCall(base, jst('2026-11-22T10:00:00'))).toMatchObject({ source: 'rest_day_rotation', userId: '5' });
  // The holiday: Monday, but 勤労感謝の日.
  expect(whoIsOnCall(base, jst('2026-11-23T10:00:00'))).toMatchObject({ source: 'rest_day_rotation', userId: '4', day: '2026-11-23' });
  // Tuesday 24 Nov 08:00 still belongs to the holiday's on-call day; 09:00 goes back to the weekly rotation.
  expect(whoIsOnCall(base, jst('2026-11-24T08:00:00'))).toMatchObject({ source: 'rest_day_rotation', day: '2026-11-23' });
  expect(whoIsOnCall(base, jst('2026-11-24T09:00:00'))).toMatchObject({ source: 'rotation', userId: '1' });
  // Without a rest-day rotation, the weekly one covers the holiday.
  expect(whoIsOnCall({ ...base, restDayRotation: null }, jst('2026-11-23T10:00:00'))).toMatchObject({ source: 'rotation', userId: '1' });
});

it('an override beats the rotation inside its window only; the newer one wins on overlap', () => {
  const s: Schedule = {
    ...base,
    overrides: [
      { id: '10', userId: '7', startsAt: jst('2026-11-17T18:00:00'), endsAt: jst('2026-11-18T09:00:00') },
      { id: '11', userId: '8', startsAt: jst('2026-11-18T06:00:00'), endsAt: jst('2026-11-18T07:00:00') },
      { id: '12', userId: '9', startsAt: jst('2026-11-23T00:00:00'), endsAt: jst('2026-11-24T00:00:00') },
    ],
  };
  expect(whoIsOnCall(s, jst('2026-11-17T17:59:59'))?.userId).toBe('3');
  expect(whoIsOnCall(s, jst('2026-11-17T18:00:00'))).toMatchObject({ userId: '7', source: 'override' });
  expect(whoIsOnCall(s, jst('2026-11-18T06:30:00'))?.userId).toBe('8');
  expect(whoIsOnCall(s, jst('2026-11-18T09:00:00'))?.userId).toBe('3');
  // Over the holiday layer too.
  expect(whoIsOnCall(s, jst('2026-11-23T10:00:00'))).toMatchObject({ userId: '9', source: 'override' });
});

it('nobody before the rotation starts; the parser refuses malformed rotations', () => {
  expect(whoIsOnCall({ ...base, restDayRotation: null }, jst('2026-11-02T08:59:00'))).toBeNull();
  expect(
    ScheduleDefinitionInput.parse({ rotation: { userIds: [1, '2'], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' } }),
  ).toEqual({ rotation: { userIds: ['1', '2'], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' }, restDayRotation: null });
  const bad = [
    { rotation: { userIds: [], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' } },
    { rotation: { userIds: ['1'], lengthDays: 0, handoffTime: '09:00', startDate: '2026-11-02' } },
    { rotation: { userIds: ['1'], lengthDays: 7, handoffTime: '24:00', startDate: '2026-11-02' } },
    { rotation: { userIds: ['1'], lengthDays: 7, handoffTime: '09:00', startDate: '2026-02-30' } },
    { rotation: { userIds: ['x'], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02' } },
    { rotation: { userIds: ['1'], lengthDays: 7, handoffTime: '09:00', startDate: '2026-11-02', extra: 1 } },
  ];
  for (const b of bad) expect(() => ScheduleDefinitionInput.parse(b)).toThrow();
});
