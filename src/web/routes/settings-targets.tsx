/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { listSources } from '../../collection/sources.ts';
import { requestActor, requestAuth } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { createWatchTarget, listWatchTargets, type WatchTargetInput } from '../../organizations/organizations.ts';
import { removeWatchTarget } from '../../organizations/remove-watch-target.ts';
import { WatchTargetFields } from '../../organizations/routes.ts';
import { updateWatchTarget } from '../../organizations/update-watch-target.ts';
import { previewTargetQueries } from '../../sources/query-preview.ts';
import { NotFoundError } from '../../errors.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { pathNumber } from '../forms.ts';
import { issuesInJapanese, lines } from '../settings-form.ts';
import { formValues, handleNetworks, WatchTargetFormPage, WatchTargetsPage, type TargetFormValues } from '../pages/settings-targets.tsx';

// Watch targets: list with the searches they produce, add, change (preview before saving), remove.

const fieldLabels = { name: '表示名', names: '名前', keywords: 'キーワード', handles: '公式アカウント', exclusions: '除外語' };

/** The form as typed, and the target it would save (or what is wrong with it, in Japanese). */
function readForm(form: Record<string, unknown>): { values: TargetFormValues; input: WatchTargetInput | null; errors: string[] } {
  const text = (k: string) => (typeof form[k] === 'string' ? form[k].slice(0, 20_000) : '');
  const handles: Record<string, string> = {};
  for (const n of handleNetworks) {
    const h = text(`handle_${n}`).trim();
    if (h) handles[n] = h;
  }
  const errors: string[] = [];
  for (const line of lines(text('otherHandles'))) {
    const at = line.indexOf('=');
    if (at <= 0) errors.push(`その他のアカウント: 「${line.slice(0, 40)}」は「ネットワーク=アカウント」の形にしてください。`);
    else handles[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  const values: TargetFormValues = {
    name: text('name'),
    names: text('names'),
    keywords: text('keywords'),
    exclusions: text('exclusions'),
    handles,
    otherHandles: text('otherHandles'),
  };
  const names = lines(values.names);
  const parsed = WatchTargetFields.safeParse({
    name: values.name.trim(),
    names: names.length > 0 ? names : [values.name.trim()],
    keywords: lines(values.keywords),
    handles,
    exclusions: lines(values.exclusions),
  });
  if (!parsed.success) errors.push(...issuesInJapanese(parsed.error.issues, fieldLabels));
  if (errors.length > 0 || !parsed.success) return { values, input: null, errors };
  const d = parsed.data;
  return {
    values,
    input: {
      name: d.name,
      names: d.names ?? [d.name],
      keywords: d.keywords ?? [],
      handles: d.handles ?? {},
      exclusions: d.exclusions ?? [],
    },
    errors,
  };
}

async function previewsFor(ctx: AppContext, orgId: string) {
  const sources = await listSources(ctx, { orgId });
  return (t: WatchTargetInput & { id?: string }) => previewTargetQueries({ id: t.id ?? 'preview', ...t }, sources);
}

/** Preview or save, for a new target (targetId null) or an existing one. */
async function submit(ctx: AppContext, c: Context<AppEnv>, viewer: Viewer, targetId: string | null) {
  const orgId = viewer.auth.orgId;
  const form = await c.req.parseBody();
  const { values, input, errors } = readForm(form);
  const preview = await previewsFor(ctx, orgId);
  if (input && form.intent === 'save') {
    if (targetId) await updateWatchTarget(ctx, orgId, targetId, input, requestActor(c));
    else await createWatchTarget(ctx, orgId, input, requestActor(c));
    return c.redirect(`/settings/targets?done=${targetId ? 'updated' : 'added'}`, 303);
  }
  const page = (
    <WatchTargetFormPage viewer={viewer} targetId={targetId} values={values} previews={input ? preview(input) : null} errors={errors} />
  );
  return c.html(page, errors.length > 0 ? 400 : 200);
}

async function targetOf(ctx: AppContext, orgId: string, targetId: string) {
  const target = (await listWatchTargets(ctx.db, orgId)).find((t) => t.id === targetId);
  if (!target) throw new NotFoundError('監視対象が見つかりません');
  return target;
}

const targetId = (c: Context<AppEnv>) => pathNumber(c, 'targetId', '監視対象の番号');

const flashes: Record<string, string> = {
  added: '追加しました。次の収集から検索されます。',
  updated: '保存しました。次の収集から新しい条件で検索されます。',
  removed: '外しました。',
};

export const watchTargetPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/targets',
    action: 'settings.read',
    handler: (ctx) => async (c, viewer) => {
      const [targets, preview] = await Promise.all([listWatchTargets(ctx.db, viewer.auth.orgId), previewsFor(ctx, viewer.auth.orgId)]);
      const items = targets.map((t) => ({ target: t, previews: preview(t) }));
      return c.html(<WatchTargetsPage viewer={viewer} targets={items} flash={flashes[c.req.query('done') ?? '']} />);
    },
  }),
  definePage({
    method: 'get',
    path: '/settings/targets/new',
    action: 'settings.manage',
    handler: () => async (c, viewer) =>
      c.html(<WatchTargetFormPage viewer={viewer} targetId={null} values={formValues(null)} previews={null} errors={[]} />),
  }),
  definePage({
    method: 'post',
    path: '/settings/targets/new',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => submit(ctx, c, viewer, null),
  }),
  definePage({
    method: 'get',
    path: '/settings/targets/:targetId',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => {
      const target = await targetOf(ctx, viewer.auth.orgId, targetId(c));
      const preview = await previewsFor(ctx, viewer.auth.orgId);
      return c.html(
        <WatchTargetFormPage viewer={viewer} targetId={target.id} values={formValues(target)} previews={preview(target)} errors={[]} />,
      );
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/targets/:targetId',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => {
      const target = await targetOf(ctx, viewer.auth.orgId, targetId(c));
      return submit(ctx, c, viewer, target.id);
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/targets/:targetId/remove',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => {
      await removeWatchTarget(ctx, viewer.auth.orgId, targetId(c), { userId: requestAuth(c).userId }, requestActor(c));
      return c.redirect('/settings/targets?done=removed', 303);
    },
  }),
];
