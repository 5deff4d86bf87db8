import { composeAlertMail, type ComposedMail } from '../notify/compose-alert-mail.ts';
import { enqueueIncidentMails, type IncidentMailConfig } from '../notify/enqueue-incident-mails.ts';
import { alertingSettingsOf } from '../notify/recipients.ts';
import { lockAuditChain, recordAudit, systemActor } from '../audit/record.ts';
import { logger } from '../logger.ts';
import { asJson, type Sql, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { policyOf, resolveTargets, type Level } from './policy.ts';
import { appendEvent } from '../incident-record/incident.ts';

/** postgres NOTIFY channel: an escalation started or changed; wakes every worker. */
export const ESCALATION_CHANNEL = 'hinoko_escalation';

/** The next step after (round, level) timed out, or null when the policy is exhausted. */
export function nextStep(levels: number, repeat: number, round: number, level: number): { round: number; level: number } | null {
  if (level < levels) return { round, level: level + 1 };
  if (round < repeat) return { round: round + 1, level: 1 };
  return null;
}

/** The dedupe key of a level's pages, less the recipient (`:to:<address>` follows). */
export function pageDedupePrefix(incidentId: string, round: number, level: number, wave = 1): string {
  return wave > 1 ? `page:${incidentId}:w${wave}:r${round}:l${level}` : `page:${incidentId}:r${round}:l${level}`;
}

/** Where a level's pages stand: the first delivery, and how many are still being tried. */
export interface LevelDelivery {
  /** When the level's timeout ends counted from queueing (incident_escalations.next_at). */
  nextAt: Date;
  timeoutMs: number;
  /** sent_at of the level's first page to go out; null while none has. */
  firstSentAt: Date | null;
  /** Pages still pending or sending. */
  undelivered: number;
}

/**
 * When a level times out (issue 12 item 8): its timeout counts from the delivery of its page, not
 * from queueing — during an SMTP outage the people paged had not been told yet, and an operator
 * saw level 2 paged 8 minutes after level 1's page arrived instead of 15. With several recipients
 * the first delivery starts the clock: from then on someone at this level could acknowledge, and
 * a recipient whose mail keeps failing must not hold the escalation back. Null: not delivered
 * and still being tried — no timeout runs yet. Pages that failed for good (or a level that paged
 * nobody) count from queueing, as before; so does any clock skew that would make it earlier.
 */
export function levelTimesOutAt(d: LevelDelivery): Date | null {
  if (d.firstSentAt !== null) return new Date(Math.max(d.nextAt.getTime(), d.firstSentAt.getTime() + d.timeoutMs));
  if (d.undelivered > 0) return null;
  return d.nextAt;
}

/**
 * The current level's pages, for a query over incident_escalations e (as p.first_sent_at,
 * p.undelivered). The key pattern is pageDedupePrefix's; mail_outbox_incident_idx serves it.
 */
function levelPages(q: Sql | Tx) {
  return q`
    cross join lateral (
      select min(o.sent_at) as first_sent_at, count(*) filter (where o.status in ('pending', 'sending'))::int as undelivered
      from mail_outbox o
      where o.org_id = e.org_id and o.incident_id = e.incident_id
        and o.dedupe_key like 'page:' || e.incident_id || case when e.wave > 1 then ':w' || e.wave else '' end
          || ':r' || e.round || ':l' || e.level || ':to:%'
    ) p`;
}

/** The mail for a page about an incident: its most severe alert's explanation, the incident's severity. */
export async function incidentPageComposer(
  tx: Tx,
  orgId: string,
  incidentId: string,
  publicUrl: string,
  note: string | null,
): Promise<(ackUrl: string | null) => ComposedMail> {
  const [row] = await tx<
    {
      org_name: string;
      severity: number;
      title: string;
      detected_at: Date;
      alert_id: string | null;
      kind: string | null;
      summary_ja: string | null;
      explanation: unknown;
      opened_at: Date | null;
      target_name: string | null;
    }[]
  >`
    select o.name as org_name, i.severity, i.title, i.detected_at, a.id as alert_id, a.kind, a.summary_ja, a.explanation, a.opened_at, w.name as target_name
    from incidents i join organizations o on o.id = i.org_id
    left join lateral (
      select a.* from incident_alerts ia join alerts a on a.org_id = ia.org_id and a.id = ia.alert_id
      where ia.org_id = i.org_id and ia.incident_id = i.id order by a.severity desc, a.id desc limit 1) a on true
    left join watch_targets w on w.org_id = a.org_id and w.id = a.watch_target_id
    where i.org_id = ${orgId} and i.id = ${incidentId}`;
  const r = row!;
  return (ackUrl) =>
    composeAlertMail({
      orgId,
      orgName: r.org_name,
      targetName: r.target_name,
      alertId: r.alert_id ?? '',
      action: 'open',
      kind: r.kind ?? 'crisis',
      severity: r.severity,
      summary: r.summary_ja ?? r.title,
      explanation: r.explanation ?? {},
      at: r.opened_at ?? r.detected_at,
      dashboardUrl: publicUrl,
      incidentId,
      ackUrl,
      note,
    });
}

function levelNote(round: number, level: number, levels: number): string {
  const where = levels > 1 ? `エスカレーション第${level}段階` : '第1報';
  return round > 1
    ? `【${where}・${round}巡目】まだ誰も受領確認していません。`
    : level > 1
      ? `【${where}】前の段階の担当者から受領確認がありません。`
      : `【${where}】`;
}

async function pageLevel(
  tx: Tx,
  cfg: IncidentMailConfig,
  orgId: string,
  incidentId: string,
  levels: Level[],
  round: number,
  level: number,
  wave: number,
): Promise<string[]> {
  let recipients = await resolveTargets(tx, orgId, levels[level - 1]!.targets, cfg.now);
  if (recipients.length === 0) {
    // Nobody on call (an empty rotation, a disabled user): a page must not vanish, so it goes to
    // the organisation's static recipients instead.
    const [org] = await tx<Pick<Row<'organizations'>, 'settings'>[]>`select settings from organizations where id = ${orgId}`;
    recipients = alertingSettingsOf(org?.settings).recipients.map((address) => ({ address, userId: null }));
    logger.warn(
      { orgId, incidentId, round, level, fallback: recipients.length },
      'エスカレーション先が見つからないため通知先設定に送ります (no one to page at this level: static recipients instead)',
    );
  }
  const note = levelNote(round, level, levels.length);
  const compose = await incidentPageComposer(
    tx,
    orgId,
    incidentId,
    cfg.publicUrl,
    wave > 1 ? `【再燃・第${wave}波】解決済みのインシデントが再び拡大しています。${note ?? ''}` : note,
  );
  const [incident] = await tx<
    Pick<Row<'incidents'>, 'severity'>[]
  >`select severity from incidents where org_id = ${orgId} and id = ${incidentId}`;
  return enqueueIncidentMails(tx, cfg, {
    orgId,
    incidentId,
    recipients,
    dedupePrefix: pageDedupePrefix(incidentId, round, level, wave),
    withAck: true,
    compose,
    severity: incident?.severity ?? null,
    purpose: { purpose: 'page', round, level },
  });
}

/**
 * Called in the transaction that opened the incident: with an escalation policy, level 1 is
 * paged now and the escalation waits for its timeout. Returns false when the org has no policy
 * (the caller mails the static recipients instead). Idempotent per incident.
 */
export async function startEscalation(tx: Tx, cfg: IncidentMailConfig, orgId: string, incidentId: string, wave = 1): Promise<boolean> {
  const policy = await policyOf(tx, orgId);
  if (!policy) return false;
  // A relapse's wave restarts the escalation from level 1 under the policy of now; the same wave
  // again (a replayed pass) changes nothing.
  const [row] = await tx<Pick<Row<'incident_escalations'>, 'incident_id'>[]>`
    insert into incident_escalations (org_id, incident_id, levels, repeat, round, level, status, next_at, created_at, wave)
    values (${orgId}, ${incidentId}, ${tx.json(asJson(policy.levels))}, ${policy.repeat}, 1, 1, 'active',
      ${new Date(cfg.now.getTime() + policy.levels[0]!.timeoutMinutes * 60_000)}, ${cfg.now}, ${wave})
    on conflict (org_id, incident_id) do update set
      levels = excluded.levels, repeat = excluded.repeat, round = 1, level = 1, status = 'active',
      next_at = excluded.next_at, created_at = excluded.created_at, wave = excluded.wave
      where incident_escalations.wave < excluded.wave
    returning incident_id`;
  if (!row) return true;
  const to = await pageLevel(tx, cfg, orgId, incidentId, policy.levels, 1, 1, wave);
  const data = { round: 1, level: 1, to, ...(wave > 1 ? { wave } : {}) };
  await appendEvent(tx, { orgId, incidentId, at: cfg.now, kind: 'escalated', actor: systemActor, data });
  await recordAudit(
    tx,
    systemActor,
    { orgId, action: 'incident.escalate', targetType: 'incident', targetId: incidentId, after: data },
    cfg.now,
  );
  await tx`select pg_notify(${ESCALATION_CHANNEL}, ${orgId})`;
  return true;
}

/** The escalation (due, so next_at is set), its incident's state, and how its current level's pages went. */
type EscalationRow = Pick<Row<'incident_escalations'>, 'org_id' | 'incident_id' | 'repeat' | 'round' | 'level' | 'wave' | 'created_at'> & {
  levels: Level[];
  next_at: Date;
  incident_status: Row<'incidents'>['status'];
  acknowledged_at: Row<'incidents'>['acknowledged_at'];
  first_sent_at: Date | null;
  undelivered: number;
};

/**
 * Escalations whose level may have timed out at `now`, across orgs (the worker's scan; not
 * locked): due counted from queueing, and not waiting for the level's page to reach anyone —
 * those stay out of the scan (and its limit) until a page goes out or fails for good.
 * advanceEscalation decides under the lock.
 */
export async function dueEscalations(sql: Sql, now: Date, limit = 50): Promise<{ org_id: string; incident_id: string }[]> {
  return sql<Pick<Row<'incident_escalations'>, 'org_id' | 'incident_id'>[]>`
    select e.org_id, e.incident_id from incident_escalations e
    ${levelPages(sql)}
    where e.status = 'active' and e.next_at <= ${now} and not (p.first_sent_at is null and p.undelivered > 0)
    order by e.next_at limit ${limit}`;
}

/**
 * Advances one escalation if its level has timed out at `cfg.now`: pages the next level, or
 * marks it exhausted. Lock order as every incident write: the org's audit chain first, then the
 * row (FOR UPDATE SKIP LOCKED), and the move is an update conditional on (round, level, status):
 * two workers never page the same level, and the outbox dedupe key would drop a repeat anyway.
 * Returns whether a level was paged.
 */
export async function advanceEscalation(tx: Tx, cfg: IncidentMailConfig, orgId: string, incidentId: string): Promise<boolean> {
  await lockAuditChain(tx, orgId);
  const [e] = await tx<EscalationRow[]>`
    select e.org_id, e.incident_id, e.levels, e.repeat, e.round, e.level, e.next_at, e.wave, e.created_at, i.status as incident_status, i.acknowledged_at,
      p.first_sent_at, p.undelivered
    from incident_escalations e join incidents i on i.org_id = e.org_id and i.id = e.incident_id
    ${levelPages(tx)}
    where e.org_id = ${orgId} and e.incident_id = ${incidentId} and e.status = 'active' and e.next_at <= ${cfg.now}
    for update of e skip locked`;
  if (!e) return false;
  // Acknowledged during this wave: an acknowledgement of the first wave does not answer a relapse.
  const acknowledged = e.acknowledged_at !== null && e.acknowledged_at >= e.created_at;
  if (acknowledged || !['triage', 'active', 'stable'].includes(e.incident_status)) {
    await tx`update incident_escalations set status = ${acknowledged ? 'acknowledged' : 'closed'}, next_at = null
      where org_id = ${orgId} and incident_id = ${incidentId} and status = 'active'`;
    return false;
  }
  const timesOutAt = levelTimesOutAt({
    nextAt: e.next_at,
    timeoutMs: e.levels[e.level - 1]!.timeoutMinutes * 60_000,
    firstSentAt: e.first_sent_at,
    undelivered: e.undelivered,
  });
  if (timesOutAt === null) return false;
  if (timesOutAt > cfg.now) {
    // The page went out late: the level's timeout ends later than queueing said. next_at says so
    // from now on, which also keeps the escalation out of the worker's scan until then.
    await tx`update incident_escalations set next_at = ${timesOutAt}
      where org_id = ${orgId} and incident_id = ${incidentId} and status = 'active' and round = ${e.round} and level = ${e.level}`;
    return false;
  }
  const step = nextStep(e.levels.length, e.repeat, e.round, e.level);
  if (!step) {
    const [done] = await tx`update incident_escalations set status = 'exhausted', next_at = null
      where org_id = ${orgId} and incident_id = ${incidentId} and status = 'active' and round = ${e.round} and level = ${e.level} returning 1`;
    if (done) {
      await recordAudit(
        tx,
        systemActor,
        { orgId, action: 'incident.escalation_exhausted', targetType: 'incident', targetId: incidentId, after: { rounds: e.repeat } },
        cfg.now,
      );
    }
    return false;
  }
  const nextAt = new Date(cfg.now.getTime() + e.levels[step.level - 1]!.timeoutMinutes * 60_000);
  const [moved] = await tx`
    update incident_escalations set round = ${step.round}, level = ${step.level}, next_at = ${nextAt}
    where org_id = ${orgId} and incident_id = ${incidentId} and status = 'active' and round = ${e.round} and level = ${e.level}
    returning 1`;
  if (!moved) return false;
  const to = await pageLevel(tx, cfg, orgId, incidentId, e.levels, step.round, step.level, e.wave);
  const data = { ...step, to, ...(e.wave > 1 ? { wave: e.wave } : {}) };
  await appendEvent(tx, { orgId, incidentId, at: cfg.now, kind: 'escalated', actor: systemActor, data });
  await recordAudit(
    tx,
    systemActor,
    { orgId, action: 'incident.escalate', targetType: 'incident', targetId: incidentId, after: data },
    cfg.now,
  );
  return true;
}

/** Where an incident's escalation stands, for its page: null when nobody was ever paged. */
export async function escalationOf(
  sql: Sql,
  orgId: string,
  incidentId: string,
): Promise<{ status: string; level: number; levels: number; round: number; nextAt: Date | null } | null> {
  const [row] = await sql<(Pick<Row<'incident_escalations'>, 'status' | 'level' | 'round' | 'next_at'> & { levels: number })[]>`
    select status, level, round, next_at, jsonb_array_length(levels)::int as levels
    from incident_escalations where org_id = ${orgId} and incident_id = ${incidentId}
    order by wave desc limit 1`;
  return row ? { status: row.status, level: row.level, levels: row.levels, round: row.round, nextAt: row.next_at } : null;
}
