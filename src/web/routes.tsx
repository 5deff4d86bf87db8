/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { sessionAuth, sessionCookie } from '../auth/credentials.ts';
import { csrfPasses, sameOrigin } from '../auth/csrf.ts';
import { InvalidCredentialsError, RateLimitedError } from '../auth/errors.ts';
import { logout } from '../auth/login.ts';
import { loginWithCookie } from '../auth/routes.ts';
import type { AppContext } from '../context.ts';
import { requestActor, setRequestAuth } from '../http/actor.ts';
import { presentMention } from '../mentions/privacy.ts';
import { countMentions, listMentions } from '../mentions/queries.ts';
import { getOrganization } from '../organizations/organizations.ts';
import { DashboardPage, LoginPage } from './views.tsx';
import type { AppEnv } from '../http/env.ts';

const formField = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? form[name] : '');

export function webRoutes(ctx: AppContext) {
  const web = new Hono<AppEnv>();
  const session = (c: Context) => sessionAuth(ctx, getCookie(c, sessionCookie));

  web.get('/', async (c) => {
    const auth = await session(c);
    if (!auth) return c.html(<LoginPage />);
    // A user sees their own organization only.
    const org = await getOrganization(ctx.db, auth.orgId);
    const now = ctx.now();
    const [buckets, page] = await Promise.all([
      countMentions(ctx.sql, { orgId: org.id, from: new Date(now.getTime() - 24 * 3_600_000), to: now, bucket: '15m' }),
      listMentions(ctx.sql, { orgId: org.id, limit: 50 }),
    ]);
    // The dashboard never reveals detected personal data; the API does, on request, for those allowed.
    const mentions = page.items.map((m) => presentMention(m, { revealPii: false }));
    return c.html(<DashboardPage orgs={[org]} org={org} buckets={buckets} mentions={mentions} now={now} csrfToken={auth.csrfToken!} />);
  });

  // Login CSRF (a cross-site form logging the victim into the attacker's account) is refused by
  // the same-origin check; there is no session yet to carry a token.
  web.post('/login', async (c) => {
    if (!sameOrigin(c.req.raw, ctx.config.mail.publicUrl))
      return c.html(<LoginPage error="不正なリクエストです (cross-site request refused)" />, 403);
    const form = await c.req.parseBody();
    const email = formField(form, 'email').trim();
    const password = formField(form, 'password');
    if (!email || !password || email.length > 254 || password.length > 512) {
      return c.html(
        <LoginPage error="メールアドレスとパスワードを入力してください (enter your e-mail and password)" email={email.slice(0, 254)} />,
        400,
      );
    }
    try {
      await loginWithCookie(ctx, c, { email, password });
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return c.html(<LoginPage error={err.message} email={email} />, 401);
      if (err instanceof RateLimitedError) return c.html(<LoginPage error={err.message} email={email} />, 429);
      throw err;
    }
    return c.redirect('/', 303);
  });

  web.post('/logout', async (c) => {
    const auth = await session(c);
    if (auth) {
      const form = await c.req.parseBody();
      if (!csrfPasses(c.req.raw, auth, formField(form, '_csrf'), ctx.config.mail.publicUrl))
        return c.text('cross-site request refused', 403);
      setRequestAuth(c, auth);
      await logout(ctx, auth, requestActor(c));
    }
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.redirect('/', 303);
  });

  return web;
}
