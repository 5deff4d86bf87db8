/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { sessionAuth, sessionCookie } from '../auth/credentials.ts';
import { csrfPasses, sameOrigin } from '../auth/csrf.ts';
import { InvalidCredentialsError, RateLimitedError } from '../auth/errors.ts';
import { logout } from '../auth/login.ts';
import { loginWithCookie } from '../auth/routes.ts';
import type { AppContext } from '../context.ts';
import { requestActor, requestIdOf, requestSourceIp, setRequestAuth } from '../http/actor.ts';
import type { AppEnv } from '../http/env.ts';
import { openStatuses } from '../incident-record/lifecycle.ts';
import { addNote } from '../incidents/add-note.ts';
import { assignRoles } from '../incidents/assign-roles.ts';
import { changeSeverity } from '../incidents/change-severity.ts';
import { getIncident, incidentOfAlert, listIncidents } from '../incidents/queries.ts';
import { promoteAlert } from '../incidents/promote-alert.ts';
import { getAlert, listAlerts } from '../detection-pass/queries.ts';
import { factsOf } from '../notify/compose-alert-mail.ts';
import { countMentions } from '../mentions/queries.ts';
import { NotFoundError } from '../errors.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { updateTask } from '../incidents/update-task.ts';
import { listUsers } from '../auth/users.ts';
import { acknowledgeByLink, acknowledgeIncident, AckLinkError, inspectAckLink } from '../oncall/acknowledge-incident.ts';
import { escalationOf } from '../oncall/escalation.ts';
import { z } from 'zod';
import type { Context } from 'hono';
import { ValidationError } from '../errors.ts';
import { cleanText, id as idSchema } from '../http/schemas.ts';
import { incidentStatuses } from '../incident-record/lifecycle.ts';
import { presentMention } from '../mentions/privacy.ts';
import { listMentions } from '../mentions/queries.ts';
import { loadOverview } from '../overview/load-overview.ts';
import { assetRoutes } from './assets.ts';
import { liveStream } from '../live/stream.ts';
import { definePage, registerPages, safeNext, type PageDefinition } from './page.tsx';
import { AckConfirmPage, AckDonePage, AckRefusedPage } from './pages/ack.tsx';
import { AlertPage, AlertsPage } from './pages/alerts.tsx';
import { IncidentPage } from './pages/incident.tsx';
import { StatementPage } from './pages/statement.tsx';
import { approveStatement } from '../statements/approve-statement.ts';
import { checkStoredStatement } from '../statements/check-statement.ts';
import { createStatement } from '../statements/create-statement.ts';
import { editStatement } from '../statements/edit-statement.ts';
import { publishStatement } from '../statements/publish-statement.ts';
import { actorKey, getStatement, listStatements, writersOf } from '../statements/queries.ts';
import { rejectStatement } from '../statements/reject-statement.ts';
import { submitStatement } from '../statements/submit-statement.ts';
import { statementTemplates } from '../statements/templates.ts';
import { withdrawStatement } from '../statements/withdraw-statement.ts';
import { IncidentsPage } from './pages/incidents.tsx';
import { LoginPage } from './pages/login.tsx';
import { OverviewPage } from './pages/overview.tsx';

