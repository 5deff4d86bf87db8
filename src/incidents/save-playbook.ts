import { asJson } from '../db/connect.ts';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { advisoryKey, lockNames } from '../db/locks.ts';
import type { Row } from '../db/schema.ts';
import type { Playbook, PlaybookStep } from './playbook.ts';

/**
 * Saves the org's playbook as a new version. Incidents keep the version they opened with, so an
 * edit never rewrites the plan of an incident in progress.
 */
export async function savePlaybook(ctx: AppContext, orgId: string, input: { steps: PlaybookStep[] }, actor: AuditActor): Promise<Playbook> {
  return ctx.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${advisoryKey(lockNames.playbook(orgId))}::bigint)`;
    const [row] = await tx<Pick<Row<'playbook_versions'>, 'version'>[]>`
      insert into playbook_versions (org_id, version, steps, created_by)
      select ${orgId}, coalesce(max(version), 0) + 1, ${tx.json(asJson(input.steps))}, ${`${actor.type}:${actor.id ?? ''}`}
      from playbook_versions where org_id = ${orgId}
      returning version`;
    await recordAudit(tx, actor, {
      orgId,
      action: 'playbook.save',
      targetType: 'playbook',
      targetId: String(row!.version),
      after: { version: row!.version, steps: input.steps.map((s) => s.key) },
    });
    return { version: row!.version, steps: input.steps };
  });
}
