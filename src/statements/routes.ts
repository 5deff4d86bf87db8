import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.ts';
import { requestActor } from '../http/actor.ts';
import { orgIdParam, pathId, queryOf, readJson } from '../http/params.ts';
import { findIncident } from '../incident-record/incident.ts';
import { object } from '../validation.ts';
import { approveStatement, parseApproveStatementInput } from './approve-statement.ts';
import { checkStoredStatement, checkText, parseCheckTextInput } from './check-statement.ts';
import { createStatement, parseCreateStatementInput } from './create-statement.ts';
import { editStatement, parseEditStatementInput } from './edit-statement.ts';
import { statementKinds, statementStatuses } from './lifecycle.ts';
import { parsePublishStatementInput, publishStatement } from './publish-statement.ts';
import { getStatement, listStatements } from './queries.ts';
import { parseReasonInput, rejectStatement } from './reject-statement.ts';
import { submitStatement } from './submit-statement.ts';
import { statementTemplates } from './templates.ts';
import { withdrawStatement } from './withdraw-statement.ts';
import type { AppEnv } from '../http/env.ts';

/** Statements (holding statement, apology, review reply), their checker and approval under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function statementRoutes(ctx: AppContext) {
  const r = new Hono<AppEnv>();
  const base = '/organizations/:orgId';
  const one = `${base}/incidents/:incidentId/statements/:statementId`;
  const ids = async (c: Context) => [orgIdParam(c), pathId(c, 'incidentId'), pathId(c, 'statementId')] as const;
  // POSTs that take nothing or only optional fields: no body at all, or a JSON object.
  const optionalJson = async (c: Context): Promise<unknown> =>
    (!c.req.header('content-type') && (await c.req.text()) === '' ? {} : readJson(c));
  const emptyBody = async (c: Context) => {
    object(await optionalJson(c), []);
  };

  r.get(`${base}/statement-templates`, async (c) => {
    queryOf(c, []);
    orgIdParam(c);
    return c.json({ items: statementTemplates });
  });
  r.post(`${base}/statement-checks`, async (c) => {
    orgIdParam(c);
    return c.json(await checkText(parseCheckTextInput(await readJson(c))));
  });

  r.get(`${base}/incidents/:incidentId/statements`, async (c) => {
    const q = queryOf(c, ['status', 'kind']);
    const orgId = orgIdParam(c);
    const incidentId = pathId(c, 'incidentId');
    await findIncident(ctx.sql, orgId, incidentId);
    return c.json({ items: await listStatements(ctx.sql, orgId, incidentId, { status: q.oneOf('status', statementStatuses), kind: q.oneOf('kind', statementKinds) }) });
  });
  r.post(`${base}/incidents/:incidentId/statements`, async (c) => {
    const orgId = orgIdParam(c);
    return c.json(await createStatement(ctx, orgId, pathId(c, 'incidentId'), parseCreateStatementInput(await readJson(c)), requestActor(c)), 201);
  });
  r.get(one, async (c) => {
    queryOf(c, []);
    return c.json(await getStatement(ctx.sql, ...(await ids(c))));
  });
  r.patch(one, async (c) => c.json(await editStatement(ctx, ...(await ids(c)), parseEditStatementInput(await readJson(c)), requestActor(c))));
  r.post(`${one}/check`, async (c) => {
    await emptyBody(c);
    return c.json(await checkStoredStatement(ctx, ...(await ids(c)), requestActor(c)));
  });
  r.post(`${one}/submit`, async (c) => {
    await emptyBody(c);
    return c.json(await submitStatement(ctx, ...(await ids(c)), requestActor(c)));
  });
  r.post(`${one}/approve`, async (c) => c.json(await approveStatement(ctx, ...(await ids(c)), parseApproveStatementInput(await readJson(c)), requestActor(c))));
  r.post(`${one}/reject`, async (c) => c.json(await rejectStatement(ctx, ...(await ids(c)), parseReasonInput(await readJson(c)), requestActor(c))));
  r.post(`${one}/publish`, async (c) => {
    const input = parsePublishStatementInput(await optionalJson(c));
    return c.json(await publishStatement(ctx, ...(await ids(c)), input, requestActor(c)));
  });
  r.post(`${one}/withdraw`, async (c) => c.json(await withdrawStatement(ctx, ...(await ids(c)), parseReasonInput(await readJson(c)), requestActor(c))));
  return r;
}
