/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { z } from 'zod';
import { riskCategoryNames } from '../../analysis/index.ts';
import { activePeople, listUsers } from '../../auth/users.ts';
import { listSources } from '../../collection/sources.ts';
import { ValidationError } from '../../errors.ts';
import { requestActor } from '../../http/actor.ts';
import type { AppEnv } from '../../http/env.ts';
import { cleanText, id as idSchema, query } from '../../http/schemas.ts';
import { addMentionNote } from '../../mentions/add-mention-note.ts';
import { exportMentions } from '../../mentions/export-mentions.ts';
import { triageStatuses } from '../../mentions/queries.ts';
import { triageMention } from '../../mentions/triage-mention.ts';
import { viewMentionDetail } from '../../mentions/view-mention.ts';
import { feedFields, feedFilter, viewMentions, type MentionViewer } from '../../mentions/view-mentions.ts';
import { listWatchTargets } from '../../organizations/organizations.ts';
import { mentionsCsv } from '../csv.ts';
import { formOf, optionalText, pathNumber, jstLocal } from '../forms.ts';
import type { Viewer } from '../layout.tsx';
import { definePage, safeNext, type PageDefinition } from '../page.tsx';
import { feedFormFields, MentionsPage, periods, type FeedForm, type FeedOptions } from '../pages/mentions.tsx';
import { MentionPage } from '../pages/mention.tsx';

// The mention feed, its CSV, one post, and the post's forms (triage, note, the audited reveals).

const pageQuery = z.object({
  ...feedFields,
  period: query.oneOf(Object.keys(periods) as [keyof typeof periods, ...(keyof typeof periods)[]]),
  cursor: query.text(200),
});
const periodMs: Record<keyof typeof periods, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** The feed's query string: filters (an unreadable one is a 400 page, not a silently wider feed). */
function readFeedQuery(c: Context<AppEnv>, now: Date) {
  const parsed = pageQuery.safeParse(c.req.query());
  if (!parsed.success)
    throw new ValidationError(`絞り込みの条件を確認してください: ${parsed.error.issues.map((i) => i.message).join(' / ')}`);
  const { period, cursor, ...q } = parsed.data;
  const from = q.from ?? (period ? new Date(now.getTime() - periodMs[period]) : undefined);
  return { q: { ...q, from }, period, cursor, range: { from: q.from, to: q.to } };
}

function viewerOfMentions(c: Context<AppEnv>, viewer: Viewer, revealPii = false): MentionViewer {
  return { actor: requestActor(c), revealPii, includePrivate: viewer.may('mentions.read_private') };
}

const activeUsers = async (ctx: Parameters<PageDefinition['handler']>[0], orgId: string) => activePeople(await listUsers(ctx.sql, orgId));

/** The query string without the cursor, for the next page, the CSV and coming back after a quick triage. */
function queryWithout(c: Context<AppEnv>, drop: string[]): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(c.req.query())) if (!drop.includes(k) && v !== '') params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function showMention(
  ctx: Parameters<PageDefinition['handler']>[0],
  c: Context<AppEnv>,
  viewer: Viewer,
  reveal: { pii?: boolean; raw?: boolean; flash?: string },
) {
  const id = pathNumber(c, 'mentionId', '投稿番号');
  const [detail, users] = await Promise.all([
    viewMentionDetail(ctx, { ...viewerOfMentions(c, viewer, reveal.pii), raw: reveal.raw ?? false }, viewer.auth.orgId, id),
    activeUsers(ctx, viewer.auth.orgId),
  ]);
  const done = c.req.query('done');
  const flash = reveal.flash ?? (done === 'triage' ? '対応を保存しました。' : done === 'note' ? 'メモを追加しました。' : undefined);
  return c.html(<MentionPage viewer={viewer} m={detail.mention} history={detail.history} users={users} raw={detail.raw} flash={flash} />);
}

const clearable = <T extends z.ZodType>(schema: T) => z.union([z.literal('').transform(() => null), schema]).optional();

const triageForm = z.object({
  status: z.enum(triageStatuses).optional(),
  assigneeId: clearable(idSchema()),
  repliedAt: clearable(jstLocal),
  next: optionalText(2000),
});

