import { ValidationError } from '../errors.ts';

// The plain CSV series `hinoko detect` reads: `timestamp,value[,negative]`, one row per bucket,
// and optionally what the service's own buckets carry besides counts, so that severity means the
// same here as in the service: `negative_reposts`, `negative_quotes`, `negative_replies` (the
// engagement the bucket's negative posts gained) and `critical_terms` (the high-risk terms seen
// with the institution's name, separated by `;`), and `reported` (posts neutral in their own words
// that pass on a report of trouble: a news link with a trouble word, 「炎上してる」, a quote of a
// negative post; it needs `negative`). Input comes from anyone, so every row is checked
// and the first bad one is named by line.

export interface SeriesRow {
  /** The timestamp exactly as written, echoed back in the output. */
  timestamp: string;
  startMs: number;
  value: number;
  negative: number | null;
  /** Neutral posts passing on a report of trouble; 0 when the column is absent. */
  reported: number;
  /** Engagement gained by the bucket's negative posts; zeros when the columns are absent. */
  reach: { reposts: number; quotes: number; replies: number };
  criticalTerms: string[];
}

/** At most this many critical terms per row, each at most this long (a term, not a text). */
export const maxCriticalTerms = 20;
const maxTermLength = 40;

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

function terms(cell: string | undefined, line: number): string[] {
  const list = [
    ...new Set(
      (cell ?? '')
        .split(';')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (list.length > maxCriticalTerms) throw new ValidationError(`line ${line}: critical_terms lists more than ${maxCriticalTerms} terms`);
  for (const t of list) {
    if (t.length > maxTermLength || /[\u0000-\u001f\u007f"]/.test(t)) {
      throw new ValidationError(
        `line ${line}: critical_terms holds "${t.slice(0, 40)}", not a term (at most ${maxTermLength} characters, no quotes or control characters)`,
      );
    }
  }
  return list;
}

export function parseVolumeCsv(input: string): SeriesRow[] {
  const lines = input.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const ts = header.indexOf('timestamp');
  const val = header.indexOf('value');
  const neg = header.indexOf('negative');
  const reachColumns = (['negative_reposts', 'negative_quotes', 'negative_replies'] as const).map((c) => [c, header.indexOf(c)] as const);
  const critical = header.indexOf('critical_terms');
  const rep = header.indexOf('reported');
  if (ts < 0 || val < 0) {
    throw new ValidationError(
      'line 1: header must name the columns timestamp and value (optionally negative, reported, negative_reposts, negative_quotes, negative_replies, critical_terms)',
    );
  }
  if (rep >= 0 && neg < 0) throw new ValidationError('line 1: the reported column needs the negative column');
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
    const reported = rep >= 0 ? parseCount(cells[rep], line, 'reported') : 0;
    if (negative !== null && negative + reported > value) {
      throw new ValidationError(`line ${line}: negative (${negative}) and reported (${reported}) together exceed value (${value})`);
    }
    const [reposts, quotes, replies] = reachColumns.map(([name, at]) => (at >= 0 ? parseCount(cells[at], line, name) : 0)) as [
      number,
      number,
      number,
    ];
    rows.push({
      timestamp,
      startMs,
      value,
      negative,
      reported,
      reach: { reposts, quotes, replies },
      criticalTerms: critical >= 0 ? terms(cells[critical], line) : [],
    });
  }
  return rows;
}
