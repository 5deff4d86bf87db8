/** @jsxImportSource hono/jsx */
import { sensitivities, type Sensitivity } from '../../detection/index.ts';
import { backtestEach } from '../../detection-pass/backtest.ts';
import { getDetectionSettings, setDetectionSettings } from '../../detection-pass/sensitivity.ts';
import { JST_OFFSET_MS } from '../../display.ts';
import { ValidationError } from '../../errors.ts';
import { requestActor } from '../../http/actor.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { DetectionSettingsPage, type SensitivityPreview } from '../pages/settings-detection.tsx';

// Detection sensitivity: the last 30 days replayed with every setting (read-only), then saving one.

const DAY_MS = 86_400_000;
const PREVIEW_DAYS = 30;

export const detectionPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/detection',
    action: 'settings.read',
    handler: (ctx) => async (c, viewer) => {
      const orgId = viewer.auth.orgId;
      // Whole JST days: from midnight 30 days ago to now.
      const todayJst = Math.floor((viewer.now.getTime() + JST_OFFSET_MS) / DAY_MS) * DAY_MS;
      const from = new Date(todayJst - (PREVIEW_DAYS - 1) * DAY_MS - JST_OFFSET_MS);
      const days = Array.from({ length: PREVIEW_DAYS }, (_, i) =>
        new Date(todayJst - (PREVIEW_DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10),
      );
      const [current, runs] = await Promise.all([
        getDetectionSettings(ctx.sql, orgId),
        backtestEach(ctx, { orgId, from, to: viewer.now, sensitivities, signals: 'counts' }),
      ]);
      const previews: SensitivityPreview[] = runs.map((r) => {
        const perDay = days.map(() => 0);
        for (const a of r.alerts) {
          const i = Math.floor((a.bucketStart.getTime() - from.getTime()) / DAY_MS);
          if (i >= 0 && i < perDay.length) perDay[i]!++;
        }
        return {
          sensitivity: r.sensitivity,
          perDay,
          byKind: {
            crisis: r.alerts.filter((a) => a.kind === 'crisis').length,
            notice: r.alerts.filter((a) => a.kind !== 'crisis').length,
          },
          topSeverity: r.alerts.length === 0 ? null : Math.max(...r.alerts.map((a) => a.severity)),
        };
      });
      const flash = c.req.query('done') === 'saved' ? '保存しました。次の集計単位から新しい感度で判断します。' : undefined;
      return c.html(<DetectionSettingsPage viewer={viewer} current={current.sensitivity} days={days} previews={previews} flash={flash} />);
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/detection',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => {
      const form = await c.req.parseBody();
      const chosen = form.sensitivity;
      if (typeof chosen !== 'string' || !(sensitivities as readonly string[]).includes(chosen)) {
        throw new ValidationError('感度を選んでください');
      }
      await setDetectionSettings(ctx.sql, viewer.auth.orgId, { sensitivity: chosen as Sensitivity }, requestActor(c));
      return c.redirect('/settings/detection?done=saved', 303);
    },
  }),
];
