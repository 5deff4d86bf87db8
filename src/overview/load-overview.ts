import type { EmergingTerm } from '../analysis/index.ts';
import type { AuditActor } from '../audit/record.ts';
import { listSources, type SourceRecord } from '../collection/sources.ts';
import type { AppContext } from '../context.ts';
import type { Row } from '../db/schema.ts';
import { listAlerts, type AlertView } from '../detection-pass/queries.ts';
import { openIncidentSummaries, type OpenIncidentSummary } from '../incidents/queries.ts';
import { viewEmergingTerms } from '../mentions/view-emerging-terms.ts';
import { compareWithUsual, type UsualComparison } from './usual.ts';

// Everything the PR staff's wall screen shows, in one read: volume and negative share over time per
// watch target and per source, today against the usual, what is open, what people talk about and
// whether every source is collecting. Each part reads a rollup or an index range, so the answer
// stays fast with millions of mentions (npm run bench:api).

/** Which parts the caller may see; the edge decides from the permission table. */
export interface OverviewAccess {
  alerts: boolean;
  incidents: boolean;
  sources: boolean;
  /** Terms of private messages count only for those who may see personal data (then audited). */
  privateTerms: boolean;
}

export interface OverviewQuery {
  orgId: string;
  /** The window the charts cover, ending now. */
  hours: number;
}

export interface SeriesPoint {
  start: Date;
  total: number;
  negative: number;
}

export interface Overview {
  now: Date;
  from: Date;
  bucketSeconds: number;
  /** Org-wide first (watchTargetId null), then each watch target by name. */
  byWatchTarget: { watchTargetId: string | null; name: string; points: SeriesPoint[] }[];
  /** Null for a role that may not read sources. */
  bySource: { sourceId: string; name: string; type: string; points: SeriesPoint[] }[] | null;
  today: { sinceMidnight: UsualComparison; thisHour: UsualComparison };
  alerts: { open: number; latest: AlertView[] } | null;
  incidents: { open: OpenIncident[] } | null;
  risingTerms: { items: EmergingTerm[]; from: Date; to: Date; includesPrivateMessages: boolean };
  sources: SourceHealth[] | null;
}

export type OpenIncident = OpenIncidentSummary;

export interface SourceHealth {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  health: Row<'sources'>['health'];
  healthMessage: string | null;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  /** Required credentials that are not set: the source cannot collect until someone sets them. */
  missingCredentials: string[];
  lastRun: { status: string; error: string | null; rejected: number; finishedAt: Date | null } | null;
}

const JST_ORIGIN = '2000-01-01T00:00:00+09:00';
const JST_OFFSET_MS = 9 * 3_600_000;
/** Previous days the "usual" is taken from: four of each weekday. */
const USUAL_DAYS = 28;

/** 15-minute buckets up to a day, hourly beyond: a chart of at most 168 points per line a week. */
export function overviewBucketSeconds(hours: number): number {
  return hours <= 24 ? 900 : 3600;
}

