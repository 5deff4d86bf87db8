import { openApiDocument } from '../../src/server/api.ts';
import { schemaErrors } from './json-schema.ts';

// Holds a real API answer to the published document: the operation is found by method and
// concrete path (/api/v1/organizations/7/incidents/3 → /organizations/{orgId}/incidents/{incidentId}).

const doc = openApiDocument('test');
type Op = { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> };

// Only the /api/v1 paths (a path with servers of its own lies outside it).
const templates = Object.keys(doc.paths)
  .filter((p) => !('servers' in (doc.paths[p] as object)))
  .map((p) => ({
    path: p,
    re: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+')}$`),
  }));

/** Mismatches between a response and the document ([] when it conforms); throws for undocumented operations or statuses. */
export function contractErrors(method: string, apiPath: string, status: number, body: unknown): string[] {
  const path = apiPath.replace(/^\/api\/v1/, '').split('?')[0]!;
  const found = templates.find((t) => t.re.test(path) && (doc.paths[t.path] as Record<string, unknown>)[method.toLowerCase()]);
  if (!found) throw new Error(`undocumented operation: ${method} ${path}`);
  const op = (doc.paths[found.path] as Record<string, Op>)[method.toLowerCase()]!;
  const response = op.responses[String(status)];
  if (!response) throw new Error(`undocumented status ${status} for ${method} ${found.path}`);
  const schema = response.content?.['application/json']?.schema;
  return schema ? schemaErrors(body, schema, doc).map((e) => `${method} ${found.path}: ${e}`) : [];
}
