/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { activePeople, listUsers, nameOf } from '../../auth/users.ts';
import { formatJstDateTime } from '../../display.ts';
import { requestActor } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { addOverride } from '../../oncall/add-override.ts';
import { monthCalendar } from '../../oncall/calendar.ts';
import { listSchedules, loadSchedule, policyOf, type Target } from '../../oncall/policy.ts';
import { removeOverride } from '../../oncall/remove-override.ts';
import { OverrideBody, PolicyBody, ScheduleDefinitionInput } from '../../oncall/routes.ts';
import { savePolicy } from '../../oncall/save-policy.ts';
import { saveSchedule } from '../../oncall/save-schedule.ts';
import { jstLocal, pathNumber } from '../forms.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { issuesInJapanese, lines, refusalMessage } from '../settings-form.ts';
import { OncallPage } from '../pages/settings-oncall.tsx';

// On-call settings: the calendar of a month, the rotations, overrides and the escalation policy.
// Forms go through the API's own schemas; refusals come back on the page in Japanese.

type Form = Record<string, unknown>;

const labels: Record<string, string> = {
  'rotation.userIds': '通常の交代制の担当者',
  'rotation.lengthDays': '通常の交代制の日数（1〜28）',
  'rotation.handoffTime': '通常の交代制の交代時刻',
  'rotation.startDate': '通常の交代制の開始日',
  'restDayRotation.userIds': '土日祝の交代制の担当者',
  'restDayRotation.lengthDays': '土日祝の交代制の日数（1〜28）',
  'restDayRotation.handoffTime': '土日祝の交代制の交代時刻',
  'restDayRotation.startDate': '土日祝の交代制の開始日',
  name: '当番表の名前',
  levels: '段階',
  repeat: '繰り返す回数（1〜10）',
  userId: '担当する人',
  startsAt: '開始',
  endsAt: '終了',
};

function currentMonth(now: Date): { year: number; month: number } {
  const jst = formatJstDateTime(now); // 'YYYY/MM/DD HH:MM'
  return { year: Number(jst.slice(0, 4)), month: Number(jst.slice(5, 7)) };
}

async function show(ctx: AppContext, c: Context<AppEnv>, viewer: Viewer, errors: string[] = [], status: 200 | 400 = 200) {
  const orgId = viewer.auth.orgId;
  const [schedules, users, policy] = await Promise.all([
    listSchedules(ctx.sql, orgId),
    listUsers(ctx.sql, orgId),
    policyOf(ctx.sql, orgId),
  ]);
  const wanted = c.req.query('schedule');
  const selected = c.req.query('new') ? null : (schedules.find((s) => s.id === wanted) ?? schedules[0] ?? null);
  const asked = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(c.req.query('month') ?? '');
  const month = asked ? { year: Number(asked[1]), month: Number(asked[2]) } : currentMonth(viewer.now);
  const full = selected ? await loadSchedule(ctx.sql, orgId, selected.id) : null;
  const flash = {
    saved: '保存しました。',
    override: '代理を保存しました。',
    removed: '代理を取り消しました。',
    policy: 'エスカレーションを保存しました。',
  }[c.req.query('done') ?? ''];
  return c.html(
    <OncallPage
      viewer={viewer}
      schedules={schedules}
      selected={selected}
      month={month}
      days={full ? monthCalendar(full, month.year, month.month) : []}
      overrides={(full?.overrides ?? []).filter((o) => o.endsAt > viewer.now).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())}
      people={activePeople(users)}
      names={nameOf(users)}
      policy={policy}
      errors={errors}
      flash={flash}
    />,
    status,
  );
}

/** A rotation from its form fields: the people in the order their numbers say. */
function rotationFrom(form: Form, prefix: string) {
  const text = (k: string) => (typeof form[k] === 'string' ? form[k].trim() : '');
  const ordered = Object.keys(form)
    .filter((k) => k.startsWith(`${prefix}_u_`) && text(k) !== '')
    .map((k) => ({ id: k.slice(prefix.length + 3), at: Number(text(k)) }))
    .sort((a, b) => a.at - b.at);
  if (ordered.length === 0) return null;
  return {
    userIds: ordered.map((o) => o.id),
    lengthDays: /^\d{1,3}$/.test(text(`${prefix}_lengthDays`)) ? Number(text(`${prefix}_lengthDays`)) : -1,
    handoffTime: text(`${prefix}_handoffTime`),
    startDate: text(`${prefix}_startDate`),
  };
}

