/** @jsxImportSource hono/jsx */
import { ValidationError } from '../../errors.ts';
import { requestActor } from '../../http/actor.ts';
import { reviewSettingsOf, type ReviewSettings } from '../../post-review/queries.ts';
import { updateReviewSettings } from '../../post-review/update-review-settings.ts';
import { definePage, type PageDefinition } from '../page.tsx';
import { PostReviewSettingsPage } from '../pages/settings-posts.tsx';
import { lines } from '../settings-form.ts';

// 公開前チェックの設定: the number of approvals and the institution's published details.

export const postReviewSettingsPages: readonly PageDefinition[] = [
  definePage({
    method: 'get',
    path: '/settings/posts',
    action: 'settings.read',
    handler: (ctx) => async (c, viewer) => {
      const settings = await reviewSettingsOf(ctx.sql, viewer.auth.orgId);
      return c.html(
        <PostReviewSettingsPage
          viewer={viewer}
          settings={settings}
          flash={c.req.query('done') === 'saved' ? '保存しました。' : undefined}
        />,
      );
    },
  }),
  definePage({
    method: 'post',
    path: '/settings/posts',
    action: 'settings.manage',
    handler: (ctx) => async (c, viewer) => {
      const form = await c.req.parseBody();
      const text = (name: string) => (typeof form[name] === 'string' ? form[name] : '');
      const input: ReviewSettings = {
        reviewersRequired: Number(text('reviewersRequired')),
        own: { phones: lines(form.phones), addresses: lines(form.addresses), names: lines(form.names) },
      };
      try {
        await updateReviewSettings(ctx, viewer.auth.orgId, input, requestActor(c));
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return c.html(<PostReviewSettingsPage viewer={viewer} settings={input} errors={[err.message]} />, 400);
      }
      return c.redirect('/settings/posts?done=saved', 303);
    },
  }),
];