// Every page of the web UI, declared once (src/web/page.tsx); login and logout are the only
// handlers outside the guard (there is no session yet, or it is ending).

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
        listMentions(ctx.sql, { orgId: auth.orgId, limit: 50 }),
      ]);
      // The overview never reveals detected personal data; the mention pages do, on request, for those allowed.
      const mentions = page.items.map((m) => presentMention(m, { revealPii: false }));
      return c.html(<OverviewPage viewer={viewer} overview={overview} mentions={mentions} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/events',
    action: 'mentions.read',
    handler: (ctx) => async (c, viewer) => liveStream(ctx, c, { orgId: viewer.auth.orgId, userId: viewer.auth.userId }),
  }),
  definePage({
    method: 'get',
    path: '/incidents',
    action: 'incidents.read',
    handler: (ctx) => async (c, viewer) => {
      const all = await listIncidents(ctx.sql, { orgId: viewer.auth.orgId, limit: 100 });
      const open = all.filter((i) => openStatuses.includes(i.status)).sort((a, b) => b.severity - a.severity);
      const ended = all.filter((i) => !openStatuses.includes(i.status));
      return c.html(<IncidentsPage viewer={viewer} open={open} ended={ended} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/alerts',
    action: 'alerts.read',
    handler: (ctx) => async (c, viewer) => {
      const status = z.enum(['open', 'closed']).optional().catch(undefined).parse(c.req.query('status'));
      const kind = z.enum(['crisis', 'notice']).optional().catch(undefined).parse(c.req.query('kind'));
      const alerts = await listAlerts(ctx.sql, { orgId: viewer.auth.orgId, status, kind, limit: 100 });
      const current = status ? `status=${status}` : kind ? `kind=${kind}` : '';
      return c.html(<AlertsPage viewer={viewer} alerts={alerts} current={current} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/alerts/:alertId',
    action: 'alerts.read',
    handler: (ctx) => async (c, viewer) => {
      const id = pathNumber(c, 'alertId', 'アラート番号');
      const alert = await getAlert(ctx.sql, viewer.auth.orgId, id);
      if (!alert) throw new NotFoundError('アラートが見つかりません');
      // Six hours before the alert opened to an hour after it closed (or now): the rise, the peak, the calm.
      const from = new Date(alert.openedAt.getTime() - 6 * 3_600_000);
      const to = new Date(Math.min(ctx.now().getTime(), (alert.closedAt ?? ctx.now()).getTime() + 3_600_000));
      const [series, incidentId] = await Promise.all([
        countMentions(ctx.sql, { orgId: viewer.auth.orgId, watchTargetId: alert.watchTargetId ?? undefined, from, to, bucket: '5m' }),
        incidentOfAlert(ctx.sql, viewer.auth.orgId, id),
      ]);
      return c.html(<AlertPage viewer={viewer} alert={alert} facts={factsOf(alert.explanation)} series={series} incidentId={incidentId} />);
    },
  }),
  definePage({
    method: 'post',
    path: '/alerts/:alertId/incident',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const incident = await promoteAlert(ctx, viewer.auth.orgId, pathNumber(c, 'alertId', 'アラート番号'), requestActor(c));
      return c.redirect(`/incidents/${incident.id}`, 303);
    },
  }),
  definePage({
    method: 'get',
    path: '/incidents/:incidentId',
    action: 'incidents.read',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const [incident, people, escalation, statements] = await Promise.all([
        getIncident(ctx.sql, viewer.auth.orgId, id),
        listUsers(ctx.sql, viewer.auth.orgId),
        escalationOf(ctx.sql, viewer.auth.orgId, id),
        viewer.may('statements.read') ? listStatements(ctx.sql, viewer.auth.orgId, id) : Promise.resolve([]),
      ]);
      const flash = flashes[c.req.query('done') ?? ''];
      return c.html(
        <IncidentPage
          viewer={viewer}
          incident={incident}
          people={people}
          escalation={escalation}
          statements={statements}
          templates={statementTemplates}
          flash={flash}
        />,
      );
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/acknowledge',
    action: 'oncall.acknowledge',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      await acknowledgeIncident(ctx, viewer.auth.orgId, id, requestActor(c));
      return back(c, id, 'ack');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/transition',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(
        c,
        z.object({
          to: z.enum(incidentStatuses, { error: '新しい状態を選んでください' }),
          reason: optionalText(2000),
          confirm: z.literal('yes').optional(),
        }),
      );
      // Resolving or closing over open tasks asks for a confirmation and a reason, on the server too.
      if (form.to === 'resolved' || form.to === 'closed') {
        const open = (await getIncident(ctx.sql, viewer.auth.orgId, id)).tasks.filter((t) => t.status === 'open');
        if (open.length > 0 && (form.confirm !== 'yes' || !form.reason)) {
          throw new ValidationError(
            `未完了のタスクが ${open.length} 件あります（${open
              .map((t) => t.title)
              .join('、')
              .slice(0, 300)}）。確認のチェックと理由を入力してください。`,
          );
        }
      }
      await transitionIncident(ctx, viewer.auth.orgId, id, { to: form.to, reason: form.reason }, requestActor(c));
      return back(c, id, 'status');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/severity',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(
        c,
        z.object({
          severity: z.enum(['1', '2', '3', '4', '5'], { error: '深刻度は 1〜5 です' }).transform(Number),
          reason: optionalText(2000),
        }),
      );
      if (!form.reason) throw new ValidationError('深刻度を変える理由を入力してください');
      await changeSeverity(ctx, viewer.auth.orgId, id, { severity: form.severity, reason: form.reason }, requestActor(c));
      return back(c, id, 'severity');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/roles',
    action: 'incidents.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const person = z.preprocess((v) => (v === '' || v === undefined ? null : v), idSchema().nullable());
      const form = await formOf(c, z.object({ commander: person, communications: person, scribe: person }));
      await assignRoles(
        ctx,
        viewer.auth.orgId,
        id,
        { commanderId: form.commander, communicationsLeadId: form.communications, scribeId: form.scribe },
        requestActor(c),
      );
      return back(c, id, 'roles');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/tasks/:taskId',
    action: 'incidents.work',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const taskId = pathNumber(c, 'taskId', 'タスク番号');
      const form = await formOf(c, z.object({ status: z.enum(['open', 'done', 'skipped'], { error: '状態が正しくありません' }) }));
      await updateTask(ctx, viewer.auth.orgId, id, taskId, { status: form.status }, requestActor(c));
      return back(c, id, 'task');
    },
  }),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/statements',
    action: 'statements.write',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(c, z.object({ template: z.string().max(100) }));
      const template = statementTemplates.find((t) => t.key === form.template);
      if (!template) throw new ValidationError('テンプレートを選んでください');
      const statement = await createStatement(ctx, viewer.auth.orgId, id, { kind: template.kind, template: template.key }, requestActor(c));
      await checkStoredStatement(ctx, viewer.auth.orgId, id, statement.id, requestActor(c));
      return c.redirect(`/incidents/${id}/statements/${statement.id}`, 303);
    },
  }),
  definePage({
    method: 'get',
    path: '/incidents/:incidentId/statements/:statementId',
    action: 'statements.read',
    handler: (ctx) => async (c, viewer) => {
      const [id, statementId] = [incidentId(c), pathNumber(c, 'statementId', '声明文番号')];
      const [statement, incident, people, writers] = await Promise.all([
        getStatement(ctx.sql, viewer.auth.orgId, id, statementId),
        getIncident(ctx.sql, viewer.auth.orgId, id),
        listUsers(ctx.sql, viewer.auth.orgId),
        writersOf(ctx.sql, viewer.auth.orgId, statementId),
      ]);
      // Statement people are stored as actor keys (a user's is their id): the same rule the verb applies.
      const me = actorKey(requestActor(c));
      const isWriter = writers.has(me) || statement.authorId === me || statement.submittedBy === me;
      return c.html(
        <StatementPage
          viewer={viewer}
          statement={statement}
          incidentTitle={incident.title}
          names={new Map(people.map((p) => [p.id, p.name]))}
          isWriter={isWriter}
          flash={statementFlashes[c.req.query('done') ?? '']}
        />,
      );
    },
  }),
  ...statementMoves(),
  definePage({
    method: 'post',
    path: '/incidents/:incidentId/notes',
    action: 'incidents.work',
    handler: (ctx) => async (c, viewer) => {
      const id = incidentId(c);
      const form = await formOf(c, z.object({ text: cleanText(4000) }));
      await addNote(ctx, viewer.auth.orgId, id, { text: form.text }, requestActor(c));
      return back(c, id, 'note');
    },
  }),
];

