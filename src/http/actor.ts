import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AuditActor } from '../audit/record.ts';

/** The audit actor of an API request: the platform token (until user login), its request id and peer address. */
export function requestActor(c: Context): AuditActor {
  let sourceIp: string | null = null;
  try {
    sourceIp = getConnInfo(c).remote.address ?? null;
  } catch {
    // Requests made in-process (tests, app.request) have no socket.
  }
  return { type: 'api_token', id: 'platform-token', requestId: (c.get('requestId' as never) as string | undefined) ?? null, sourceIp };
}
