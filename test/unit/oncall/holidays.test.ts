import { expect, it } from 'vitest';
import { holidayOn, isRestDay, japaneseHolidays } from '../../../src/oncall/holidays.ts';

// The Cabinet Office's published lists (内閣府「国民の祝日について」), 2025 and 2026.
const official2025 = [
  ['2025-01-01', '元日'],
  ['2025-01-13', '成人の日'],
  ['2025-02-11', '建国記念の日'],
  ['2025-02-23', '天皇誕生日'],
  ['2025-02-24', '振替休日'],
  ['2025-03-20', '春分の日'],
  ['2025-04-29', '昭和の日'],
  ['2025-05-03', '憲法記念日'],
  ['2025-05-04', 'みどりの日'],
  ['2025-05-05', 'こどもの日'],
  ['2025-05-06', '振替休日'],
  ['2025-07-21', '海の日'],
  ['2025-08-11', '山の日'],
  ['2025-09-15', '敬老の日'],
  ['2025-09-23', '秋分の日'],
  ['2025-10-13', 'スポーツの日'],
  ['2025-11-03', '文化の日'],
  ['2025-11-23', '勤労感謝の日'],
  ['2025-11-24', '振替休日'],
];
const official2026 = [
  ['2026-01-01', '元日'],
  ['2026-01-12', '成人の日'],
  ['2026-02-11', '建国記念の日'],
  ['2026-02-23', '天皇誕生日'],
  ['2026-03-20', '春分の日'],
  ['2026-04-29', '昭和の日'],
  ['2026-05-03', '憲法記念日'],
  ['2026-05-04', 'みどりの日'],
  ['2026-05-05', 'こどもの日'],
  ['2026-05-06', '振替休日'],
  ['2026-07-20', '海の日'],
  ['2026-08-11', '山の日'],
  ['2026-09-21', '敬老の日'],
  ['2026-09-22', '国民の休日'],
  ['2026-09-23', '秋分の日'],
  ['2026-10-12', 'スポーツの日'],
  ['2026-11-03', '文化の日'],
  ['2026-11-23', '勤労感謝の日'],
];

it('matches the official 2025 list exactly, substitute holidays included', () => {
  expect(japaneseHolidays(2025).map((h) => [h.date, h.name])).toEqual(official2025);
});

it('matches the official 2026 list exactly, with the 国民の休日 between 敬老の日 and 秋分の日', () => {
  expect(japaneseHolidays(2026).map((h) => [h.date, h.name])).toEqual(official2026);
});

it('computes the equinoxes and Happy Mondays of other years (2024, 2027 published dates)', () => {
  expect(holidayOn('2024-03-20')).toBe('春分の日');
  expect(holidayOn('2024-09-22')).toBe('秋分の日');
  expect(holidayOn('2024-09-23')).toBe('振替休日');
  expect(holidayOn('2027-03-21')).toBe('春分の日');
  expect(holidayOn('2027-03-22')).toBe('振替休日');
  expect(holidayOn('2027-09-23')).toBe('秋分の日');
  expect(holidayOn('2027-01-11')).toBe('成人の日');
  expect(holidayOn('2021-07-23')).toBe('スポーツの日');
});

it('rest days are weekends and holidays, nothing else', () => {
  expect(isRestDay('2026-11-21')).toBe(true); // Saturday
  expect(isRestDay('2026-11-22')).toBe(true); // Sunday
  expect(isRestDay('2026-11-23')).toBe(true); // 勤労感謝の日 (Monday)
  expect(isRestDay('2026-11-24')).toBe(false);
  expect(isRestDay('2026-11-25')).toBe(false);
});
