/** @jsxImportSource hono/jsx */
import { z } from 'zod';
import { getAlert, listAlerts } from '../../detection-pass/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { requestActor } from '../../http/actor.ts';
import { incidentOfAlert } from '../../incidents/queries.ts';
import { promoteAlert } from '../../incidents/promote-alert.ts';
import { countMentions } from '../../mentions/queries.ts';
import { factsOf } from '../../notify/compose-alert-mail.ts';
import { pathNumber } from '../forms.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { AlertPage, AlertsPage } from '../pages/alerts.tsx';

// The alert inbox, one alert, and promoting it to an incident.

export const alertPages: readonly PageDefinition[] = [
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
];