export const mentionPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/mentions',
    action: 'mentions.read',
    handler: (ctx) => async (c, viewer) => {
      const orgId = viewer.auth.orgId;
      const { q, cursor, range } = readFeedQuery(c, viewer.now);
      const mv = viewerOfMentions(c, viewer);
      const [page, sources, targets, users] = await Promise.all([
        viewMentions(ctx, mv, feedFilter(ctx, orgId, q, { limit: 50, cursor })),
        listSources(ctx, { orgId }),
        listWatchTargets(ctx.db, orgId),
        activeUsers(ctx, orgId),
      ]);
      const options: FeedOptions = {
        sources: sources.map((s) => ({ id: s.id, name: s.name, type: s.type })),
        targets: targets.map((t) => ({ id: t.id, name: t.name })),
        users,
        riskCategories: riskCategoryNames(),
      };
      const raw = c.req.query();
      const form = Object.fromEntries(feedFormFields.map((k) => [k, typeof raw[k] === 'string' ? raw[k] : ''])) as FeedForm;
      const filters = queryWithout(c, ['cursor']);
      const here = `/mentions${queryWithout(c, [])}`;
      const nextHref = page.nextCursor ? `/mentions${filters ? `${filters}&` : '?'}cursor=${encodeURIComponent(page.nextCursor)}` : null;
      return c.html(
        <MentionsPage
          viewer={viewer}
          items={page.items}
          form={form}
          options={options}
          range={range}
          nextHref={nextHref}
          csvHref={`/mentions.csv${filters}`}
          here={here}
        />,
      );
    },
  }),
  definePage({
    method: 'get',
    path: '/mentions.csv',
    action: 'mentions.export',
    handler: (ctx) => async (c, viewer) => {
      const { q } = readFeedQuery(c, viewer.now);
      const mv = viewerOfMentions(c, viewer);
      const { items } = await exportMentions(ctx, mv, feedFilter(ctx, viewer.auth.orgId, q));
      const stamp = new Date(viewer.now.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      return c.body(mentionsCsv(items), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="hinoko-mentions-${stamp}.csv"`,
      });
    },
  }),
  definePage({
    method: 'get',
    path: '/mentions/:mentionId',
    action: 'mentions.read',
    handler: (ctx) => async (c, viewer) => showMention(ctx, c, viewer, {}),
  }),
  definePage({
    method: 'post',
    path: '/mentions/:mentionId/reveal',
    action: 'mentions.read_pii',
    handler: (ctx) => async (c, viewer) =>
      showMention(ctx, c, viewer, { pii: true, flash: '個人情報を伏せずに表示しています。この閲覧は監査ログに記録されました。' }),
  }),
  definePage({
    method: 'post',
    path: '/mentions/:mentionId/raw',
    action: 'mentions.read_raw',
    handler: (ctx) => async (c, viewer) =>
      showMention(ctx, c, viewer, {
        raw: true,
        flash: 'プラットフォームから届いたデータを表示しています。この閲覧は監査ログに記録されました。',
      }),
  }),
  definePage({
    method: 'post',
    path: '/mentions/:mentionId/triage',
    action: 'mentions.triage',
    handler: (ctx) => async (c, viewer) => {
      const id = pathNumber(c, 'mentionId', '投稿番号');
      const { next, ...change } = await formOf(c, triageForm);
      const by = { userId: viewer.auth.userId, includePrivate: viewer.may('mentions.read_private') };
      await triageMention(ctx, viewer.auth.orgId, id, change, by, requestActor(c));
      return c.redirect(next ? safeNext(next) : `/mentions/${id}?done=triage`, 303);
    },
  }),
  definePage({
    method: 'post',
    path: '/mentions/:mentionId/notes',
    action: 'mentions.triage',
    handler: (ctx) => async (c, viewer) => {
      const id = pathNumber(c, 'mentionId', '投稿番号');
      const { body } = await formOf(c, z.object({ body: cleanText(2000) }));
      const by = { userId: viewer.auth.userId, includePrivate: viewer.may('mentions.read_private') };
      await addMentionNote(ctx, viewer.auth.orgId, id, { body }, by, requestActor(c));
      return c.redirect(`/mentions/${id}?done=note`, 303);
    },
  }),
];
