/** @jsxImportSource hono/jsx */
import type { AppContext } from '../../context.ts';
import type { Context } from 'hono';
import { nextRunAt } from '../../collection/scheduler.ts';
import { listSourceRuns } from '../../collection/source-runs.ts';
import { addSource, definitionFor, getSource, listSources, type SourceRecord } from '../../collection/sources.ts';
import { testSourceConnection } from '../../collection/test-source.ts';
import { updateSource } from '../../collection/update-source.ts';
import { ValidationError } from '../../errors.ts';
import { requestActor } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { sourceTypes, type SourceType } from '../../mention.ts';
import { addableTypes, configForms, configFromForm, otherConfig } from '../../sources/config-form.ts';
import { pathNumber } from '../forms.ts';
import { refusalMessage } from '../settings-form.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, type PageDefinition } from '../page.tsx';
import { SourceFormPage, SourcesPage, sourceFormValues, type SourceFormValues, type SourceSummary } from '../pages/settings-sources.tsx';

// Sources: the list with each one's state, a form per type (add, change), the connection test,
// enable and disable. The verbs validate (the type's own parseConfig, the operator's rules); a
// refusal shows the form again as typed with the message, credentials never echoed back.

async function summarise(ctx: AppContext, source: SourceRecord, runs = 5): Promise<SourceSummary> {
  const def = definitionFor(ctx, source.type);
  return {
    source,
    runs: def.collect ? (await listSourceRuns(ctx, source.orgId, source.id)).slice(0, runs) : [],
    nextRun: def.collect && source.enabled ? nextRunAt(source.schedule) : null,
    webhookUrl: def.webhook ? `${ctx.config.mail.publicUrl}/webhooks/${source.id}` : null,
  };
}

function typeFrom(c: Context<AppEnv>): SourceType {
  const type = c.req.query('type') ?? '';
  if (!(sourceTypes as readonly string[]).includes(type) || !addableTypes.includes(type as SourceType)) {
    throw new ValidationError('収集元の種類が正しくありません');
  }
  return type as SourceType;
}

/** The credentials typed: a value sets, 消去する clears, blank leaves as stored. */
function credentialsFrom(form: Record<string, unknown>, names: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of names) {
    const value = form[`cred_${name}`];
    if (typeof value === 'string' && value.trim() !== '') out[name] = value.trim();
    else if (form[`clear_${name}`] === 'on') out[name] = null;
  }
  return out;
}

function typedValues(form: Record<string, unknown>, type: SourceType): SourceFormValues {
  const text = (k: string) => (typeof form[k] === 'string' ? form[k].slice(0, 100_000) : '');
  const fields: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(form)) if (k.startsWith('cfg_') && typeof v === 'string') fields[k.slice(4)] = v.slice(0, 100_000);
  // An unticked checkbox is not sent at all.
  for (const f of configForms[type]) if (f.kind === 'boolean') fields[f.name] = form[`cfg_${f.name}`] === 'on';
  return { name: text('name'), schedule: text('schedule'), fields, otherConfig: text('otherConfig') };
}

async function formPage(
  ctx: AppContext,
  c: Context<AppEnv>,
  viewer: Viewer,
  type: SourceType,
  source: SourceRecord | null,
  extra: { values?: SourceFormValues; errors?: string[]; test?: Awaited<ReturnType<typeof testSourceConnection>>; flash?: string } = {},
) {
  const def = definitionFor(ctx, type);
  const values = extra.values ?? {
    name: source?.name ?? def.label.replace(/ \(.*\)$/, ''),
    schedule: source?.schedule ?? def.defaultSchedule,
    ...sourceFormValues(type, source?.config ?? {}),
    otherConfig: source ? otherConfig(type, source.config) : '',
  };
  const credentials = def.credentials.map((slot) => {
    const state = source?.credentials.find((c) => c.name === slot.name);
    return { name: slot.name, label: slot.label, required: state?.required ?? false, set: state?.set ?? false };
  });
  const errors = extra.errors ?? [];
  return c.html(
    <SourceFormPage
      viewer={viewer}
      type={type}
      typeLabel={def.label}
      summary={source ? await summarise(ctx, source) : null}
      values={values}
      credentials={credentials}
      pull={Boolean(def.collect)}
      errors={errors}
      test={extra.test}
      flash={extra.flash}
    />,
    errors.length > 0 ? 400 : 200,
  );
}

const sourceId = (c: Context<AppEnv>) => pathNumber(c, 'sourceId', '収集元の番号');

