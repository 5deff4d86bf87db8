import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.ts';
import { requestActor } from '../http/actor.ts';
import { pathId, queryOf, readJson } from '../http/params.ts';
import { getOrganization } from '../organizations/organizations.ts';
import { approvePostmortem, parseApprovePostmortemInput } from './approve-postmortem.ts';
import { regeneratePostmortem } from './draft-postmortem.ts';
import { editPostmortem, parseEditPostmortemInput } from './edit-postmortem.ts';
import { getPostmortem } from './queries.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import { incidentReport, renderReportHtml, reportRange } from './report.ts';
import type { AppEnv } from '../http/env.ts';

// Exports hold post texts and internal notes: not kept by shared caches. The app-wide secure
// headers (src/http/app.ts) give the pages a CSP without inline scripts and nosniff.
const pageHeaders = { 'cache-control': 'private, no-store' };

/** Post-mortems and the org report under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function postmortemRoutes(ctx: AppContext) {
  const r = new Hono<AppEnv>();
  const base = '/organizations/:orgId';
  const pm = `${base}/incidents/:incidentId/postmortem`;
  const org = async (c: Context) => {
    const orgId = pathId(c, 'orgId');
    return { orgId, org: await getOrganization(ctx.db, orgId) };
  };

  r.get(pm, async (c) => c.json(await getPostmortem(ctx.sql, (await org(c)).orgId, pathId(c, 'incidentId'))));
  r.patch(pm, async (c) =>
    c.json(await editPostmortem(ctx, (await org(c)).orgId, pathId(c, 'incidentId'), parseEditPostmortemInput(await readJson(c)), requestActor(c))));
  r.post(`${pm}/regenerate`, async (c) => c.json(await regeneratePostmortem(ctx, (await org(c)).orgId, pathId(c, 'incidentId'), requestActor(c))));
  r.post(`${pm}/approve`, async (c) =>
    c.json(await approvePostmortem(ctx, (await org(c)).orgId, pathId(c, 'incidentId'), parseApprovePostmortemInput(await readJson(c)), requestActor(c))));
  r.get(`${pm}.md`, async (c) => {
    queryOf(c, []);
    const { orgId, org: o } = await org(c);
    const md = renderMarkdown(await getPostmortem(ctx.sql, orgId, pathId(c, 'incidentId')), o.name);
    return c.body(md, 200, { ...pageHeaders, 'content-type': 'text/markdown; charset=utf-8' });
  });
  r.get(`${pm}.html`, async (c) => {
    queryOf(c, []);
    const { orgId, org: o } = await org(c);
    return c.body(renderHtml(await getPostmortem(ctx.sql, orgId, pathId(c, 'incidentId')), o.name), 200, { ...pageHeaders, 'content-type': 'text/html; charset=utf-8' });
  });
  const report = async (c: Context) => {
    const q = queryOf(c, ['from', 'to']);
    const { orgId, org: o } = await org(c);
    return { report: await incidentReport(ctx.sql, orgId, reportRange(q.time('from'), q.time('to'), ctx.now())), orgName: o.name };
  };
  r.get(`${base}/reports/incidents`, async (c) => c.json((await report(c)).report));
  r.get(`${base}/reports/incidents.html`, async (c) => {
    const { report: rep, orgName } = await report(c);
    return c.body(renderReportHtml(rep, orgName), 200, { ...pageHeaders, 'content-type': 'text/html; charset=utf-8' });
  });
  return r;
}
