/** @jsxImportSource hono/jsx */
import { z } from 'zod';
import { getAlert, listAlerts } from '../../detection-pass/queries.ts';
import { listUsers } from '../../auth/users.ts';
import type { AppContext } from '../../context.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { cleanText } from '../../http/schemas.ts';
import { muteWatchTarget } from '../../organizations/mute-watch-target.ts';
import { listWatchTargets } from '../../organizations/organizations.ts';
import { requestActor } from '../../http/actor.ts';
import { incidentOfAlert } from '../../incidents/queries.ts';
import { promoteAlert } from '../../incidents/promote-alert.ts';
import { countMentions } from '../../mentions/queries.ts';
import { factsOf } from '../../notify/compose-alert-mail.ts';
import { formOf, pathNumber } from '../forms.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { AlertPage, AlertsPage, type muteDurations } from '../pages/alerts.tsx';

// The alert inbox, one alert, and promoting it to an incident.

export const alertPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/alerts',
    action: 'alerts.read',
    handler: (ctx) => async (c, viewer) => {
      const status = z.enum(['open', 'closed']).optional().catch(undefined).parse(c.req.query('status'));
      const kind = z.enum(['crisis', 'notice']).optional().catch(undefined).parse(c.req.query('kind'));
      const [alerts, targets] = await Promise.all([
        listAlerts(ctx.sql, { orgId: viewer.auth.orgId, status, kind, limit: 100 }),
        listWatchTargets(ctx.db, viewer.auth.orgId),
      ]);
      const current = status ? `status=${status}` : kind ? `kind=${kind}` : '';
      const muted = new Set(targets.filter((t) => t.mute && t.mute.until > viewer.now).map((t) => t.id));
      return c.html(<AlertsPage viewer={viewer} alerts={alerts} current={current} mutedTargets={muted} />);
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
      const [series, incidentId, targets, people] = await Promise.all([
        countMentions(ctx.sql, { orgId: viewer.auth.orgId, watchTargetId: alert.watchTargetId ?? undefined, from, to, bucket: '5m' }),
        incidentOfAlert(ctx.sql, viewer.auth.orgId, id),
        listWatchTargets(ctx.db, viewer.auth.orgId),
        listUsers(ctx.sql, viewer.auth.orgId),
      ]);
      const target = targets.find((t) => t.id === alert.watchTargetId) ?? null;
      const mutedBy = people.find((p) => p.id === target?.mute?.by)?.name ?? null;
      const done = c.req.query('done');
      const flash = done === 'mute' ? 'お知らせをミュートしました。' : done === 'unmute' ? 'ミュートを解除しました。' : undefined;
      return c.html(
        <AlertPage
          viewer={viewer}
          alert={alert}
          facts={factsOf(alert.explanation)}
          series={series}
          incidentId={incidentId}
          target={target}
          mutedBy={mutedBy}
          flash={flash}
        />,
      );
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
    method: 'post',
    path: '/alerts/:alertId/mute',
    action: 'alerts.mute',
    handler: (ctx) => async (c, viewer) => {
      const id = pathNumber(c, 'alertId', 'アラート番号');
      const form = await formOf(c, z.object({ duration: z.enum(Object.keys(muteMs) as [MuteDuration]), reason: cleanText(500) }));
      const targetId = await mutableTargetOf(ctx, viewer.auth.orgId, id);
      const until = new Date(viewer.now.getTime() + muteMs[form.duration]);
      await muteWatchTarget(
        ctx,
        viewer.auth.orgId,
        targetId,
        { until, reason: form.reason },
        { userId: viewer.auth.userId },
        requestActor(c),
      );
      return c.redirect(`/alerts/${id}?done=mute`, 303);
    },
  }),
  definePage({
    method: 'post',
    path: '/alerts/:alertId/unmute',
    action: 'alerts.mute',
    handler: (ctx) => async (c, viewer) => {
      const id = pathNumber(c, 'alertId', 'アラート番号');
      const targetId = await mutableTargetOf(ctx, viewer.auth.orgId, id);
      await muteWatchTarget(ctx, viewer.auth.orgId, targetId, null, { userId: viewer.auth.userId }, requestActor(c));
      return c.redirect(`/alerts/${id}?done=unmute`, 303);
    },
  }),
];

type MuteDuration = keyof typeof muteDurations;
const muteMs: Record<MuteDuration, number> = {
  '1h': 3_600_000,
  '4h': 4 * 3_600_000,
  '24h': 86_400_000,
  '3d': 3 * 86_400_000,
  '7d': 7 * 86_400_000,
};

/** The watch target an alert is about; the organisation-wide series has none to mute. */
async function mutableTargetOf(ctx: { sql: AppContext['sql'] }, orgId: string, alertId: string): Promise<string> {
  const alert = await getAlert(ctx.sql, orgId, alertId);
  if (!alert) throw new NotFoundError('アラートが見つかりません');
  if (!alert.watchTargetId) throw new ValidationError('組織全体のアラートには、ミュートする監視対象がありません');
  return alert.watchTargetId;
}
