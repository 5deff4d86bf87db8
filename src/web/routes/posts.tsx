/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { z } from 'zod';
import { listUsers } from '../../auth/users.ts';
import type { AppEnv } from '../../http/env.ts';
import { requestActor, requestAuth } from '../../http/actor.ts';
import { cleanText, timeInput } from '../../http/schemas.ts';
import { approvePost } from '../../post-review/approve-post.ts';
import { channels } from '../../post-review/channels.ts';
import { createPost } from '../../post-review/create-post.ts';
import { editPost } from '../../post-review/edit-post.ts';
import { exportPost } from '../../post-review/export-post.ts';
import { linkPost } from '../../post-review/link-post.ts';
import { publishPost } from '../../post-review/publish-post.ts';
import { getPost, listPosts } from '../../post-review/queries.ts';
import { schedulePost } from '../../post-review/schedule-post.ts';
import { submitPost } from '../../post-review/submit-post.ts';
import { withdrawPost } from '../../post-review/withdraw-post.ts';
import { actorKey } from '../../statements/queries.ts';
import { formOf, optionalText, pathNumber } from '../forms.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { PostPage, PostsPage } from '../pages/posts.tsx';

// The clinic's own posts (issue 17): the list with a new draft, the editor with the findings
// marked, and the review workflow's forms — each one verb, then back to the post with a note.

const flashes: Record<string, string> = {
  edit: '保存し、チェックしました。',
  submit: '確認を依頼しました。',
  approve: '承認しました。',
  schedule: '公開を予約しました。',
  publish: '公開済みにしました。',
  link: '公開先を登録しました。',
  withdraw: '取り下げました。',
};

const version = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, '版が正しくありません')
  .transform(Number);
/** Where a published post went out (both optional). */
const publishedAs = z.object({
  version,
  url: optionalText(2000).refine((v) => v === undefined || /^https?:\/\/\S+$/i.test(v), '公開した投稿のURL（https://…）を入力してください'),
  externalId: optionalText(512).refine((v) => v === undefined || /^[\x21-\x7e]+$/.test(v), '投稿IDは英数字と記号で入力してください'),
});
const content = z.object({
  channel: z.enum(channels, { error: 'チャネルを選んでください' }),
  text: cleanText(100_000),
  imageAlt: cleanText(2000, 0).optional(),
  imageDescription: cleanText(2000, 0).optional(),
});
const imagesOf = (form: z.infer<typeof content>) =>
  form.imageAlt || form.imageDescription ? [{ alt: form.imageAlt ?? '', description: form.imageDescription ?? '' }] : [];

