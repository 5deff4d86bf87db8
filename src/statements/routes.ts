import { Hono } from 'hono';
import type { AppContext } from '../context.ts';

/** Statements (holding statement, apology, review reply), their checker and approval under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function statementRoutes(_ctx: AppContext) {
  const r = new Hono();
  return r;
}
