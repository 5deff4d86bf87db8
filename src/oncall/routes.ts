import { Hono } from 'hono';
import type { AppContext } from '../context.ts';

/** On-call schedules, escalation policies and e-mail acknowledgement under /api/v1/organizations/:orgId. Thin: parse, one verb, map. */
export function oncallRoutes(_ctx: AppContext) {
  const r = new Hono();
  return r;
}
