/** @jsxImportSource hono/jsx */
import { displayText } from '../../display.ts';
import type { WatchTarget, WatchTargetInput } from '../../organizations/organizations.ts';
import type { QueryPreview } from '../../sources/query-preview.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { sourceLabels } from '../labels.ts';
import { FormErrors, SettingsNav } from './settings-nav.tsx';

// Watch targets: what the clinic is called, the words that mean it, its own accounts and the
// words that mark someone else; beside each, the searches they produce on X, Bluesky and Mastodon.

/** The networks a watch target names its own account on (the collectors read handles by source type). */
export const handleNetworks = ['x', 'instagram', 'facebook', 'youtube', 'google_reviews', 'bluesky', 'mastodon', 'line'] as const;

const handleHelp: Record<(typeof handleNetworks)[number], string> = {
  x: '@なしのユーザー名',
  instagram: 'ユーザー名',
  facebook: 'ページ ID',
  youtube: 'チャンネル ID',
  google_reviews: 'ロケーション名 (accounts/…/locations/…)',
  bluesky: 'ハンドル (例: clinic.bsky.social)',
  mastodon: 'アカウント (例: clinic@example.social)',
  line: '公式アカウントのユーザー ID',
};

export function QueryPreviews(props: { previews: QueryPreview[] }) {
  return (
    <dl class="facts previews">
      {props.previews.map((p) => (
        <>
          <dt>{sourceLabels[p.network]}</dt>
          <dd>
            {p.queries.length === 0 ? <span class="muted">検索なし</span> : null}
            <ul class="plain">
              {p.queries.map((q) => (
                <li>
                  <code>{displayText(q)}</code>
                </li>
              ))}
            </ul>
            {p.notes.map((n) => (
              <p class="muted">{displayText(n)}</p>
            ))}
          </dd>
        </>
      ))}
    </dl>
  );
}

export function WatchTargetsPage(props: { viewer: Viewer; targets: { target: WatchTarget; previews: QueryPreview[] }[]; flash?: string }) {
  const v = props.viewer;
  const mayChange = v.may('settings.manage');
  return (
    <Layout viewer={v} title="監視対象" current="/settings">
      <SettingsNav viewer={v} current="/settings/targets" />
      <h1>
        監視対象 <span class="en">Watch targets</span>
      </h1>
      <Flash message={props.flash} />
      {mayChange ? (
        <p>
          <a class="button inline" href="/settings/targets/new">
            監視対象を追加
          </a>
        </p>
      ) : (
        <p class="muted">変更できるのは管理者です。</p>
      )}
      {props.targets.length === 0 ? <p class="card">監視対象がありません。追加すると、次の収集から検索されます。</p> : null}
      {props.targets.map(({ target: t, previews }) => (
        <section class="card" aria-labelledby={`t-${t.id}`}>
          <h2 id={`t-${t.id}`}>{displayText(t.name)}</h2>
          <div class="grid halves">
            <dl class="facts">
              <dt>名前</dt>
              <dd>{t.names.map(displayText).join('、') || '—'}</dd>
              <dt>キーワード</dt>
              <dd>{t.keywords.map(displayText).join('、') || '—'}</dd>
              <dt>公式アカウント</dt>
              <dd>
                {Object.entries(t.handles)
                  .map(([k, h]) => `${sourceLabels[k] ?? k}: ${displayText(h)}`)
                  .join('、') || '—'}
              </dd>
              <dt>除外語</dt>
              <dd>{t.exclusions.map(displayText).join('、') || '—'}</dd>
            </dl>
            <div>
              <h3>検索される条件</h3>
              <QueryPreviews previews={previews} />
            </div>
          </div>
          {mayChange ? (
            <div class="actions">
              <a class="button inline secondary" href={`/settings/targets/${t.id}`}>
                変更する
              </a>
              <form method="post" action={`/settings/targets/${t.id}/remove`}>
                <input type="hidden" name="_csrf" value={v.csrfToken} />
                <button type="submit" class="secondary" data-confirm={`「${t.name}」を監視対象から外します。よろしいですか？`}>
                  外す（投稿とインシデントは残ります）
                </button>
              </form>
            </div>
          ) : null}
        </section>
      ))}
    </Layout>
  );
}

