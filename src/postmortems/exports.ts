import type { AppContext } from '../context.ts';
import { getOrganization } from '../organizations/organizations.ts';
import { getPostmortem } from './queries.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import { listUsers, nameOf } from '../auth/users.ts';
import { incidentReport, renderReportHtml } from './report.ts';

// The forms a person downloads or prints: the post-mortem as Markdown or a print page, and the org
// report as a print page. Each carries the organization's name, which the JSON answers do not.

export async function exportPostmortem(ctx: AppContext, orgId: string, incidentId: string, format: 'markdown' | 'html'): Promise<string> {
  const [org, postmortem, users] = await Promise.all([
    getOrganization(ctx.db, orgId),
    getPostmortem(ctx.sql, orgId, incidentId),
    listUsers(ctx.sql, orgId),
  ]);
  const name = nameOf(users);
  return format === 'markdown' ? renderMarkdown(postmortem, org.name, name) : renderHtml(postmortem, org.name, name);
}

export async function exportIncidentReport(ctx: AppContext, orgId: string, range: { from: Date; to: Date }): Promise<string> {
  const org = await getOrganization(ctx.db, orgId);
  return renderReportHtml(await incidentReport(ctx.sql, orgId, range), org.name);
}
