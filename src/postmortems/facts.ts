import { MENTION_BUCKET_MS } from '../mention.ts';
import { maskPii } from '../analysis/pii.ts';
import type { Sql, Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import type { IncidentRow } from '../incident-record/incident.ts';
import {
  baselineOf,
  baselineWindow,
  BAND_Z,
  deadlineOutcomes,
  episodeStart,
  floorHour,
  hourly,
  HOUR_MS,
  responseMetrics,
  sentimentRecovery,
  type Bucket,
  type Deadline,
  type Metrics,
} from './metrics.ts';

// The facts of a post-mortem, read from what is stored: the incident, its alerts, tasks, timeline
// and statements, and the org's mention counts and mentions around the episode. Plain JSON out
// (stored in postmortems.facts), so the renderers and the report never touch the database.

type Q = Sql | Tx;

/** A timeline event's value as text: events store what their writer put there, and an object would print as [object Object]. */
function textOf(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** How long after the resolution sentiment is still followed (regenerating later sees more of it). */
export const FOLLOW_AFTER_RESOLVE_MS = 72 * HOUR_MS;
const KEY_POSTS = 5;

export interface PostmortemFacts {
  generatedAt: string;
  incident: {
    id: string;
    title: string;
    severity: number;
    status: string;
    riskCategories: string[];
    detectedAt: string;
    acknowledgedAt: string | null;
    firstResponseAt: string | null;
    mitigatedAt: string | null;
    resolvedAt: string | null;
    people: { commander: Person | null; communicationsLead: Person | null; scribe: Person | null };
  };
  alerts: { id: string; severity: number; openedAt: string; summary: string }[];
  episode: {
    start: string;
    firstAlertAt: string;
    alertRaisedAt: string;
    firstNegativeAt: string | null;
    end: string;
    dataEnd: string;
    bucketMinutes: number;
  };
  baseline: { from: string; to: string; total: number; negative: number; share: number | null; negativePerHour: number; bandZ: number };
  impact: {
    mentions: number;
    negative: number;
    negativeShare: number | null;
    uniqueAuthors: number;
    negativeAuthors: number;
    peakVolume: { count: number; bucketStart: string } | null;
    reach: { engagement: number; views: number | null };
    durationMs: number;
  };
  recovery: { peakAt: string | null; peakNegative: number; recoveredAt: string | null };
  metrics: Metrics;
  deadlines: (Omit<Deadline, 'dueAt' | 'doneAt'> & { dueAt: string; doneAt: string | null })[];
  timeline: { at: string; kind: string; actor: string; data: Record<string, unknown> }[];
  statements: {
    id: string;
    kind: string;
    title: string;
    body: string;
    status: string;
    approvedAt: string | null;
    publishedAt: string | null;
  }[];
  keyPosts: { id: string; postedAt: string; author: string; text: string; engagement: number; url: string | null }[];
  /**
   * Resolutions made while required playbook tasks were open, with the reason given and the tasks'
   * titles. Absent in facts stored before this existed (read with `?? []`).
   */
  resolvedOverOpenTasks?: { at: string; actor: string; reason: string; tasks: string[] }[];
  /** New waves that reopened the incident after it was resolved (relapse-incident.ts). Absent in older facts. */
  relapses?: { at: string; alertId: string; severity: number | null }[];
}

export interface Person {
  id: string;
  name: string;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function gatherFacts(q: Q, incident: IncidentRow, now: Date): Promise<PostmortemFacts> {
  const orgId = incident.org_id;
  const alerts = await q<Pick<Row<'alerts'>, 'id' | 'severity' | 'opened_at' | 'summary_ja'>[]>`
    select a.id, a.severity, a.opened_at, a.summary_ja from incident_alerts ia join alerts a on a.org_id = ia.org_id and a.id = ia.alert_id
    where ia.org_id = ${orgId} and ia.incident_id = ${incident.id} order by a.opened_at, a.id`;
  const firstAlertAt = alerts[0]?.opened_at ?? incident.detected_at;
  // An alert is stored at the start of the 5-minute window that raised it; it could be raised only
  // once that window was over, so time to detect counts to the window's end.
  const alertRaisedAt = alerts[0] ? new Date(firstAlertAt.getTime() + MENTION_BUCKET_MS) : incident.detected_at;
  const resolvedAt = incident.resolved_at ?? now;
  const dataEnd = new Date(Math.min(now.getTime(), resolvedAt.getTime() + FOLLOW_AFTER_RESOLVE_MS));
  const window = baselineWindow(firstAlertAt);
  // Org-wide rows (watch_target_id null) cover every mention once. Served by mention_counts_key.
  const rows = await q<{ start: Date; total: number; negative: number }[]>`
    select bucket_start as start, total, negative from mention_counts
    where org_id = ${orgId} and watch_target_id is null and bucket_start >= ${window.from} and bucket_start < ${dataEnd}`;
  const buckets: Bucket[] = rows.map((r) => ({ start: r.start, total: Number(r.total), negative: Number(r.negative) }));
  const baseline = baselineOf(buckets, window);
  const hours = hourly(buckets, window.to, new Date(floorHour(dataEnd).getTime() + HOUR_MS));
  const start = episodeStart(hours, baseline, firstAlertAt);
  const [first] = await q<Pick<Row<'mentions'>, 'posted_at'>[]>`
    select posted_at from mentions where org_id = ${orgId} and sentiment_label = 'negative'
      and posted_at >= ${start} and posted_at < ${alertRaisedAt}
    order by posted_at limit 1`;
  const episodeHours = hours.filter((h) => h.start >= start);
  const recovery = sentimentRecovery(episodeHours, baseline.share);

  const [impact] = await q<
    { mentions: number; negative: number; authors: number; negative_authors: number; engagement: string; views: string | null }[]
  >`
    select count(*)::int as mentions, count(*) filter (where sentiment_label = 'negative')::int as negative,
      count(distinct coalesce(author_id, author_handle))::int as authors,
      count(distinct coalesce(author_id, author_handle)) filter (where sentiment_label = 'negative')::int as negative_authors,
      coalesce(sum(likes + reposts + quotes + replies), 0)::text as engagement, sum(views)::text as views
    from mentions where org_id = ${orgId} and posted_at >= ${start} and posted_at <= ${resolvedAt}`;
  const inEpisode = hours.filter((h) => h.start >= start && h.start <= resolvedAt);
  const peak = inEpisode.reduce<Bucket | null>((best, h) => (h.total > 0 && (!best || h.total > best.total) ? h : best), null);

  // The most-shared negative posts, masked where the PII detector found something; private messages never.
  const posts = await q<
    {
      id: string;
      posted_at: Date;
      author_handle: string | null;
      author_name: string | null;
      text: string;
      analysis: { pii?: { type: string; start: number; end: number }[] } | null;
      engagement: number;
      url: string | null;
    }[]
  >`
    select id, posted_at, author_handle, author_name, text, analysis, (likes + reposts + quotes + replies)::int as engagement, url
    from mentions where org_id = ${orgId} and sentiment_label = 'negative' and not is_private
      and posted_at >= ${start} and posted_at <= ${resolvedAt}
    order by likes + reposts + quotes + replies desc, posted_at, id limit ${KEY_POSTS}`;

  const tasks = await q<Pick<Row<'incident_tasks'>, 'id' | 'step_key' | 'title' | 'owner_role' | 'due_at' | 'status' | 'done_at'>[]>`
    select id, step_key, title, owner_role, due_at, status, done_at from incident_tasks
    where org_id = ${orgId} and incident_id = ${incident.id} order by due_at, id`;
  const deadlines = deadlineOutcomes(
    tasks.map((t) => ({
      id: t.id,
      stepKey: t.step_key,
      title: t.title,
      ownerRole: t.owner_role,
      dueAt: t.due_at,
      status: t.status,
      doneAt: t.done_at,
    })),
    resolvedAt,
  );
  const events = await q<Pick<Row<'incident_events'>, 'at' | 'kind' | 'actor_type' | 'actor_id' | 'data'>[]>`
    select at, kind, actor_type, actor_id, data from incident_events
    where org_id = ${orgId} and incident_id = ${incident.id} and kind not like 'postmortem_%' order by at, id`;
  const statements = await q<Pick<Row<'statements'>, 'id' | 'kind' | 'title' | 'body' | 'status' | 'approved_at' | 'published_at'>[]>`
    select id, kind, title, body, status, approved_at, published_at from statements
    where org_id = ${orgId} and incident_id = ${incident.id} order by id`;
  const people = await incidentPeople(q, incident);
  const statusChanges = events.filter((e) => e.kind === 'status_changed');

  return {
    generatedAt: now.toISOString(),
    incident: {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      status: incident.status,
      riskCategories: incident.risk_categories,
      detectedAt: incident.detected_at.toISOString(),
      acknowledgedAt: iso(incident.acknowledged_at),
      firstResponseAt: iso(incident.first_response_at),
      mitigatedAt: iso(incident.mitigated_at),
      resolvedAt: iso(incident.resolved_at),
      people,
    },
    alerts: alerts.map((a) => ({ id: a.id, severity: a.severity, openedAt: a.opened_at.toISOString(), summary: a.summary_ja })),
    episode: {
      start: start.toISOString(),
      firstAlertAt: firstAlertAt.toISOString(),
      alertRaisedAt: alertRaisedAt.toISOString(),
      firstNegativeAt: iso(first?.posted_at),
      end: resolvedAt.toISOString(),
      dataEnd: dataEnd.toISOString(),
      bucketMinutes: 60,
    },
    baseline: {
      from: baseline.from.toISOString(),
      to: baseline.to.toISOString(),
      total: baseline.total,
      negative: baseline.negative,
      share: baseline.share,
      negativePerHour: baseline.negativePerHour,
      bandZ: BAND_Z,
    },
    impact: {
      mentions: impact!.mentions,
      negative: impact!.negative,
      negativeShare: impact!.mentions > 0 ? impact!.negative / impact!.mentions : null,
      uniqueAuthors: impact!.authors,
      negativeAuthors: impact!.negative_authors,
      peakVolume: peak ? { count: peak.total, bucketStart: peak.start.toISOString() } : null,
      reach: { engagement: Number(impact!.engagement), views: impact!.views === null ? null : Number(impact!.views) },
      durationMs: resolvedAt.getTime() - start.getTime(),
    },
    recovery: { peakAt: iso(recovery.peakAt), peakNegative: recovery.peakNegative, recoveredAt: iso(recovery.recoveredAt) },
    metrics: responseMetrics({
      firstNegativeAt: first?.posted_at ?? null,
      firstAlertAt: alertRaisedAt,
      detectedAt: incident.detected_at,
      acknowledgedAt: incident.acknowledged_at,
      firstResponseAt: incident.first_response_at,
      resolvedAt: incident.resolved_at,
      recovery,
    }),
    deadlines: deadlines.map((d) => ({ ...d, dueAt: d.dueAt.toISOString(), doneAt: iso(d.doneAt) })),
    timeline: events.map((e) => ({
      at: e.at.toISOString(),
      kind: e.kind,
      actor: `${e.actor_type}${e.actor_id ? `:${e.actor_id}` : ''}`,
      data: e.data,
    })),
    statements: statements.map((s) => ({
      id: s.id,
      kind: s.kind,
      title: s.title,
      body: s.body,
      status: s.status,
      approvedAt: iso(s.approved_at),
      publishedAt: iso(s.published_at),
    })),
    resolvedOverOpenTasks: statusChanges
      .filter((e) => e.data.to === 'resolved' && Array.isArray(e.data.openRequiredTasks))
      .map((e) => ({
        at: e.at.toISOString(),
        actor: `${e.actor_type}${e.actor_id ? `:${e.actor_id}` : ''}`,
        reason: textOf(e.data.reason),
        tasks: (e.data.openRequiredTasks as { title?: unknown }[]).map((t) => textOf(t?.title)),
      })),
    relapses: statusChanges
      .filter((e) => e.data.transition === 'relapse')
      .map((e) => ({
        at: e.at.toISOString(),
        alertId: textOf(e.data.alertId),
        severity: typeof e.data.severity === 'number' ? e.data.severity : null,
      })),
    keyPosts: posts.map((p) => ({
      id: p.id,
      postedAt: p.posted_at.toISOString(),
      author: p.author_handle ?? p.author_name ?? '不明',
      text: maskPii(p.text, p.analysis?.pii ?? []),
      engagement: p.engagement,
      url: p.url,
    })),
  };
}

export async function incidentPeople(q: Q, incident: IncidentRow): Promise<PostmortemFacts['incident']['people']> {
  const ids = [incident.commander_id, incident.communications_id, incident.scribe_id].filter((x): x is string => x !== null);
  const users =
    ids.length === 0
      ? []
      : await q<Pick<Row<'users'>, 'id' | 'name'>[]>`
    select id, name from users where org_id = ${incident.org_id} and id in ${q(ids)}`;
  const who = (id: string | null) => (id === null ? null : (users.find((u) => u.id === id) ?? null));
  return { commander: who(incident.commander_id), communicationsLead: who(incident.communications_id), scribe: who(incident.scribe_id) };
}

/** Prose seeded from the facts; people replace it by editing. */
export function seedProse(f: PostmortemFacts): { summary: string; wentWell: string; wentBadly: string } {
  const well: string[] = [];
  const badly: string[] = [];
  for (const d of f.deadlines) {
    if (d.outcome === 'met') well.push(`- 「${d.title}」は期限内に完了しました。`);
    else if (d.outcome === 'late')
      badly.push(`- 「${d.title}」は期限を過ぎて完了しました（超過 ${Math.round((d.lateMs ?? 0) / 60_000)}分）。`);
    else if (d.outcome === 'missed') badly.push(`- 「${d.title}」は解決時点で未完了のまま期限を過ぎていました。`);
  }
  for (const r of f.resolvedOverOpenTasks ?? []) {
    badly.push(`- 必須タスク${r.tasks.map((t) => `「${t}」`).join('')}が未完了のまま解決されました（理由: ${r.reason}）。`);
  }
  if ((f.relapses ?? []).length > 0)
    badly.push(`- 解決後に再燃しました（${f.relapses!.length}回）。解決の判断が早すぎなかったか確認してください。`);
  if (f.metrics.timeToFirstStatementMs === null) badly.push('- 公式発表は出されていません。');
  if (f.recovery.recoveredAt === null) badly.push('- 否定的投稿の割合は、記録期間内に平常の範囲へ戻っていません。');
  const summary =
    `${f.incident.title}（深刻度 ${f.incident.severity}）。エピソード中の投稿 ${f.impact.mentions}件、` +
    `うち否定的 ${f.impact.negative}件、投稿者 ${f.impact.uniqueAuthors}人。`;
  return {
    summary,
    wentWell: well.join('\n') || '- （記入してください）',
    wentBadly: badly.join('\n') || '- （記入してください）',
  };
}
