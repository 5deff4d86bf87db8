/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { ValidationError } from '../errors.ts';
import { deleteCookie, getCookie } from 'hono/cookie';
import { sessionAuth, sessionCookie } from '../auth/credentials.ts';
import { csrfPasses, sameOrigin } from '../auth/csrf.ts';
import { InvalidCredentialsError, RateLimitedError } from '../auth/errors.ts';
import { logout } from '../auth/login.ts';
import { loginWithCookie } from '../auth/routes.ts';
import type { AppContext } from '../context.ts';
import { requestActor, requestIdOf, requestSourceIp, setRequestAuth } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { liveStream } from '../live/stream.ts';
import { viewMentions } from '../mentions/view-mentions.ts';
import { acknowledgeByLink, AckLinkError, inspectAckLink } from '../oncall/acknowledge-incident.ts';
import { loadOverview } from '../overview/load-overview.ts';
import { assetRoutes } from './assets.ts';
import { definePage, registerPages, safeNext, type PageDefinition } from './page.tsx';
import { AckConfirmPage, AckDonePage, AckRefusedPage } from './pages/ack.tsx';
import { LoginPage } from './pages/login.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { alertPages } from './routes/alerts.tsx';
import { incidentPages } from './routes/incidents.tsx';
import { mentionPages } from './routes/mentions.tsx';
import { postmortemPages } from './routes/postmortems.tsx';
import { settingsPages } from './routes/settings.tsx';
import { watchTargetPages } from './routes/settings-targets.tsx';
import { sourcePages } from './routes/settings-sources.tsx';
import { oncallPages } from './routes/settings-oncall.tsx';
import { userPages } from './routes/settings-users.tsx';
import { detectionPages } from './routes/settings-detection.tsx';
import { playbookPages } from './routes/settings-playbook.tsx';
import { organizationPages } from './routes/settings-organization.tsx';
import { postReviewSettingsPages } from './routes/settings-posts.tsx';
import { statementPages } from './routes/statements.tsx';
import { postPages } from './routes/posts.tsx';

// Every page of the web UI, declared once (src/web/page.tsx); login and logout are the only
// handlers outside the guard (there is no session yet, or it is ending).

/** Every settings page, one subject per file (the settings-roles test walks them with every role). */
export const allSettingsPages: readonly PageDefinition[] = [
  ...settingsPages,
  ...watchTargetPages,
  ...sourcePages,
  ...oncallPages,
  ...userPages,
  ...detectionPages,
  ...playbookPages,
  ...organizationPages,
  ...postReviewSettingsPages,
];

export const webPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/',
    action: 'mentions.read',
    handler: (ctx) => async (c, viewer) => {
      const auth = viewer.auth;
      const [overview, page] = await Promise.all([
        loadOverview(
          ctx,
          requestActor(c),
          {
            alerts: viewer.may('alerts.read'),
            incidents: viewer.may('incidents.read'),
            sources: viewer.may('sources.read'),
            privateTerms: viewer.may('mentions.read_pii'),
          },
          { orgId: auth.orgId, hours: 24 },
        ),
        // The overview never reveals detected personal data; the mention pages do, on request, for those allowed.
        viewMentions(
          ctx,
          { actor: requestActor(c), revealPii: false, includePrivate: viewer.may('mentions.read_private') },
          { orgId: auth.orgId, limit: 20 },
        ),
      ]);
      return c.html(<OverviewPage viewer={viewer} overview={overview} mentions={page.items} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/events',
    action: 'mentions.read',
    handler: (ctx) => async (c, viewer) => liveStream(ctx, c, { orgId: viewer.auth.orgId, userId: viewer.auth.userId }),
  }),
  ...mentionPages,
  ...alertPages,
  ...incidentPages,
  ...postmortemPages,
  ...allSettingsPages,
  ...statementPages,
  ...postPages,
];

const formField = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? form[name] : '');

export function webRoutes(ctx: AppContext) {
  const web = new Hono<AppEnv>();
  web.route('/', assetRoutes());

  web.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    // Already signed in (a second tab, a mail link): straight to where they were going.
    if (await sessionAuth(ctx, getCookie(c, sessionCookie))) return c.redirect(next, 303);
    return c.html(<LoginPage next={next} />);
  });

  // Login CSRF (a cross-site form logging the victim into the attacker's account) is refused by
  // the same-origin check; there is no session yet to carry a token.
  web.post('/login', async (c) => {
    if (!sameOrigin(c.req.raw, ctx.config.mail.publicUrl))
      return c.html(<LoginPage error="不正なリクエストです (cross-site request refused)" />, 403);
    const form = await c.req.parseBody();
    const email = formField(form, 'email').trim();
    const password = formField(form, 'password');
    const next = safeNext(formField(form, 'next'));
    if (!email || !password || email.length > 254 || password.length > 512) {
      return c.html(
        <LoginPage
          error="メールアドレスとパスワードを入力してください (enter your e-mail and password)"
          email={email.slice(0, 254)}
          next={next}
        />,
        400,
      );
    }
    const organization = formField(form, 'organization').trim().slice(0, 64);
    try {
      await loginWithCookie(ctx, c, { email, password, ...(organization ? { organization } : {}) });
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return c.html(<LoginPage error={err.message} email={email} next={next} />, 401);
      // The same e-mail and password open accounts in several organisations: ask which.
      if (err instanceof ValidationError) return c.html(<LoginPage error={err.message} email={email} next={next} askOrganization />, 400);
      if (err instanceof RateLimitedError) return c.html(<LoginPage error={err.message} email={email} next={next} />, 429);
      throw err;
    }
    return c.redirect(next, 303);
  });

  web.post('/logout', async (c) => {
    const auth = await sessionAuth(ctx, getCookie(c, sessionCookie));
    if (auth) {
      const form = await c.req.parseBody();
      if (!csrfPasses(c.req.raw, auth, formField(form, '_csrf'), ctx.config.mail.publicUrl))
        return c.text('cross-site request refused', 403);
      setRequestAuth(c, auth);
      await logout(ctx, auth, requestActor(c));
    }
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.redirect('/login', 303);
  });

  // The acknowledgement pages behind a mail's link (no session: the signed single-use token is the
  // credential). Mail scanners and link previews fetch links, so a GET must never acknowledge.
  const ackStatus = { forged: 400, expired: 410, used: 409 } as const;
  web.get('/ack/:token', async (c) => {
    const token = c.req.param('token');
    try {
      const link = await inspectAckLink(ctx, token);
      return c.html(<AckConfirmPage token={token} link={link} />);
    } catch (err) {
      if (err instanceof AckLinkError) return c.html(<AckRefusedPage reason={err.reason} />, ackStatus[err.reason]);
      throw err;
    }
  });
  web.post('/ack/:token', async (c) => {
    try {
      const result = await acknowledgeByLink(ctx, c.req.param('token'), { requestId: requestIdOf(c), sourceIp: requestSourceIp(c) });
      return c.html(<AckDonePage incidentId={result.incidentId} acknowledgedAt={result.acknowledgedAt} first={result.first} />);
    } catch (err) {
      if (err instanceof AckLinkError) return c.html(<AckRefusedPage reason={err.reason} />, ackStatus[err.reason]);
      throw err;
    }
  });

  registerPages(web, ctx, webPages);
  return web;
}