function postMoves(): PageDefinition[] {
  const path = (move: string) => `/posts/:postId/${move}`;
  const postId = (c: Context<AppEnv>) => pathNumber(c, 'postId', '投稿番号');
  const back = (c: Context<AppEnv>, id: string, done: string) => c.redirect(`/posts/${id}?done=${done}`, 303);
  return [
    definePage({
      method: 'post',
      path: path('edit'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        const form = await formOf(c, content.extend({ version }));
        await editPost(
          ctx,
          viewer.auth.orgId,
          id,
          { version: form.version, channel: form.channel, text: form.text, images: imagesOf(form) },
          requestActor(c),
        );
        return back(c, id, 'edit');
      },
    }),
    definePage({
      method: 'post',
      path: path('submit'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        await submitPost(ctx, viewer.auth.orgId, id, (await formOf(c, z.object({ version }))).version, requestActor(c));
        return back(c, id, 'submit');
      },
    }),
    definePage({
      method: 'post',
      path: path('approve'),
      action: 'posts.review',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        const raw = await c.req.parseBody();
        const { version: read } = await formOf(c, z.object({ version }));
        // One reason per blocking finding, named override:<findingId> in the form.
        const overrides = Object.entries(raw)
          .flatMap(([k, v]) => (k.startsWith('override:') && typeof v === 'string' && v.trim() !== '' ? [[k, v.trim()] as const] : []))
          .map(([k, v]) => ({ findingId: k.slice('override:'.length, 300 + 9), reason: v.slice(0, 1000) }))
          .slice(0, 100);
        await approvePost(ctx, viewer.auth.orgId, id, { version: read, overrides }, requestActor(c), requestAuth(c).role);
        return back(c, id, 'approve');
      },
    }),
    definePage({
      method: 'post',
      path: path('schedule'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        // datetime-local gives JST wall time without a zone.
        const form = await formOf(
          c,
          z.object({ version, plannedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, '公開予定の日時を入力してください') }),
        );
        const plannedAt = timeInput().parse(`${form.plannedAt}:00+09:00`);
        await schedulePost(ctx, viewer.auth.orgId, id, { version: form.version, plannedAt }, requestActor(c));
        return back(c, id, 'schedule');
      },
    }),
    definePage({
      method: 'post',
      path: path('publish'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        const form = await formOf(c, publishedAs);
        await publishPost(ctx, viewer.auth.orgId, id, form, requestActor(c));
        return back(c, id, 'publish');
      },
    }),
    definePage({
      method: 'post',
      path: path('link'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        const form = await formOf(
          c,
          publishedAs.refine((f) => f.url || f.externalId, { message: '公開した投稿のURLか投稿IDを入力してください', path: ['url'] }),
        );
        await linkPost(ctx, viewer.auth.orgId, id, form, requestActor(c));
        return back(c, id, 'link');
      },
    }),
    definePage({
      method: 'post',
      path: path('export'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const out = await exportPost(ctx, viewer.auth.orgId, postId(c), requestActor(c));
        // A download: the request body for the channel's API, as approved.
        return c.body(JSON.stringify(out, null, 2), 200, {
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="post-${out.postId}-v${out.version}-${out.channel}.json"`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: path('withdraw'),
      action: 'posts.write',
      handler: (ctx) => async (c, viewer) => {
        const id = postId(c);
        await withdrawPost(ctx, viewer.auth.orgId, id, await formOf(c, z.object({ version, reason: cleanText(1000) })), requestActor(c));
        return back(c, id, 'withdraw');
      },
    }),
  ];
}

export const postPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/posts',
    action: 'posts.read',
    handler: (ctx) => async (c, viewer) => {
      const [posts, people] = await Promise.all([listPosts(ctx.sql, viewer.auth.orgId, {}), listUsers(ctx.sql, viewer.auth.orgId)]);
      return c.html(<PostsPage viewer={viewer} posts={posts} names={new Map(people.map((p) => [p.id, p.name]))} />);
    },
  }),
  definePage({
    method: 'post',
    path: '/posts',
    action: 'posts.write',
    handler: (ctx) => async (c, viewer) => {
      const form = await formOf(c, content);
      const post = await createPost(
        ctx,
        viewer.auth.orgId,
        { channel: form.channel, text: form.text, images: imagesOf(form) },
        requestActor(c),
      );
      return c.redirect(`/posts/${post.id}`, 303);
    },
  }),
  definePage({
    method: 'get',
    path: '/posts/:postId',
    action: 'posts.read',
    handler: (ctx) => async (c, viewer) => {
      const id = pathNumber(c, 'postId', '投稿番号');
      const [post, people] = await Promise.all([getPost(ctx.sql, viewer.auth.orgId, id), listUsers(ctx.sql, viewer.auth.orgId)]);
      const me = actorKey(requestActor(c));
      const isWriter = post.authorId === me || post.versions.some((v) => v.edited_by === me);
      return c.html(
        <PostPage
          viewer={viewer}
          post={post}
          names={new Map(people.map((p) => [p.id, p.name]))}
          isWriter={isWriter}
          approvedByMe={post.approvals.some((a) => a.reviewerId === me)}
          flash={flashes[c.req.query('done') ?? '']}
        />,
      );
    },
  }),
  ...postMoves(),
];