async function submitSchedule(ctx: AppContext, c: Context<AppEnv>, viewer: Viewer, scheduleId: string | null) {
  const form = await c.req.parseBody();
  const name = typeof form.name === 'string' ? form.name.trim() : '';
  const rotation = rotationFrom(form, 'r');
  if (!rotation) return show(ctx, c, viewer, ['通常の交代制: 担当する人に順番を入れてください。'], 400);
  const parsed = ScheduleDefinitionInput.safeParse({ rotation, restDayRotation: rotationFrom(form, 'rr') });
  if (!parsed.success || name === '' || name.length > 100) {
    const errors = parsed.success ? [] : issuesInJapanese(parsed.error.issues, labels);
    if (name === '' || name.length > 100) errors.push('当番表の名前: 1〜100文字で入力してください。');
    return show(ctx, c, viewer, errors, 400);
  }
  try {
    const saved = await saveSchedule(ctx, viewer.auth.orgId, scheduleId, { name, definition: parsed.data }, requestActor(c));
    return c.redirect(`/settings/oncall?schedule=${saved.id}&done=saved`, 303);
  } catch (err) {
    return show(ctx, c, viewer, [refusalMessage(err)], 400);
  }
}

const scheduleId = (c: Context<AppEnv>) => pathNumber(c, 'scheduleId', '当番表の番号');

export const oncallPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/oncall',
    action: 'oncall.read',
    handler: (ctx) => async (c, viewer) => show(ctx, c, viewer),
  }),
  definePage({
    method: 'post',
    path: '/settings/oncall/policy',
    action: 'oncall.manage',
    handler: (ctx) => async (c, viewer) => {
      const form = await c.req.parseBody();
      const text = (k: string) => (typeof form[k] === 'string' ? form[k].trim() : '');
      const levels: { timeoutMinutes: number; targets: Target[] }[] = [];
      for (let i = 0; i < 10; i++) {
        const targets: Target[] = [
          ...Object.keys(form)
            .filter((k) => k.startsWith(`lv${i}_s_`))
            .map((k) => ({ type: 'schedule' as const, scheduleId: k.slice(`lv${i}_s_`.length) })),
          ...Object.keys(form)
            .filter((k) => k.startsWith(`lv${i}_u_`))
            .map((k) => ({ type: 'user' as const, userId: k.slice(`lv${i}_u_`.length) })),
          ...lines(text(`lv${i}_addresses`)).map((address) => ({ type: 'address' as const, address })),
        ];
        if (targets.length > 0)
          levels.push({ timeoutMinutes: /^\d{1,5}$/.test(text(`lv${i}_timeout`)) ? Number(text(`lv${i}_timeout`)) : -1, targets });
      }
      const parsed = PolicyBody.safeParse({ levels, repeat: /^\d{1,3}$/.test(text('repeat')) ? Number(text('repeat')) : -1 });
      if (!parsed.success) return show(ctx, c, viewer, issuesInJapanese(parsed.error.issues, labels), 400);
      try {
        await savePolicy(ctx, viewer.auth.orgId, parsed.data, requestActor(c));
      } catch (err) {
        return show(ctx, c, viewer, [refusalMessage(err)], 400);
      }
      return c.redirect(`/settings/oncall?done=policy#oc-pol`, 303);
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/oncall/new',
    action: 'oncall.manage',
    handler: (ctx) => async (c, viewer) => submitSchedule(ctx, c, viewer, null),
  }),
  definePage({
    method: 'post',
    path: '/settings/oncall/:scheduleId',
    action: 'oncall.manage',
    handler: (ctx) => async (c, viewer) => submitSchedule(ctx, c, viewer, scheduleId(c)),
  }),
  definePage({
    method: 'post',
    path: '/settings/oncall/:scheduleId/overrides',
    action: 'oncall.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = scheduleId(c);
      const form = await c.req.parseBody();
      const when = (k: string) => {
        const t = jstLocal.safeParse(form[k]);
        return t.success ? t.data.toISOString() : '';
      };
      const parsed = OverrideBody.safeParse({ userId: form.userId, startsAt: when('startsAt'), endsAt: when('endsAt') });
      if (!parsed.success) return show(ctx, c, viewer, issuesInJapanese(parsed.error.issues, labels), 400);
      try {
        await addOverride(ctx, viewer.auth.orgId, id, parsed.data, requestActor(c));
      } catch (err) {
        return show(ctx, c, viewer, [refusalMessage(err)], 400);
      }
      const start = formatJstDateTime(parsed.data.startsAt);
      return c.redirect(`/settings/oncall?schedule=${id}&month=${start.slice(0, 4)}-${start.slice(5, 7)}&done=override`, 303);
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/oncall/:scheduleId/overrides/:overrideId/remove',
    action: 'oncall.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = scheduleId(c);
      await removeOverride(ctx, viewer.auth.orgId, id, pathNumber(c, 'overrideId', '代理の番号'), requestActor(c));
      return c.redirect(`/settings/oncall?schedule=${id}&done=removed`, 303);
    },
  }),
];
