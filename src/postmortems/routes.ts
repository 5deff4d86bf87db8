import { Hono } from 'hono';
import type { AppContext } from '../context.ts';

/** Post-mortems and the org report under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function postmortemRoutes(_ctx: AppContext) {
  const r = new Hono();
  return r;
}
