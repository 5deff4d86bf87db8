import { quantileSorted } from 'simple-statistics';

// "Today against the usual": what a PR lead glances at on the wall screen. The same span of the
// previous days (midnight → this time of day, or this hour so far) is the yardstick, so a clinic
// that is always busy on Monday mornings is not "busier than usual" every Monday at 9.

export type UsualVerdict = 'no_history' | 'quieter' | 'usual' | 'busier' | 'much_busier';

export interface UsualComparison {
  /** Mentions in the span today. */
  now: number;
  /** Median of the same span over the previous days (null without history). */
  usual: number | null;
  /** Middle half of the previous days: what counts as usual. */
  low: number | null;
  high: number | null;
  /** now / usual, null when the usual is 0 or unknown. */
  ratio: number | null;
  verdict: UsualVerdict;
  /** How many previous days the yardstick holds. */
  days: number;
}

/**
 * Compares `now` with the same span on previous days. At least 3 mentions above the upper quartile
 * is "busier"; more than twice the upper quartile and at least 5 above it "much busier"; at least 3
 * below the lower quartile "quieter". The absolute margins keep small counts (1 → 3) from reading
 * as news: a wall screen that cries wolf is ignored.
 */
export function compareWithUsual(now: number, previousDays: readonly number[]): UsualComparison {
  if (previousDays.length === 0) return { now, usual: null, low: null, high: null, ratio: null, verdict: 'no_history', days: 0 };
  const sorted = [...previousDays].sort((a, b) => a - b);
  const usual = quantileSorted(sorted, 0.5);
  const low = quantileSorted(sorted, 0.25);
  const high = quantileSorted(sorted, 0.75);
  const ratio = usual > 0 ? now / usual : null;
  let verdict: UsualVerdict = 'usual';
  if (now > 2 * high && now - high >= 5) verdict = 'much_busier';
  else if (now - high >= 3) verdict = 'busier';
  else if (low - now >= 3) verdict = 'quieter';
  return { now, usual, low, high, ratio, verdict, days: sorted.length };
}

export const usualVerdictLabels: Record<UsualVerdict, string> = {
  no_history: '比較できる過去データがありません',
  quieter: 'いつもより少ない',
  usual: 'いつもどおり',
  busier: 'いつもより多い',
  much_busier: 'いつもよりかなり多い',
};
