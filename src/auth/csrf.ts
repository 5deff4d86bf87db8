import type { Auth } from '../access/auth.ts';
import { sameSecret } from './credentials.ts';

/**
 * Cookie-authenticated writes must come from our own pages. Browsers say so in Sec-Fetch-Site;
 * older ones in Origin (which is "null" under a no-referrer policy, so it alone cannot be trusted
 * to be present). A request with neither did not come from a browser page, so a cross-site form
 * cannot be it; it still needs the session's CSRF token.
 */
export function sameOrigin(req: Request, publicUrl: string): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = req.headers.get('origin');
  // Behind a reverse proxy the request URL is the inner one; the configured public URL is ours too.
  if (origin && origin !== 'null') return origin === new URL(req.url).origin || origin === new URL(publicUrl).origin;
  return origin === null;
}

export const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The double check for an unsafe request on a session: the per-session token and a same-origin request. */
export function csrfPasses(req: Request, auth: Auth, presented: string | undefined | null, publicUrl: string): boolean {
  if (auth.via !== 'session' || safeMethods.has(req.method)) return true;
  return !!presented && !!auth.csrfToken && sameSecret(presented, auth.csrfToken) && sameOrigin(req, publicUrl);
}
