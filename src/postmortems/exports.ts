import type { AppContext } from '../context.ts';
import { getOrganization } from '../organizations/organizations.ts';
import { getPostmortem } from './queries.ts';
import { renderHtml, renderMarkdown, type PeopleNames } from './render.ts';
import { listUsers } from '../auth/users.ts';
import { incidentReport, renderReportHtml } from './report.ts';

// The forms a person downloads or prints: the post-mortem as Markdown or a print page, and the org
// report as a print page. Each carries the organization's name, which the JSON answers do not.

export async function exportPostmortem(ctx: AppContext, orgId: string, incidentId: string, format: 'markdown' | 'html'): Promise<string> {
  const [org, postmortem, name] = await Promise.all([
    getOrganization(ctx.db, orgId),
    getPostmortem(ctx.sql, orgId, incidentId),
    peopleNames(ctx.sql, orgId),
  ]);
  return format === 'markdown' ? renderMarkdown(postmortem, org.name, name) : renderHtml(postmortem, org.name, name);
}

/** The org's people by name, for ids and 'user:4' references alike (a deleted or unknown one says so). */
export async function peopleNames(sql: AppContext['sql'], orgId: string): Promise<PeopleNames> {
  const names = new Map((await listUsers(sql, orgId)).map((u) => [u.id, u.name]));
  return (v) => (typeof v === 'string' || typeof v === 'number' ? (names.get(String(v).replace(/^user:/, '')) ?? '（不明な利用者）') : '—');
}

export async function exportIncidentReport(ctx: AppContext, orgId: string, range: { from: Date; to: Date }): Promise<string> {
  const org = await getOrganization(ctx.db, orgId);
  return renderReportHtml(await incidentReport(ctx.sql, orgId, range), org.name);
}