export async function loadOverview(ctx: AppContext, actor: AuditActor, access: OverviewAccess, q: OverviewQuery): Promise<Overview> {
  const now = ctx.now();
  const bucketSeconds = overviewBucketSeconds(q.hours);
  const interval = `${bucketSeconds} seconds`;
  const from = new Date(Math.floor((now.getTime() - q.hours * 3_600_000) / (bucketSeconds * 1000)) * bucketSeconds * 1000);
  // The charts' rollups and names may lag a moment: the replica's, when there is one.
  const sql = ctx.readSql;

  // Per watch target (and org-wide: watch_target_id null) from the 5-minute rollup.
  const targetRows = sql<{ watch_target_id: string | null; start: Date; total: number; negative: number }[]>`
    select watch_target_id, date_bin(${interval}::interval, bucket_start, ${JST_ORIGIN}::timestamptz) as start,
      sum(total)::int as total, sum(negative)::int as negative
    from mention_counts
    where org_id = ${q.orgId} and bucket_start >= ${from} and bucket_start < ${now}
    group by 1, 2`;
  // Per source from its own rollup (kept with mention_counts by the same transactions).
  const sourceRows = sql<{ source_id: string; start: Date; total: number; negative: number }[]>`
    select source_id, date_bin(${interval}::interval, bucket_start, ${JST_ORIGIN}::timestamptz) as start,
      sum(total)::int as total, sum(negative)::int as negative
    from mention_source_counts
    where org_id = ${q.orgId} and bucket_start >= ${from} and bucket_start < ${now}
    group by 1, 2`;
  const watchTargets = sql<{ id: string; name: string; archived: boolean }[]>`
    select id, name, archived_at is not null as archived from watch_targets where org_id = ${q.orgId}`;
  const usualRows = usualSpans(ctx, q.orgId, now);
  const alerts = access.alerts ? openAlerts(ctx, q.orgId) : null;
  const incidents = access.incidents ? openIncidentSummaries(sql, q.orgId, 20) : null;
  const termsFrom = new Date(now.getTime() - 3_600_000);
  const terms = viewEmergingTerms(ctx, actor, { orgId: q.orgId, from: termsFrom, to: now, limit: 10, includePrivate: access.privateTerms });
  const sources = access.sources ? Promise.all([listSources(ctx, { orgId: q.orgId }), lastRuns(ctx, q.orgId)]) : null;

  const [targets, named, bySourceRows, usual, alertPart, incidentRows, termResult, sourcePart] = await Promise.all([
    targetRows,
    watchTargets,
    sourceRows,
    usualRows,
    alerts,
    incidents,
    terms,
    sources,
  ]);

  const slots = bucketStarts(from, now, bucketSeconds);
  // Org-wide first, then every watch target by name — the quiet ones too, as zeros; a removed
  // (archived) target only while its posts are still in the period.
  const counted = new Map(group(targets, (r) => r.watch_target_id ?? ''));
  const byWatchTarget = [
    { watchTargetId: null, name: '全体', points: fill(slots, counted.get('') ?? []) },
    ...named
      .filter((t) => !t.archived || counted.has(t.id))
      .sort((a, b) => a.name.localeCompare(b.name, 'ja'))
      .map((t) => ({ watchTargetId: t.id, name: t.name, points: fill(slots, counted.get(t.id) ?? []) })),
  ];
  let bySource: Overview['bySource'] = null;
  let health: SourceHealth[] | null = null;
  if (sourcePart) {
    const [records, runs] = sourcePart;
    const named = new Map(records.map((s) => [s.id, s]));
    bySource = group(bySourceRows, (r) => r.source_id)
      .map(([id, rows]) => ({
        sourceId: id,
        name: named.get(id)?.name ?? `#${id}`,
        type: named.get(id)?.type ?? '',
        points: fill(slots, rows),
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'ja'));
    health = records.map((s) => sourceHealth(s, runs.get(s.id)));
  }

  return {
    now,
    from,
    bucketSeconds,
    byWatchTarget,
    bySource,
    today: {
      sinceMidnight: compareWithUsual(
        usual.today.sinceMidnight,
        usual.previous.map((d) => d.sinceMidnight),
      ),
      thisHour: compareWithUsual(
        usual.today.thisHour,
        usual.previous.map((d) => d.thisHour),
      ),
    },
    alerts: alertPart,
    incidents: incidentRows ? { open: incidentRows } : null,
    risingTerms: { items: termResult.items, from: termsFrom, to: now, includesPrivateMessages: access.privateTerms },
    sources: health,
  };
}

async function openAlerts(ctx: Pick<AppContext, 'sql'>, orgId: string) {
  const [count] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from alerts where org_id = ${orgId} and status = 'open'`;
  return { open: count!.n, latest: await listAlerts(ctx.sql, { orgId, status: 'open', limit: 5 }) };
}

/**
 * Mentions since JST midnight and in this hour so far, today and on each of the previous days over
 * the same span, from the org-wide rollup: 2 × 29 index ranges.
 */
async function usualSpans(ctx: Pick<AppContext, 'sql'>, orgId: string, now: Date) {
  const midnight = new Date(Math.floor((now.getTime() + JST_OFFSET_MS) / 86_400_000) * 86_400_000 - JST_OFFSET_MS);
  const hourStart = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const rows = await ctx.sql<{ d: number; since_midnight: number; this_hour: number }[]>`
    select d,
      (select coalesce(sum(total), 0)::int from mention_counts
        where org_id = ${orgId} and watch_target_id is null
          and bucket_start >= ${midnight}::timestamptz - d * interval '1 day' and bucket_start < ${now}::timestamptz - d * interval '1 day'
      ) as since_midnight,
      (select coalesce(sum(total), 0)::int from mention_counts
        where org_id = ${orgId} and watch_target_id is null
          and bucket_start >= ${hourStart}::timestamptz - d * interval '1 day' and bucket_start < ${now}::timestamptz - d * interval '1 day'
      ) as this_hour
    from generate_series(0, ${USUAL_DAYS}) as d
    order by d`;
  // Days before the organisation's first mention are no evidence of a quiet day.
  const [first] = await ctx.sql<{ first: Date | null }[]>`
    select min(bucket_start) as first from mention_counts where org_id = ${orgId} and watch_target_id is null`;
  const firstMs = first?.first?.getTime() ?? now.getTime();
  const today = rows[0]!;
  const previous = rows
    .slice(1)
    .filter((r) => midnight.getTime() - r.d * 86_400_000 + 86_400_000 > firstMs)
    .map((r) => ({ sinceMidnight: r.since_midnight, thisHour: r.this_hour }));
  return { today: { sinceMidnight: today.since_midnight, thisHour: today.this_hour }, previous };
}

type LastRun = Pick<Row<'collector_runs'>, 'source_id' | 'status' | 'error' | 'rejected' | 'finished_at'>;

/** Each source's latest run (served by collector_runs_source_idx). */
async function lastRuns(ctx: Pick<AppContext, 'sql'>, orgId: string): Promise<Map<string, LastRun>> {
  const runs = await ctx.sql<LastRun[]>`
    select distinct on (source_id) source_id, status, error, rejected, finished_at
    from collector_runs where org_id = ${orgId}
    order by source_id, started_at desc`;
  return new Map(runs.map((r) => [r.source_id, r]));
}

function sourceHealth(s: SourceRecord, run: LastRun | undefined): SourceHealth {
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    enabled: s.enabled,
    health: s.health,
    healthMessage: s.healthMessage,
    lastRunAt: s.lastRunAt,
    lastSuccessAt: s.lastSuccessAt,
    missingCredentials: s.credentials.filter((c) => c.required && !c.set).map((c) => c.label),
    lastRun: run ? { status: run.status, error: run.error, rejected: run.rejected, finishedAt: run.finished_at } : null,
  };
}

function bucketStarts(from: Date, to: Date, seconds: number): number[] {
  const out: number[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += seconds * 1000) out.push(t);
  return out;
}

function group<T>(rows: readonly T[], key: (r: T) => string): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return [...out];
}

/** One point per bucket, zeros where nothing was posted (a chart must show the quiet too). */
function fill(slots: readonly number[], rows: readonly { start: Date; total: number; negative: number }[]): SeriesPoint[] {
  const at = new Map(rows.map((r) => [r.start.getTime(), r]));
  return slots.map((t) => ({ start: new Date(t), total: at.get(t)?.total ?? 0, negative: at.get(t)?.negative ?? 0 }));
}
