// Japanese public holidays (国民の祝日に関する法律), computed, not listed, so no yearly table goes
// stale. Valid from 2020 on (the current set of days; 2020/2021 Olympic moves are applied).
// Pure: dates are civil dates in Japan as 'YYYY-MM-DD'.
//
// - fixed days, and the Happy Monday days (nth Monday of a month);
// - 春分の日 / 秋分の日 from the standard astronomical approximation used by the National
//   Astronomical Observatory's almanac (valid 1980–2099):
//     spring = floor(20.8431 + 0.242194 (y − 1980) − floor((y − 1980) / 4))
//     autumn = floor(23.2488 + 0.242194 (y − 1980) − floor((y − 1980) / 4))
// - 振替休日: a holiday on a Sunday moves to the next day that is not a holiday;
// - 国民の休日: a weekday between two holidays is a holiday.

export interface Holiday {
  date: string;
  name: string;
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Day of week (0 = Sunday) of a civil date. */
export function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

function nthMonday(y: number, m: number, n: number): number {
  const first = weekday(y, m, 1);
  return 1 + ((8 - first) % 7) + (n - 1) * 7;
}

export function vernalEquinoxDay(y: number): number {
  return Math.floor(20.8431 + 0.242194 * (y - 1980) - Math.floor((y - 1980) / 4));
}

export function autumnalEquinoxDay(y: number): number {
  return Math.floor(23.2488 + 0.242194 * (y - 1980) - Math.floor((y - 1980) / 4));
}

function statutory(y: number): Holiday[] {
  const h: Holiday[] = [
    { date: iso(y, 1, 1), name: '元日' },
    { date: iso(y, 1, nthMonday(y, 1, 2)), name: '成人の日' },
    { date: iso(y, 2, 11), name: '建国記念の日' },
    { date: iso(y, 2, 23), name: '天皇誕生日' },
    { date: iso(y, 3, vernalEquinoxDay(y)), name: '春分の日' },
    { date: iso(y, 4, 29), name: '昭和の日' },
    { date: iso(y, 5, 3), name: '憲法記念日' },
    { date: iso(y, 5, 4), name: 'みどりの日' },
    { date: iso(y, 5, 5), name: 'こどもの日' },
    { date: iso(y, 9, nthMonday(y, 9, 3)), name: '敬老の日' },
    { date: iso(y, 9, autumnalEquinoxDay(y)), name: '秋分の日' },
    { date: iso(y, 11, 3), name: '文化の日' },
    { date: iso(y, 11, 23), name: '勤労感謝の日' },
  ];
  // The Olympic special measures moved three days in 2020 and 2021.
  if (y === 2020) {
    h.push({ date: '2020-07-23', name: '海の日' }, { date: '2020-07-24', name: 'スポーツの日' }, { date: '2020-08-10', name: '山の日' });
  } else if (y === 2021) {
    h.push({ date: '2021-07-22', name: '海の日' }, { date: '2021-07-23', name: 'スポーツの日' }, { date: '2021-08-08', name: '山の日' });
  } else {
    h.push(
      { date: iso(y, 7, nthMonday(y, 7, 3)), name: '海の日' },
      { date: iso(y, 8, 11), name: '山の日' },
      { date: iso(y, 10, nthMonday(y, 10, 2)), name: 'スポーツの日' },
    );
  }
  return h;
}

const cache = new Map<number, Holiday[]>();

/** Every public holiday of a year in date order, substitute holidays and 国民の休日 included. */
export function japaneseHolidays(y: number): Holiday[] {
  const cached = cache.get(y);
  if (cached) return cached;
  const base = statutory(y);
  const byDate = new Map(base.map((h) => [h.date, h.name]));
  const out = new Map(byDate);
  // 国民の休日: a day that is not a holiday, with holidays on both sides (in practice the
  // September day between 敬老の日 and 秋分の日). Sundays are not affected: they are rest days anyway.
  for (const h of base) {
    const d = new Date(`${h.date}T00:00:00Z`);
    const next = new Date(d.getTime() + 86_400_000);
    const after = new Date(d.getTime() + 2 * 86_400_000);
    const nextIso = next.toISOString().slice(0, 10);
    if (!byDate.has(nextIso) && byDate.has(after.toISOString().slice(0, 10)) && next.getUTCDay() !== 0) {
      out.set(nextIso, '国民の休日');
    }
  }
  // 振替休日: a holiday on a Sunday makes the nearest following non-holiday a holiday.
  for (const h of base) {
    const d = new Date(`${h.date}T00:00:00Z`);
    if (d.getUTCDay() !== 0) continue;
    let sub = new Date(d.getTime() + 86_400_000);
    while (out.has(sub.toISOString().slice(0, 10))) sub = new Date(sub.getTime() + 86_400_000);
    out.set(sub.toISOString().slice(0, 10), '振替休日');
  }
  const list = [...out].map(([date, name]) => ({ date, name })).sort((a, b) => a.date.localeCompare(b.date));
  cache.set(y, list);
  return list;
}

/** The holiday's name on a civil date in Japan, or null. */
export function holidayOn(date: string): string | null {
  const y = Number(date.slice(0, 4));
  return japaneseHolidays(y).find((h) => h.date === date)?.name ?? null;
}

/** Saturday, Sunday or a public holiday. */
export function isRestDay(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const w = weekday(y, m, d);
  return w === 0 || w === 6 || holidayOn(date) !== null;
}
