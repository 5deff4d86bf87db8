import type { AuditActor } from '../audit/record.ts';
import { asJson, type Sql, type Tx } from '../db/connect.ts';
import type { Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { IncidentTimestamps } from './lifecycle.ts';

// The incident record every later stage reads and the timeline every stage writes to: the incident
// verbs (src/incidents), post-mortems, on-call and mail all import it, and it imports none of them,
// so the crisis workflow's arrows run one way (incidents → post-mortems, on-call → mail → here).

type Q = Sql | Tx;

export type IncidentRow = Row<'incidents'>;

export function incidentView(r: IncidentRow) {
  return {
    id: r.id,
    orgId: r.org_id,
    title: r.title,
    status: r.status,
    severity: r.severity,
    riskCategories: r.risk_categories,
    playbookVersion: r.playbook_version,
    roles: { commander: r.commander_role, communicationsLead: r.communications_role, scribe: r.scribe_role },
    /** The users holding the roles (ids; null: nobody named yet). */
    people: { commander: r.commander_id, communicationsLead: r.communications_id, scribe: r.scribe_id },
    detectedAt: r.detected_at,
    acknowledgedAt: r.acknowledged_at,
    firstResponseAt: r.first_response_at,
    mitigatedAt: r.mitigated_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export type IncidentView = ReturnType<typeof incidentView>;

export function timestampsOf(r: IncidentRow): IncidentTimestamps {
  return {
    detectedAt: r.detected_at,
    acknowledgedAt: r.acknowledged_at,
    firstResponseAt: r.first_response_at,
    mitigatedAt: r.mitigated_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
  };
}

export async function findIncident(q: Q, orgId: string, id: string): Promise<IncidentRow> {
  const [row] = await q<IncidentRow[]>`select * from incidents where org_id = ${orgId} and id = ${id}`;
  if (!row) throw new NotFoundError('インシデントが見つかりません (incident not found)');
  return row;
}

export type IncidentEventKind =
  | 'opened'
  | 'alert_attached'
  | 'alert_updated'
  | 'status_changed'
  | 'severity_changed'
  | 'tasks_added'
  | 'task_updated'
  | 'roles_changed'
  | 'note'
  | 'postmortem_drafted'
  | 'postmortem_edited'
  | 'postmortem_approved'
  | 'mail_queued'
  | 'mail_sent'
  | 'mail_failed'
  | 'acknowledged'
  | 'escalated'
  | 'task_overdue';

/** Every kind a timeline row may hold (statements and post-mortems append theirs too). */
export type StoredEventKind = Row<'incident_events'>['kind'];

export async function appendEvent(
  tx: Tx,
  e: { orgId: string; incidentId: string; at: Date; kind: IncidentEventKind; actor: AuditActor; data: Record<string, unknown> },
): Promise<void> {
  await tx`
    insert into incident_events (org_id, incident_id, at, kind, actor_type, actor_id, data)
    values (${e.orgId}, ${e.incidentId}, ${e.at}, ${e.kind}, ${e.actor.type}, ${e.actor.id}, ${tx.json(asJson(e.data))})`;
  logIncidentEvent(e.orgId, e.incidentId, e.kind, e.actor);
}

/**
 * Every timeline event at info, for operators following a crisis in the logs: who did what to
 * which incident. Not the event's data — notes and reasons can name patients.
 */
export function logIncidentEvent(orgId: string, incidentId: string, kind: string, actor: AuditActor): void {
  logger.info({ orgId, incidentId, event: kind, actor: `${actor.type}:${actor.id ?? ''}` }, `incident ${incidentId}: ${kind}`);
}
