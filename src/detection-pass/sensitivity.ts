import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { Sql } from '../db/connect.ts';
import { sensitivities, type Sensitivity } from '../detection/index.ts';
import { NotFoundError } from '../errors.ts';

export interface DetectionSettingsView {
  sensitivity: Sensitivity;
}

function viewOf(row: { s: string | null } | undefined, orgId: string): DetectionSettingsView {
  if (!row) throw new NotFoundError(`organization ${orgId} not found`);
  return { sensitivity: (sensitivities as readonly string[]).includes(row.s ?? '') ? (row.s as Sensitivity) : 'balanced' };
}

export async function getDetectionSettings(sql: Sql, orgId: string): Promise<DetectionSettingsView> {
  const [row] = await sql<
    { s: string | null }[]
  >`select settings -> 'detection' ->> 'sensitivity' as s from organizations where id = ${orgId}`;
  return viewOf(row, orgId);
}

/**
 * Changes how readily an organization is alerted. Learned baselines are kept (the detectors'
 * state does not depend on sensitivity), so the change applies from the next bucket on.
 */
export async function setDetectionSettings(
  sql: Sql,
  orgId: string,
  next: DetectionSettingsView,
  actor: AuditActor,
): Promise<DetectionSettingsView> {
  return sql.begin(async (tx) => {
    const [row] = await tx<
      { s: string | null }[]
    >`select settings -> 'detection' ->> 'sensitivity' as s from organizations where id = ${orgId} for update`;
    const before = viewOf(row, orgId);
    await tx`
      update organizations
      set settings = settings || jsonb_build_object('detection',
        case when jsonb_typeof(settings -> 'detection') = 'object' then settings -> 'detection' else '{}'::jsonb end
        || jsonb_build_object('sensitivity', ${next.sensitivity}::text))
      where id = ${orgId}`;
    await recordAudit(tx, actor, {
      orgId,
      action: 'detection.configure',
      targetType: 'organization',
      targetId: orgId,
      before,
      after: next,
    });
    return next;
  }) as Promise<DetectionSettingsView>;
}
