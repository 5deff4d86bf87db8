/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { listUsers } from '../../auth/users.ts';
import { requestActor } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { getAlertingSettings, MAX_RECIPIENTS, normalizeEmailAddress, updateAlertingSettings } from '../../notify/recipients.ts';
import { listWatchTargets } from '../../organizations/organizations.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { AlertingSettingsPage } from '../pages/settings.tsx';
import { SettingsIndexPage } from '../pages/settings-nav.tsx';
import { ApiDocsPage } from '../pages/api-docs.tsx';

// Settings: the index of the settings pages and alert e-mail (the other subjects have their own files).

async function showAlerting(
  ctx: AppContext,
  c: Context<AppEnv>,
  viewer: Viewer,
  typed?: { recipients: string; minSeverity: number; notices: boolean; error: string },
) {
  const orgId = viewer.auth.orgId;
  const [settings, users, targets] = await Promise.all([
    getAlertingSettings(ctx.sql, orgId),
    listUsers(ctx.sql, orgId),
    listWatchTargets(ctx.db, orgId),
  ]);
  const people = new Map(users.filter((u) => !u.disabledAt).map((u) => [u.email.toLowerCase(), u.name]));
  const muted = targets.filter((t) => t.mute && t.mute.until > viewer.now);
  const flash = c.req.query('done') === 'saved' ? '保存しました。' : undefined;
  return c.html(
    <AlertingSettingsPage viewer={viewer} settings={settings} people={people} muted={muted} typed={typed} flash={flash} />,
    typed ? 400 : 200,
  );
}

export const settingsPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings',
    action: 'settings.read',
    handler: () => async (c, viewer) => c.html(<SettingsIndexPage viewer={viewer} />),
  }),
  definePage({
    method: 'get',
    path: '/docs/api',
    action: 'settings.read',
    handler: () => async (c, viewer) => c.html(<ApiDocsPage viewer={viewer} />),
  }),
  definePage({
    method: 'get',
    path: '/settings/alerting',
    action: 'alerting.read',
    handler: (ctx) => async (c, viewer) => showAlerting(ctx, c, viewer),
  }),
  definePage({
    method: 'post',
    path: '/settings/alerting',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => {
      const form = await c.req.parseBody();
      const text = typeof form.recipients === 'string' ? form.recipients.slice(0, 6000) : '';
      const severity = Number(form.minSeverity);
      const notices = form.notices === 'on';
      // A refusal shows the form again as it was typed, with what to fix.
      const refuse = (error: string) => showAlerting(ctx, c, viewer, { recipients: text, minSeverity: severity, notices, error });
      if (!Number.isInteger(severity) || severity < 1 || severity > 5) return refuse('送る深刻度を 1〜5 から選んでください。');
      // One address per line (commas and 、 too); each a plain address, as the API requires.
      const typed = text.split(/[\s,、，]+/).filter(Boolean);
      const bad = typed.filter((a) => normalizeEmailAddress(a) === null);
      if (bad.length > 0) {
        return refuse(
          `メールアドレスとして使えないものがあります: ${bad.slice(0, 5).join('、')}（例: pr@clinic.example.jp の形で、1行に1つ）`,
        );
      }
      const addresses = [...new Map(typed.map((a) => [a.toLowerCase(), normalizeEmailAddress(a)!])).values()];
      if (addresses.length > MAX_RECIPIENTS) {
        return refuse(`通知先は最大${MAX_RECIPIENTS}件です（${addresses.length}件あります）。`);
      }
      await updateAlertingSettings(
        ctx.sql,
        viewer.auth.orgId,
        { recipients: addresses, minSeverity: severity as 1 | 2 | 3 | 4 | 5, notices },
        requestActor(c),
      );
      return c.redirect('/settings/alerting?done=saved', 303);
    },
  }),
];
