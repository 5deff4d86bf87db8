import type { AuditActor } from '../audit/record.ts';
import type { Tx } from '../db/connect.ts';

// Timeline rows written by on-call mail and escalation (kinds allowed by 006_users.sql).
export type OncallEventKind = 'mail_queued' | 'mail_sent' | 'mail_failed' | 'acknowledged' | 'escalated' | 'task_overdue';

export async function appendOncallEvent(
  tx: Tx, e: { orgId: string; incidentId: string; at: Date; kind: OncallEventKind; actor: AuditActor; data: Record<string, unknown> },
): Promise<void> {
  await tx`
    insert into incident_events (org_id, incident_id, at, kind, actor_type, actor_id, data)
    values (${e.orgId}, ${e.incidentId}, ${e.at}, ${e.kind}, ${e.actor.type}, ${e.actor.id}, ${tx.json(e.data as never)})`;
}
