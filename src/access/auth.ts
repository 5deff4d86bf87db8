import type { Role, TokenScope } from './permissions.ts';

/** Who a request is: the user, their org and role, and how they proved it. */
export interface Auth {
  userId: string;
  orgId: string;
  role: Role;
  via: 'session' | 'token';
  /** Session: every scope (the role alone decides). Token: the scopes it was issued with. */
  scopes: TokenScope[];
  /** Session only: the token the page must echo in x-csrf-token (or _csrf) on writes. */
  csrfToken?: string;
  sessionHash?: Buffer;
  /** Session only: when the person typed their password for it (src/auth/recent-login.ts). */
  loggedInAt?: Date;
  tokenId?: string;
}