const flashes: Record<string, string> = {
  added: '追加しました。「接続テスト」で確かめられます。',
  saved: '保存しました。次の収集から新しい設定を使います。',
  enabled: '有効にしました。',
  disabled: '無効にしました。収集は止まります。',
};

async function listPage(ctx: AppContext, c: Context<AppEnv>, viewer: Viewer) {
  const sources = await listSources(ctx, { orgId: viewer.auth.orgId });
  const summaries = await Promise.all(sources.map((s) => summarise(ctx, s)));
  const addable = addableTypes.map((type) => ({ type, label: definitionFor(ctx, type).label }));
  return c.html(<SourcesPage viewer={viewer} sources={summaries} addable={addable} flash={flashes[c.req.query('done') ?? '']} />);
}

export const sourcePages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/sources',
    action: 'sources.read',
    handler: (ctx) => async (c, viewer) => listPage(ctx, c, viewer),
  }),
  definePage({
    method: 'get',
    path: '/settings/sources/new',
    action: 'sources.manage',
    // Without a type: the sources page, whose first card is the choice of type.
    handler: (ctx) => async (c, viewer) => (c.req.query('type') ? formPage(ctx, c, viewer, typeFrom(c), null) : listPage(ctx, c, viewer)),
  }),
  definePage({
    method: 'post',
    path: '/settings/sources/new',
    action: 'sources.manage',
    handler: (ctx) => async (c, viewer) => {
      const type = typeFrom(c);
      const def = definitionFor(ctx, type);
      const form = await c.req.parseBody();
      const values = typedValues(form, type);
      const { config, errors } = configFromForm(type, form);
      if (!config) return formPage(ctx, c, viewer, type, null, { values, errors });
      try {
        const created = await addSource(
          ctx,
          {
            orgId: viewer.auth.orgId,
            type,
            name: values.name.trim(),
            config,
            schedule: def.collect ? values.schedule.trim() || undefined : undefined,
            credentials: credentialsFrom(
              form,
              def.credentials.map((s) => s.name),
            ),
          },
          requestActor(c),
        );
        return c.redirect(`/settings/sources/${created.id}?done=added`, 303);
      } catch (err) {
        return formPage(ctx, c, viewer, type, null, { values, errors: [refusalMessage(err)] });
      }
    },
  }),
  definePage({
    method: 'get',
    path: '/settings/sources/:sourceId',
    action: 'sources.manage',
    handler: (ctx) => async (c, viewer) => {
      const source = await getSource(ctx, sourceId(c), viewer.auth.orgId);
      return formPage(ctx, c, viewer, source.type, source, { flash: flashes[c.req.query('done') ?? ''] });
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/sources/:sourceId',
    action: 'sources.manage',
    handler: (ctx) => async (c, viewer) => {
      const source = await getSource(ctx, sourceId(c), viewer.auth.orgId);
      const def = definitionFor(ctx, source.type);
      const form = await c.req.parseBody();
      const values = typedValues(form, source.type);
      const { config, errors } = configFromForm(source.type, form);
      if (!config) return formPage(ctx, c, viewer, source.type, source, { values, errors });
      const credentials = credentialsFrom(
        form,
        def.credentials.map((s) => s.name),
      );
      try {
        await updateSource(
          ctx,
          source.id,
          viewer.auth.orgId,
          {
            name: values.name.trim(),
            ...(def.collect ? { schedule: values.schedule.trim() } : {}),
            config,
            ...(Object.keys(credentials).length > 0 ? { credentials } : {}),
          },
          requestActor(c),
        );
        return c.redirect(`/settings/sources/${source.id}?done=saved`, 303);
      } catch (err) {
        return formPage(ctx, c, viewer, source.type, source, { values, errors: [refusalMessage(err)] });
      }
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/sources/:sourceId/test',
    action: 'sources.manage',
    handler: (ctx) => async (c, viewer) => {
      const id = sourceId(c);
      const test = await testSourceConnection(ctx, viewer.auth.orgId, id, requestActor(c));
      const source = await getSource(ctx, id, viewer.auth.orgId);
      return formPage(ctx, c, viewer, source.type, source, { test });
    },
  }),
  ...(['enable', 'disable'] as const).map((verb) =>
    definePage({
      method: 'post',
      path: `/settings/sources/:sourceId/${verb}`,
      action: 'sources.manage',
      handler: (ctx) => async (c, viewer) => {
        await updateSource(ctx, sourceId(c), viewer.auth.orgId, { enabled: verb === 'enable' }, requestActor(c));
        return c.redirect(`/settings/sources?done=${verb}d`, 303);
      },
    }),
  ),
];
