/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { riskCategoryNames } from '../../analysis/index.ts';
import { listUsers, nameOf } from '../../auth/users.ts';
import { requestActor } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { playbookSteps, type PlaybookStep } from '../../incidents/playbook.ts';
import { currentPlaybook, getPlaybook, listPlaybookVersions } from '../../incidents/queries.ts';
import { savePlaybook } from '../../incidents/save-playbook.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { issuesInJapanese, lines, refusalMessage } from '../settings-form.ts';
import { PlaybookPage } from '../pages/settings-playbook.tsx';

// The playbook: the current (or an earlier) version and a form that saves the next one.

const labels: Record<string, string> = {
  '': '手順',
  key: '手順の識別子',
  title: '手順',
  ownerRole: '担当',
  dueOffsetMinutes: '期限（0〜129600分）',
  checklist: 'チェックリスト',
  when: '条件',
};

/** Who saved a version: a person's name, the command line, or the system. */
function savedBy(names: (ref: unknown) => string, ref: string | null): string {
  if (ref === null) return 'システム';
  if (ref.startsWith('user:')) return names(ref);
  if (ref.startsWith('cli:')) return `コマンドライン（${ref.slice(4)}）`;
  return 'システム';
}

async function show(ctx: AppContext, c: Context<AppEnv>, viewer: Viewer, errors: string[] = []) {
  const orgId = viewer.auth.orgId;
  const asked = c.req.query('version');
  const version = asked !== undefined && /^\d{1,7}$/.test(asked) ? Number(asked) : undefined;
  const [current, playbook, versions, users] = await Promise.all([
    currentPlaybook(ctx.sql, orgId),
    getPlaybook(ctx.sql, orgId, version),
    listPlaybookVersions(ctx.sql, orgId),
    listUsers(ctx.sql, orgId),
  ]);
  const names = nameOf(users);
  const flash =
    c.req.query('done') === 'saved' ? `第${current.version}版として保存しました。これから始まるインシデントで使われます。` : undefined;
  return c.html(
    <PlaybookPage
      viewer={viewer}
      playbook={playbook}
      viewing={version ?? null}
      current={current.version}
      versions={versions.map((x) => ({ ...x, createdBy: savedBy(names, x.createdBy) }))}
      riskCategories={riskCategoryNames()}
      errors={errors}
      flash={flash}
    />,
    errors.length > 0 ? 400 : 200,
  );
}

/** The steps the form describes, in the order their numbers say (new rows only when written). */
function stepsFrom(form: Record<string, unknown>): unknown[] {
  const text = (k: string) => (typeof form[k] === 'string' ? form[k].slice(0, 20_000) : '');
  const count = Math.min(Number(text('count')) || 0, 60);
  const keys = new Set<string>();
  const steps: { order: number; moved: boolean; step: Record<string, unknown> }[] = [];
  for (let i = 0; i < count; i++) {
    const p = `st${i}`;
    const title = text(`${p}_title`).trim();
    if (form[`${p}_delete`] === 'on' || (text(`${p}_key`) === '' && title === '')) continue;
    // A new step's key: from its position, made unique (the key ties tasks to their step).
    let key = text(`${p}_key`) || `step-${i + 1}`;
    while (keys.has(key)) key = `${key}-2`;
    keys.add(key);
    const minSeverity = text(`${p}_minSeverity`);
    const risks = lines(text(`${p}_risks`));
    const due = text(`${p}_due`).trim();
    const order = Number(text(`${p}_order`)) || i + 1;
    steps.push({
      order,
      // A step moved to a place another holds goes before it: that is what typing its number meant.
      moved: order !== i + 1,
      step: {
        key,
        title,
        ownerRole: text(`${p}_ownerRole`),
        dueOffsetMinutes: /^\d{1,7}$/.test(due) ? Number(due) : -1,
        checklist: lines(text(`${p}_checklist`)),
        when: { ...(minSeverity ? { minSeverity: Number(minSeverity) } : {}), ...(risks.length > 0 ? { riskCategories: risks } : {}) },
        required: form[`${p}_required`] === 'on',
      },
    });
  }
  return steps.sort((a, b) => a.order - b.order || Number(b.moved) - Number(a.moved)).map((s) => s.step);
}

export const playbookPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/playbook',
    action: 'playbooks.read',
    handler: (ctx) => async (c, viewer) => show(ctx, c, viewer),
  }),
  definePage({
    method: 'post',
    path: '/settings/playbook',
    action: 'playbooks.manage',
    handler: (ctx) => async (c, viewer) => {
      const parsed = playbookSteps.safeParse(stepsFrom(await c.req.parseBody()));
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => {
          const at = typeof i.path[0] === 'number' ? `手順${i.path[0] + 1}の` : '';
          return `${at}${issuesInJapanese([{ ...i, path: i.path.slice(1) }], labels)[0]}`;
        });
        return show(ctx, c, viewer, errors);
      }
      try {
        await savePlaybook(ctx, viewer.auth.orgId, { steps: parsed.data as PlaybookStep[] }, requestActor(c));
      } catch (err) {
        return show(ctx, c, viewer, [refusalMessage(err)]);
      }
      return c.redirect('/settings/playbook?done=saved', 303);
    },
  }),
];
