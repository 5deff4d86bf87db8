import { ValidationError } from '../errors.ts';

// The plain CSV series `hinoko detect` reads: `timestamp,value[,negative]`, one row per bucket.
// Input comes from anyone, so every row is checked and the first bad one is named by line.

export interface SeriesRow {
  /** The timestamp exactly as written, echoed back in the output. */
  timestamp: string;
  startMs: number;
  value: number;
  negative: number | null;
}

export const maxSeriesRows = 2_000_000;

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** `YYYY-MM-DD[ HH:MM[:SS[.fff]]][Z|±HH:MM]`; no zone means UTC (as in NAB). NaN if invalid. */
export function parseSeriesTimestamp(text: string): number {
  const m = timestampPattern.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(ms).getUTCDate() !== day) return NaN;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

const countPattern = /^\d{1,12}(?:\.\d+)?$/;

function parseCount(cell: string | undefined, line: number, column: string): number {
  const t = (cell ?? '').trim();
  if (!countPattern.test(t)) throw new ValidationError(`line ${line}: ${column} must be a non-negative number, got "${t.slice(0, 40)}"`);
  return Math.round(Number(t));
}

export function parseVolumeCsv(input: string): SeriesRow[] {
  const lines = input.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const ts = header.indexOf('timestamp');
  const val = header.indexOf('value');
  const neg = header.indexOf('negative');
  if (ts < 0 || val < 0) throw new ValidationError('line 1: header must name the columns timestamp and value (optionally negative)');
  const rows: SeriesRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    if (rows.length >= maxSeriesRows) throw new ValidationError(`line ${line}: more than ${maxSeriesRows} rows`);
    const cells = raw.split(',');
    if (cells.length < header.length) throw new ValidationError(`line ${line}: expected ${header.length} columns, got ${cells.length}`);
    const timestamp = cells[ts]!.trim();
    const startMs = parseSeriesTimestamp(timestamp);
    if (!Number.isFinite(startMs))
      throw new ValidationError(`line ${line}: bad timestamp "${timestamp.slice(0, 40)}" (expected YYYY-MM-DD HH:MM:SS)`);
    const previous = rows[rows.length - 1];
    if (previous && startMs <= previous.startMs)
      throw new ValidationError(`line ${line}: timestamp ${timestamp} is not after the previous row`);
    const value = parseCount(cells[val], line, 'value');
    const negative = neg >= 0 ? parseCount(cells[neg], line, 'negative') : null;
    if (negative !== null && negative > value) throw new ValidationError(`line ${line}: negative (${negative}) exceeds value (${value})`);
    rows.push({ timestamp, startMs, value, negative });
  }
  return rows;
}