/** A form's fields through a zod schema: a clear 400 page instead of a verb fed the wrong shape. */
async function formOf<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await c.req.parseBody());
  if (!parsed.success) throw new ValidationError(`入力を確認してください: ${parsed.error.issues.map((i) => i.message).join(' / ')}`);
  return parsed.data;
}

function pathNumber(c: Context<AppEnv>, name: string, what: string): string {
  const id = c.req.param(name) ?? '';
  if (!/^[1-9]\d{0,17}$/.test(id)) throw new ValidationError(`${what}が正しくありません`);
  return id;
}
const incidentId = (c: Context<AppEnv>) => pathNumber(c, 'incidentId', 'インシデント番号');
const optionalText = (max: number) => z.preprocess((v) => (v === '' ? undefined : v), cleanText(max).optional());
const back = (c: Context<AppEnv>, id: string, done: string) => c.redirect(`/incidents/${id}?done=${done}`, 303);
const flashes: Record<string, string> = {
  ack: '受領しました。次の段階の呼び出しは止まります。',
  status: '状態を変更しました。',
  severity: '深刻度を変更しました。',
  roles: '担当を保存しました。',
  task: 'タスクを更新しました。',
  note: 'メモを追加しました。',
};

const statementFlashes: Record<string, string> = {
  edit: '保存し、チェックしました。',
  submit: '承認を依頼しました。',
  approve: '承認しました。',
  reject: '差し戻しました。',
  publish: '公開済みにしました。',
  withdraw: '取り下げました。',
};

