/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { InvalidCredentialsError, RateLimitedError } from '../../auth/errors.ts';
import { loginWithCookie } from '../../auth/routes.ts';
import { getUser, otherAccountsOf } from '../../auth/users.ts';
import { getOrganization } from '../../organizations/organizations.ts';
import type { AppEnv } from '../../http/env.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { OrganizationPage } from '../pages/settings-organization.tsx';

// Switching between the organisations one person works for: a fresh login to the other account.

async function show(ctx: AppContext, c: Context<AppEnv>, viewer: Viewer, error?: string, status: 200 | 400 | 401 | 429 = 200) {
  const me = await getUser(ctx.sql, viewer.auth.orgId, viewer.auth.userId!);
  const [org, others] = await Promise.all([
    getOrganization(ctx.db, viewer.auth.orgId),
    otherAccountsOf(ctx.sql, me.email, viewer.auth.orgId),
  ]);
  return c.html(<OrganizationPage viewer={viewer} slug={org.slug} others={others} error={error} />, status);
}

export const organizationPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/organization',
    action: 'organizations.read',
    handler: (ctx) => async (c, viewer) => show(ctx, c, viewer),
  }),
  definePage({
    method: 'post',
    path: '/settings/organization/switch',
    action: 'organizations.read',
    handler: (ctx) => async (c, viewer) => {
      const form = await c.req.parseBody();
      const slug = typeof form.organization === 'string' ? form.organization.slice(0, 64) : '';
      const password = typeof form.password === 'string' ? form.password.slice(0, 512) : '';
      const me = await getUser(ctx.sql, viewer.auth.orgId, viewer.auth.userId!);
      const target = (await otherAccountsOf(ctx.sql, me.email, viewer.auth.orgId)).find((o) => o.slug === slug);
      if (!target || password === '') return show(ctx, c, viewer, '切り替え先とパスワードを確かめてください。', 400);
      try {
        // The same login as the login page: throttled, audited, a new session; this one ends.
        await loginWithCookie(ctx, c, { email: me.email, password, organization: slug });
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return show(ctx, c, viewer, `${target.name} のパスワードが違います。`, 401);
        if (err instanceof RateLimitedError) return show(ctx, c, viewer, err.message, 429);
        throw err;
      }
      return c.redirect('/', 303);
    },
  }),
];