/** What the form holds: the saved target, or what was typed (refused or previewed). */
export interface TargetFormValues {
  name: string;
  names: string;
  keywords: string;
  exclusions: string;
  handles: Record<string, string>;
  otherHandles: string;
}

export function formValues(t: WatchTargetInput | null): TargetFormValues {
  const handles = t?.handles ?? {};
  const known = new Set<string>(handleNetworks);
  return {
    name: t?.name ?? '',
    names: (t?.names ?? []).join('\n'),
    keywords: (t?.keywords ?? []).join('\n'),
    exclusions: (t?.exclusions ?? []).join('\n'),
    handles,
    otherHandles: Object.entries(handles)
      .filter(([k]) => !known.has(k))
      .map(([k, h]) => `${k}=${h}`)
      .join('\n'),
  };
}

export function WatchTargetFormPage(props: {
  viewer: Viewer;
  /** null: a new target. */
  targetId: string | null;
  values: TargetFormValues;
  previews: QueryPreview[] | null;
  errors: string[];
}) {
  const v = props.viewer;
  const f = props.values;
  const action = props.targetId ? `/settings/targets/${props.targetId}` : '/settings/targets/new';
  const title = props.targetId ? `監視対象の変更: ${f.name}` : '監視対象の追加';
  return (
    <Layout viewer={v} title={title} current="/settings">
      <SettingsNav viewer={v} current="/settings/targets" />
      <p>
        <a href="/settings/targets">← 監視対象の一覧</a>
      </p>
      <h1>{displayText(title)}</h1>
      <FormErrors errors={props.errors} />
      <div class="grid two">
        <form class="card" method="post" action={action}>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <div class="field">
            <label for="wt-name">表示名（必須）</label>
            <input id="wt-name" type="text" name="name" value={f.name} maxlength={200} required />
          </div>
          <div class="field">
            <label for="wt-names">名前（1行に1つ。正式名・略称・旧名など。空なら表示名）</label>
            <textarea id="wt-names" name="names">
              {f.names}
            </textarea>
          </div>
          <div class="field">
            <label for="wt-keywords">キーワード（1行に1つ。院長名・診療科など、この病院を指す語）</label>
            <textarea id="wt-keywords" name="keywords">
              {f.keywords}
            </textarea>
          </div>
          <div class="field">
            <label for="wt-exclusions">除外語（1行に1つ。別の病院・地名など、含む投稿は除く）</label>
            <textarea id="wt-exclusions" name="exclusions">
              {f.exclusions}
            </textarea>
          </div>
          <fieldset>
            <legend>公式アカウント（病院自身の投稿・返信を見分けるため）</legend>
            {handleNetworks.map((n) => (
              <div class="field">
                <label for={`wt-h-${n}`}>
                  {sourceLabels[n]} <span class="muted">{handleHelp[n]}</span>
                </label>
                <input id={`wt-h-${n}`} type="text" name={`handle_${n}`} value={f.handles[n] ?? ''} maxlength={200} />
              </div>
            ))}
            <div class="field">
              <label for="wt-h-other">その他（1行に1つ「ネットワーク=アカウント」）</label>
              <textarea id="wt-h-other" name="otherHandles">
                {f.otherHandles}
              </textarea>
            </div>
          </fieldset>
          <div class="actions">
            <button type="submit" name="intent" value="preview" class="secondary">
              検索条件をプレビュー
            </button>
            <button type="submit" name="intent" value="save">
              保存する（監査ログに記録）
            </button>
          </div>
        </form>
        <section class="card" aria-labelledby="wt-preview">
          <h2 id="wt-preview">検索される条件</h2>
          {props.previews ? (
            <QueryPreviews previews={props.previews} />
          ) : (
            <p class="muted">「検索条件をプレビュー」で、入力した内容から各SNSで検索する条件を表示します（保存はしません）。</p>
          )}
        </section>
      </div>
    </Layout>
  );
}
