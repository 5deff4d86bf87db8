/** @jsxImportSource hono/jsx */
import type { ReviewSettings } from '../../post-review/queries.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { FormErrors, SettingsNav } from './settings-nav.tsx';

// 公開前チェックの設定: how many colleagues approve a post, and what the institution publishes about
// itself (its phone numbers, addresses, doctors' names), which the checker then allows.

export function PostReviewSettingsPage(props: { viewer: Viewer; settings: ReviewSettings; flash?: string; errors?: string[] }) {
  const v = props.viewer;
  const s = props.settings;
  const manage = v.may('settings.manage');
  return (
    <Layout viewer={v} title="公開前チェックの設定" current="/settings">
      <SettingsNav viewer={v} current="/settings/posts" />
      <h1>
        公開前チェック <span class="en">Pre-publication review</span>
      </h1>
      <Flash message={props.flash} />
      <FormErrors errors={props.errors ?? []} />
      <section class="card" aria-labelledby="pr-form">
        <h2 id="pr-form">承認と当院の公開情報</h2>
        <p class="muted">
          当院の投稿は、作成・編集した人以外のここで決めた人数が承認すると公開できます。当院が公開している電話番号・住所・医師名は、投稿に書いても個人情報として指摘しません。
        </p>
        <form method="post" action="/settings/posts">
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <div class="field">
            <label for="pr-reviewers">承認に必要な人数</label>
            <select id="pr-reviewers" name="reviewersRequired" disabled={!manage}>
              {[1, 2, 3, 4, 5].map((n) => (
                <option value={String(n)} selected={s.reviewersRequired === n}>
                  {n}人{n === 2 ? '（おすすめ）' : ''}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="pr-phones">当院の電話番号（1行に1つ）</label>
            <textarea id="pr-phones" name="phones" rows={3} maxlength={500} disabled={!manage}>
              {s.own.phones.join('\n')}
            </textarea>
          </div>
          <div class="field">
            <label for="pr-addresses">当院の住所（1行に1つ）</label>
            <textarea id="pr-addresses" name="addresses" rows={3} maxlength={2100} disabled={!manage}>
              {s.own.addresses.join('\n')}
            </textarea>
          </div>
          <div class="field">
            <label for="pr-names">投稿に名前を載せてよい医師・職員（1行に1人）</label>
            <textarea id="pr-names" name="names" rows={5} maxlength={2100} disabled={!manage}>
              {s.own.names.join('\n')}
            </textarea>
          </div>
          {manage ? <button type="submit">保存する</button> : <p class="muted">変更できるのは管理者です。</p>}
        </form>
      </section>
    </Layout>
  );
}