/** The statement workflow's forms: each one verb, then back to the statement with a note. */
function statementMoves(): PageDefinition[] {
  const path = (move: string) => `/incidents/:incidentId/statements/:statementId/${move}`;
  const ids = (c: Context<AppEnv>) => [incidentId(c), pathNumber(c, 'statementId', '声明文番号')] as const;
  const back = (c: Context<AppEnv>, id: string, statementId: string, done: string) =>
    c.redirect(`/incidents/${id}/statements/${statementId}?done=${done}`, 303);
  const reason = z.object({ reason: cleanText(2000) });
  const version = z
    .string()
    .regex(/^[1-9]\d{0,8}$/, '版が正しくありません')
    .transform(Number);
  return [
    definePage({
      method: 'post',
      path: path('edit'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        const form = await formOf(c, z.object({ version, title: cleanText(200), body: cleanText(20_000) }));
        await editStatement(ctx, viewer.auth.orgId, id, statementId, form, requestActor(c));
        await checkStoredStatement(ctx, viewer.auth.orgId, id, statementId, requestActor(c));
        return back(c, id, statementId, 'edit');
      },
    }),
    definePage({
      method: 'post',
      path: path('submit'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await submitStatement(ctx, viewer.auth.orgId, id, statementId, requestActor(c));
        return back(c, id, statementId, 'submit');
      },
    }),
    definePage({
      method: 'post',
      path: path('approve'),
      action: 'statements.approve',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        const raw = await c.req.parseBody();
        const { version: read } = await formOf(c, z.object({ version }));
        // One reason per blocking finding, named override:<findingId> in the form.
        const overrides = Object.entries(raw)
          .flatMap(([k, v]) => (k.startsWith('override:') && typeof v === 'string' && v.trim() !== '' ? [[k, v.trim()] as const] : []))
          .map(([k, v]) => ({ findingId: k.slice('override:'.length, 200 + 9), reason: v.slice(0, 1000) }))
          .slice(0, 100);
        await approveStatement(ctx, viewer.auth.orgId, id, statementId, { version: read, overrides }, requestActor(c));
        return back(c, id, statementId, 'approve');
      },
    }),
    definePage({
      method: 'post',
      path: path('reject'),
      action: 'statements.approve',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await rejectStatement(ctx, viewer.auth.orgId, id, statementId, await formOf(c, reason), requestActor(c));
        return back(c, id, statementId, 'reject');
      },
    }),
    definePage({
      method: 'post',
      path: path('publish'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await publishStatement(ctx, viewer.auth.orgId, id, statementId, {}, requestActor(c));
        return back(c, id, statementId, 'publish');
      },
    }),
    definePage({
      method: 'post',
      path: path('withdraw'),
      action: 'statements.write',
      handler: (ctx) => async (c, viewer) => {
        const [id, statementId] = ids(c);
        await withdrawStatement(ctx, viewer.auth.orgId, id, statementId, await formOf(c, reason), requestActor(c));
        return back(c, id, statementId, 'withdraw');
      },
    }),
  ];
}

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
    try {
      await loginWithCookie(ctx, c, { email, password });
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return c.html(<LoginPage error={err.message} email={email} next={next} />, 401);
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
