import { lockAuditChain, recordAudit, type AuditActor } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { findIncident } from '../incident-record/incident.ts';
import { getOrganization } from '../organizations/organizations.ts';
import type { StatementKind } from './lifecycle.ts';
import {
  actorKey,
  appendStatementEvent,
  insertVersion,
  statementView,
  textDigest,
  type StatementRow,
  type StatementView,
} from './queries.ts';
import { fillTemplate, findTemplate, templateValues } from './templates.ts';

export const maxTitleChars = 200;
export const maxBodyChars = 10_000;

export interface CreateStatementInput {
  kind: StatementKind;
  /** A template key; without title and body the kind's default template is used. */
  template?: string;
  title?: string;
  body?: string;
}

/**
 * A new draft on an incident: the text given, or a template filled from the organization and
 * the incident (what is missing — title or body — comes from the template). The author is the
 * actor; version 1 is stored as the first version.
 */
export async function createStatement(
  ctx: AppContext,
  orgId: string,
  incidentId: string,
  input: CreateStatementInput,
  actor: AuditActor,
): Promise<StatementView> {
  const now = ctx.now();
  const org = await getOrganization(ctx.db, orgId);
  return ctx.sql.begin(async (tx) => {
    const incident = await findIncident(tx, orgId, incidentId);
    if (incident.status === 'cancelled')
      throw new ConflictError('取り消されたインシデントには声明文を作成できません (incident is cancelled)');
    const useTemplate = input.template !== undefined || input.title === undefined || input.body === undefined;
    const template = useTemplate ? findTemplate(input.kind, input.template) : null;
    const values = templateValues(org.name, incident.detected_at, now);
    const title = input.title ?? fillTemplate(template!.title, values).slice(0, maxTitleChars);
    const body = input.body ?? fillTemplate(template!.body, values).slice(0, maxBodyChars);
    const author = actorKey(actor);
    await lockAuditChain(tx, orgId);
    const [row] = await tx<StatementRow[]>`
      insert into statements (org_id, incident_id, kind, title, body, status, version, template_key, author_id, created_at, updated_at)
      values (${orgId}, ${incidentId}, ${input.kind}, ${title}, ${body}, 'draft', 1, ${template?.key ?? null}, ${author}, ${now}, ${now})
      returning *`;
    await insertVersion(tx, { orgId, statementId: row!.id, version: 1, title, body, editedBy: author, at: now });
    await appendStatementEvent(tx, {
      row: row!,
      at: now,
      kind: 'statement_drafted',
      actor,
      data: { template: template?.key ?? null, title },
    });
    await recordAudit(
      tx,
      actor,
      {
        orgId,
        action: 'statement.create',
        targetType: 'statement',
        targetId: row!.id,
        after: { incidentId, kind: input.kind, template: template?.key ?? null, version: 1, digest: textDigest(title, body) },
      },
      now,
    );
    return statementView(row!);
  }) as Promise<StatementView>;
}
