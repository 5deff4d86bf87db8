/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Auth } from '../access/auth.ts';
import { actions, roleLabels, type Action } from '../access/permissions.ts';
import { may } from '../auth/authorize.ts';
import { sessionAuth, sessionCookie } from '../auth/credentials.ts';
import { csrfPasses } from '../auth/csrf.ts';
import { getUser } from '../auth/users.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { setRequestAuth } from '../http/actor.ts';
import { statusByCode } from '../http/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { openIncidentSummaries } from '../incidents/queries.ts';
import { getOrganization } from '../organizations/organizations.ts';
import { ErrorPage, type Viewer } from './layout.tsx';

// Pages are declared once each, like API routes: method, path, the action of the one role × action
// table (src/access/permissions.ts) and the handler. The guard below is the pages' middleware: a
// session or a trip to the login page that comes back here, the role check, CSRF on every post,
// and the viewer (name, role, organisation, open incidents for the banner) every page lays out with.

export interface PageDefinition {
  method: 'get' | 'post';
  /** Hono path, e.g. '/incidents/:incidentId'. */
  path: string;
  action: Action;
  handler: (ctx: AppContext) => (c: Context<AppEnv>, viewer: Viewer) => Promise<Response>;
}

export const definePage = (page: PageDefinition): PageDefinition => page;

/** Where login sends the person back to: a path on this site only (never //host, /\host or a scheme). */
export function safeNext(raw: string | undefined | null): string {
  if (!raw || raw.length > 2000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\u0000-\u001f\\]/.test(raw)) return '/';
  return raw;
}

export function loginRedirect(c: Context<AppEnv>): Response {
  const url = new URL(c.req.url);
  return c.redirect(`/login?next=${encodeURIComponent(safeNext(url.pathname + url.search))}`, 303);
}

async function viewerOf(ctx: AppContext, auth: Auth): Promise<Viewer> {
  const [user, org, incidents] = await Promise.all([
    getUser(ctx.sql, auth.orgId, auth.userId),
    getOrganization(ctx.db, auth.orgId),
    may(auth, 'incidents.read') ? openIncidentSummaries(ctx.sql, auth.orgId) : Promise.resolve([]),
  ]);
  return {
    auth,
    name: user.name,
    role: auth.role,
    org: { id: org.id, name: org.name, isDemo: org.isDemo },
    csrfToken: auth.csrfToken ?? '',
    now: ctx.now(),
    openIncidents: incidents,
    may: (action: Action) => may(auth, action),
  };
}

/** Registers the pages on `web`, each behind the guard. */
export function registerPages(web: Hono<AppEnv>, ctx: AppContext, pages: readonly PageDefinition[]): void {
  for (const page of pages) {
    const handler = page.handler(ctx);
    web.on(page.method.toUpperCase(), page.path, async (c) => {
      const auth = await sessionAuth(ctx, getCookie(c, sessionCookie));
      if (!auth) return loginRedirect(c);
      setRequestAuth(c, auth);
      const viewer = await viewerOf(ctx, auth);
      if (!may(auth, page.action)) {
        // Why, in the words of the role table: who may, and what the viewer is.
        const allowed = actions[page.action].roles.map((r) => roleLabels[r]).join('・');
        const what = page.method === 'get' ? 'このページを開ける' : 'この操作ができる';
        return c.html(
          <ErrorPage
            viewer={viewer}
            status={403}
            message={`${what}のは ${allowed} です（あなたは ${roleLabels[viewer.role]}）。`}
            en="Your role may not open this page or do this."
          />,
          403,
        );
      }
      if (page.method === 'post') {
        const form = await c.req.parseBody();
        const token = typeof form._csrf === 'string' ? form._csrf : null;
        if (!csrfPasses(c.req.raw, auth, token, ctx.config.mail.publicUrl)) {
          return c.html(
            <ErrorPage
              viewer={viewer}
              status={403}
              message="不正なリクエストです。ページを開き直してください。"
              en="Cross-site request refused."
            />,
            403,
          );
        }
      }
      try {
        return await handler(c, viewer);
      } catch (err) {
        // A refused action (a verb's 4xx) is shown on a page in Japanese, never as JSON or a 500.
        const status = err instanceof AppError ? statusByCode[err.code] : 500;
        if (err instanceof AppError && status < 500) {
          return c.html(<ErrorPage viewer={viewer} status={status} message={err.message} />, status);
        }
        throw err;
      }
    });
  }
}
