import { createHash } from 'node:crypto';
import type { AuditActor } from '../audit/record.ts';
import { asJson, type Sql, type Tx } from '../db/connect.ts';
import type { Narrowed, Row } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { logIncidentEvent } from '../incident-record/incident.ts';
import type { StatementKind, StatementStatus } from './lifecycle.ts';
import type { StatementFinding } from './run-checker.ts';

// The statements repository: rows in, plain views out. Verbs own the transactions.

type Q = Sql | Tx;

export interface Override {
  findingId: string;
  rule: string;
  excerpt: string;
  reason: string;
}

export type StatementRow = Narrowed<Row<'statements'>, { overrides: Override[]; findings: StatementFinding[] }>;

export function statementView(r: StatementRow) {
  return {
    id: r.id,
    orgId: r.org_id,
    incidentId: r.incident_id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    status: r.status,
    version: r.version,
    templateKey: r.template_key,
    authorId: r.author_id,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    overrides: r.overrides,
    rejectedBy: r.rejected_by,
    rejectedAt: r.rejected_at,
    rejectReason: r.reject_reason,
    publishedAt: r.published_at,
    withdrawnAt: r.withdrawn_at,
    withdrawReason: r.withdraw_reason,
    findings: r.findings,
    checkedAt: r.checked_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export type StatementView = ReturnType<typeof statementView>;

/**
 * Who an actor is, as stored in author_id / approved_by / edited_by. A user is its id; anything
 * else is prefixed with its type, so a CLI or token actor can never equal a user.
 */
export function actorKey(actor: AuditActor): string {
  return actor.type === 'user' && actor.id ? actor.id : `${actor.type}:${actor.id ?? ''}`;
}

/** The statement, which must belong to the incident (a mismatched pair is 404, not someone else's row). */
export async function findStatement(q: Q, orgId: string, incidentId: string, id: string): Promise<StatementRow> {
  const [row] = await q<StatementRow[]>`
    select * from statements where org_id = ${orgId} and incident_id = ${incidentId} and id = ${id}`;
  if (!row) throw new NotFoundError('声明文が見つかりません (statement not found)');
  return row;
}

export async function listStatements(
  sql: Sql,
  orgId: string,
  incidentId: string,
  f: { status?: StatementStatus; kind?: StatementKind } = {},
) {
  const rows = await sql<StatementRow[]>`
    select * from statements where org_id = ${orgId} and incident_id = ${incidentId}
      ${f.status ? sql`and status = ${f.status}` : sql``} ${f.kind ? sql`and kind = ${f.kind}` : sql``}
    order by id`;
  return rows.map(statementView);
}

/** One statement with every version of its text. */
export async function getStatement(sql: Sql, orgId: string, incidentId: string, id: string) {
  const statement = statementView(await findStatement(sql, orgId, incidentId, id));
  type Version = Pick<Row<'statement_versions'>, 'version' | 'title' | 'body'> & {
    editedBy: Row<'statement_versions'>['edited_by'];
    editedAt: Row<'statement_versions'>['edited_at'];
  };
  const versions = await sql<Version[]>`
    select version, title, body, edited_by as "editedBy", edited_at as "editedAt"
    from statement_versions where org_id = ${orgId} and statement_id = ${id} order by version`;
  return { ...statement, versions };
}

/** Everyone who wrote a version of the statement (the author and every editor). */
export async function writersOf(q: Q, orgId: string, statementId: string): Promise<Set<string>> {
  const rows = await q<Pick<Row<'statement_versions'>, 'edited_by'>[]>`
    select distinct edited_by from statement_versions where org_id = ${orgId} and statement_id = ${statementId}`;
  return new Set(rows.map((r) => r.edited_by));
}

export async function insertVersion(
  tx: Tx,
  v: { orgId: string; statementId: string; version: number; title: string; body: string; editedBy: string; at: Date },
): Promise<void> {
  await tx`
    insert into statement_versions (org_id, statement_id, version, title, body, edited_by, edited_at)
    values (${v.orgId}, ${v.statementId}, ${v.version}, ${v.title}, ${v.body}, ${v.editedBy}, ${v.at})`;
}

export type StatementEventKind =
  | 'statement_drafted'
  | 'statement_edited'
  | 'statement_checked'
  | 'statement_submitted'
  | 'statement_approved'
  | 'statement_rejected'
  | 'statement_published'
  | 'statement_withdrawn';

/** A statement event on its incident's timeline (incident_events is append-only). */
export async function appendStatementEvent(
  tx: Tx,
  e: {
    row: Pick<StatementRow, 'org_id' | 'incident_id' | 'id' | 'kind' | 'version'>;
    at: Date;
    kind: StatementEventKind;
    actor: AuditActor;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  const data = { statementId: e.row.id, statementKind: e.row.kind, version: e.row.version, ...e.data };
  await tx`
    insert into incident_events (org_id, incident_id, at, kind, actor_type, actor_id, data)
    values (${e.row.org_id}, ${e.row.incident_id}, ${e.at}, ${e.kind}, ${e.actor.type}, ${e.actor.id}, ${tx.json(asJson(data))})`;
  logIncidentEvent(e.row.org_id, e.row.incident_id, e.kind, e.actor);
}

/** Counts by severity and the rules that fired: what the timeline and audit carry (not the text). */
/** Counts by severity and the rules found, for audit rows and events (statements and posts alike). */
export function findingsSummary(findings: readonly { severity: string; rule: string }[]) {
  return {
    block: findings.filter((f) => f.severity === 'block').length,
    warn: findings.filter((f) => f.severity === 'warn').length,
    rules: [...new Set(findings.map((f) => f.rule))].sort(),
  };
}

/** A fingerprint of a text for the audit log: proves which words were approved without copying them. */
export function textDigest(title: string, body: string): string {
  return createHash('sha256').update(title).update('\0').update(body).digest('hex');
}
