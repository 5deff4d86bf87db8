import type { Auth } from '../access/auth.ts';

/**
 * The one Hono environment of the service: what middleware attaches to a request for the handlers
 * after it. Every Hono app and handler is typed with it, so `c.get('auth')` is an Auth, not a cast.
 */
export interface AppEnv {
  Variables: {
    /** Set first for every request (src/server/app.ts); echoed in x-request-id and every error. */
    requestId: string;
    /** The authenticated caller; absent on public routes and outside /api. */
    auth?: Auth;
    /** The client's address as src/http/actor.ts resolves it (null for in-process requests). */
    sourceIp: string | null;
  };
}
