/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { displayText, formatJstDateTime } from '../../display.ts';
import { channelLabels, channelLength, channelLengthUnit, channelLimits, channels } from '../../post-review/channels.ts';
import { postStatusLabels } from '../../post-review/lifecycle.ts';
import type { getPost, PostView } from '../../post-review/queries.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { Marked, OverrideFields, VersionHistory, WithdrawForm } from './review-parts.tsx';

// The clinic's own posts (issue 17): a list with a new draft, and the editor — the text with the
// checker's findings marked where they are, each with the rule it applies and a fix, the images'
// findings, every version with what changed, and only the workflow buttons this person may use:
// the author and editors never see 承認する.

type PostDetail = Awaited<ReturnType<typeof getPost>>;

const severityLabels = { block: '公開不可', warn: '要確認', info: '参考' } as const;
const severityClass = { block: 'sev-4', warn: 'sev-2', info: 'sev-1' } as const;

function ChannelFields(props: { channel?: string; text?: string; alt?: string; description?: string; idPrefix: string }) {
  const id = (name: string) => `${props.idPrefix}-${name}`;
  return (
    <>
      <div class="field">
        <label for={id('channel')}>チャネル</label>
        <select id={id('channel')} name="channel" required>
          {channels.map((ch) => (
            <option value={ch} selected={props.channel === ch}>
              {channelLabels[ch]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={id('text')}>本文</label>
        <textarea id={id('text')} name="text" required rows={10} maxlength={100000}>
          {props.text ?? ''}
        </textarea>
      </div>
      <div class="field">
        <label for={id('alt')}>画像の代替テキスト（公開されます・任意）</label>
        <input id={id('alt')} type="text" name="imageAlt" maxlength={2000} value={props.alt ?? ''} />
      </div>
      <div class="field">
        <label for={id('description')}>画像に写っているもの（確認する人向け・公開されません）</label>
        <input id={id('description')} type="text" name="imageDescription" maxlength={2000} value={props.description ?? ''} />
      </div>
    </>
  );
}

export function PostsPage(props: { viewer: Viewer; posts: PostView[]; names: Map<string, string> }) {
  const v = props.viewer;
  const person = (ref: string) => props.names.get(ref) ?? '（不明な利用者）';
  return (
    <Layout viewer={v} title="公開前チェック" current="/posts">
      <h1>公開前チェック</h1>
      <p class="muted">
        当院が公開する投稿を、公開前に医療広告ガイドライン・個人情報・患者の特定の観点でチェックし、{'作成者以外の複数人'}で確認します。
      </p>
      <div class="grid two">
        <section class="card" aria-labelledby="list">
          <h2 id="list">投稿の一覧</h2>
          {props.posts.length === 0 ? <p class="muted">まだ投稿はありません。</p> : null}
          <ul class="list">
            {props.posts.map((p) => {
              const blocking = p.findings.filter((f) => f.severity === 'block').length;
              return (
                <li>
                  <a href={`/posts/${p.id}`}>{displayText(p.text.slice(0, 60))}</a>
                  <div class="meta">
                    <span class="badge">{postStatusLabels[p.status]}</span>
                    <span>{channelLabels[p.channel]}</span>
                    <span>作成: {person(p.authorId)}</span>
                    {blocking > 0 ? <span class="badge sev-4">公開不可の指摘 {blocking}件</span> : null}
                    <span>
                      承認 {p.approvals.length}/{p.reviewersRequired}
                    </span>
                    <span>更新 {formatJstDateTime(p.updatedAt)}</span>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
        {v.may('posts.write') ? (
          <section class="card" aria-labelledby="new">
            <h2 id="new">新しい投稿</h2>
            <form method="post" action="/posts">
              <input type="hidden" name="_csrf" value={v.csrfToken} />
              <ChannelFields idPrefix="new" />
              <button type="submit">下書きを保存してチェックする</button>
            </form>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}

export function PostPage(props: {
  viewer: Viewer;
  post: PostDetail;
  names: Map<string, string>;
  /** The viewer wrote a version: they may not approve. */
  isWriter: boolean;
  approvedByMe: boolean;
  flash?: string;
}) {
  const v = props.viewer;
  const p = props.post;
  const person = (ref: string) => props.names.get(ref) ?? '（不明な利用者）';
  const base = `/posts/${p.id}`;
  const csrf = <input type="hidden" name="_csrf" value={v.csrfToken} />;
  const textFindings = p.findings.filter((f) => f.field === 'text' && f.end > f.start);
  const limit = channelLimits[p.channel].maxLength;
  const length = channelLength(p.channel, p.text);
  const editable = ['draft', 'in_review', 'approved', 'scheduled'].includes(p.status) && v.may('posts.write');
  const image = p.images[0];
  return (
    <Layout viewer={v} title={`投稿: ${p.text.slice(0, 30)}`} current="/posts">
      <p class="muted">
        <a href="/posts">公開前チェック</a> › 投稿
      </p>
      <h1>{channelLabels[p.channel]}への投稿</h1>
      <p class="meta">
        <span class="badge">{postStatusLabels[p.status]}</span>
        <span>第{p.version}版</span>
        <span>作成: {person(p.authorId)}</span>
        <span>
          {channelLengthUnit[p.channel]} {length}
          {limit !== null ? ` / ${limit}` : ''}
        </span>
        <span>
          承認 {p.approvals.length}/{p.reviewersRequired}
        </span>
        {p.plannedAt ? <span>公開予定 {formatJstDateTime(p.plannedAt)}</span> : null}
        <span>チェック {formatJstDateTime(p.checkedAt)}</span>
      </p>
      <Flash message={props.flash} />
      {p.status === 'withdrawn' && p.withdrawReason ? <p class="notice">取り下げの理由: {displayText(p.withdrawReason)}</p> : null}
      {p.status === 'published' ? <PublishedReactions post={p} /> : null}
      <div class="grid two">
        <div class="stack">
          <section class="card" aria-labelledby="text">
            <h2 id="text">本文と指摘</h2>
            <Marked text={p.text} findings={textFindings} />
            {image ? (
              <p class="muted">
                画像: {displayText(image.alt || '（代替テキストなし）')} — 写っているもの:{' '}
                {displayText(image.description || '（記載なし）')}
              </p>
            ) : null}
          </section>
          <section class="card" aria-labelledby="findings">
            <h2 id="findings">
              チェックの指摘 <span class="en">{p.findings.length} 件</span>
            </h2>
            {p.findings.length === 0 ? <p class="muted">指摘はありません。</p> : null}
            <ol class="findings">
              {p.findings.map((f) => (
                <li class={`finding ${f.severity}`}>
                  <div class="meta">
                    <span class={`badge ${severityClass[f.severity]}`}>{severityLabels[f.severity]}</span>
                    <span class="badge">{f.category}</span>
                    <b>{displayText(f.message_ja)}</b>
                    {f.field !== 'text' ? <span>（画像の{f.field.endsWith('alt') ? '代替テキスト' : '説明'}）</span> : null}
                  </div>
                  <p>
                    {f.excerpt ? (
                      <>
                        該当: 「{displayText(f.excerpt)}」<br />
                      </>
                    ) : null}
                    {displayText(f.advice_ja)}
                    <br />
                    <span class="muted">根拠: {displayText(f.cite)}</span>
                    {!f.overridable ? <span class="error"> この指摘は承認で上書きできません。</span> : null}
                  </p>
                </li>
              ))}
            </ol>
          </section>
          {editable ? (
            <section class="card" aria-labelledby="edit">
              <h2 id="edit">編集</h2>
              {p.status === 'approved' || p.status === 'scheduled' ? (
                <p class="notice">承認後に編集すると確認中に戻り、承認はやり直しになります。</p>
              ) : null}
              <form method="post" action={`${base}/edit`}>
                {csrf}
                <input type="hidden" name="version" value={String(p.version)} />
                <ChannelFields idPrefix="edit" channel={p.channel} text={p.text} alt={image?.alt} description={image?.description} />
                <button type="submit">保存してチェックする</button>
              </form>
            </section>
          ) : null}
          <VersionHistory
            versions={p.versions.map((ver) => ({ version: ver.version, at: ver.edited_at, by: person(ver.edited_by), text: ver.text }))}
          />
        </div>
        <div class="stack">
          <Workflow {...props} base={base} csrf={csrf} />
        </div>
      </div>
    </Layout>
  );
}

function Workflow(props: {
  viewer: Viewer;
  post: PostDetail;
  names: Map<string, string>;
  isWriter: boolean;
  approvedByMe: boolean;
  base: string;
  csrf: Child;
}) {
  const { viewer: v, post: p, base, csrf } = props;
  const person = (ref: string) => props.names.get(ref) ?? '（不明な利用者）';
  const blocking = p.findings.filter((f) => f.severity === 'block');
  const version = <input type="hidden" name="version" value={String(p.version)} />;
  const can = {
    submit: p.status === 'draft' && v.may('posts.write'),
    approve: p.status === 'in_review' && v.may('posts.review') && !props.isWriter && !props.approvedByMe,
    schedule: (p.status === 'approved' || p.status === 'scheduled') && v.may('posts.write'),
    publish: (p.status === 'approved' || p.status === 'scheduled') && v.may('posts.write'),
    link: p.status === 'published' && p.linkedMentionId === null && v.may('posts.write'),
    export: ['approved', 'scheduled', 'published'].includes(p.status) && v.may('posts.write'),
    withdraw: p.status !== 'withdrawn' && v.may('posts.write'),
  };
  return (
    <section class="card" aria-labelledby="workflow">
      <h2 id="workflow">確認と承認</h2>
      <p class="muted">
        下書き → 確認中 → 承認済み（{p.reviewersRequired}人） →
        公開。承認は作成・編集した人以外が行います。公開不可の指摘を理由付きで承認できるのは当番責任者・院長・管理者です。
      </p>
      {p.approvals.length > 0 ? (
        <ul class="list">
          {p.approvals.map((a) => (
            <li>
              承認: {person(a.reviewerId)}（{formatJstDateTime(a.approvedAt)}）
              {a.overrides.length > 0 ? <span class="muted"> — 指摘 {a.overrides.length}件を理由付きで承認</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {can.submit ? (
        <form method="post" action={`${base}/submit`} class="field">
          {csrf}
          {version}
          <button type="submit">確認を依頼する</button>
        </form>
      ) : null}
      {p.status === 'in_review' && props.isWriter ? <p class="notice">あなたはこの投稿を書いたため承認できません。</p> : null}
      {p.status === 'in_review' && props.approvedByMe ? <p class="notice">この版はすでに承認しています。</p> : null}
      {can.approve ? (
        <form method="post" action={`${base}/approve`} class="field">
          {csrf}
          {version}
          <OverrideFields
            findings={blocking.map((f) => ({ ...f, excerpt: f.excerpt || f.category }))}
            label="公開不可"
            never="この指摘は上書きできません。修正してください。"
          />
          <button type="submit">承認する</button>
        </form>
      ) : null}
      {can.schedule ? (
        <form method="post" action={`${base}/schedule`} class="field">
          {csrf}
          {version}
          <label for="planned-at">公開予定（日本時間）</label>
          <input id="planned-at" type="datetime-local" name="plannedAt" required />
          <button type="submit" class="secondary">
            公開を予約する
          </button>
        </form>
      ) : null}
      {can.publish ? (
        <form method="post" action={`${base}/publish`} class="field">
          {csrf}
          {version}
          <PublishedAsFields />
          <button type="submit" class="danger">
            公開済みにする
          </button>
        </form>
      ) : null}
      {can.export ? (
        <form method="post" action={`${base}/export`} class="field">
          {csrf}
          <p class="muted">承認された版を、チャネルの投稿APIの形式（JSON）で書き出します。書き出しは監査ログに残ります。</p>
          <button type="submit" class="secondary">
            チャネル用に書き出す
          </button>
        </form>
      ) : null}
      {can.link ? (
        <form method="post" action={`${base}/link`} class="field">
          {csrf}
          {version}
          <p class="muted">公開した投稿のURLか投稿IDを登録すると、収集された投稿と結び付け、その返信・引用を監視します。</p>
          <PublishedAsFields />
          <button type="submit" class="secondary">
            公開先を登録する
          </button>
        </form>
      ) : null}
      {can.withdraw ? (
        <WithdrawForm
          action={`${base}/withdraw`}
          hidden={
            <>
              {csrf}
              {version}
            </>
          }
          maxLength={1000}
        />
      ) : null}
    </section>
  );
}

/** The address and platform id of a published post: what links it to its collected copy. */
function PublishedAsFields() {
  return (
    <>
      <label for="published-url">公開した投稿のURL（任意）</label>
      <input id="published-url" type="url" name="url" maxlength={2000} />
      <label for="published-id">投稿ID（任意・URLがない投稿のとき）</label>
      <input id="published-id" name="externalId" maxlength={512} autocomplete="off" />
    </>
  );
}

/** Where the published post is, whether its collected copy has appeared, and what it has drawn. */
function PublishedReactions(props: { post: PostDetail }) {
  const p = props.post;
  const r = p.reactions;
  return (
    <section class="card" aria-labelledby="reactions">
      <h2 id="reactions">公開後の反応</h2>
      <dl class="facts">
        <dt>公開</dt>
        <dd>{p.publishedAt ? formatJstDateTime(p.publishedAt) : '—'}</dd>
        <dt>公開した投稿</dt>
        <dd>
          {p.publishedUrl ? <a href={p.publishedUrl}>{displayText(p.publishedUrl)}</a> : null}
          {p.publishedExternalId ? <span class="muted"> 投稿ID {displayText(p.publishedExternalId)}</span> : null}
          {!p.publishedUrl && !p.publishedExternalId ? '未登録（下のフォームで登録すると返信を監視します）' : null}
        </dd>
        <dt>収集</dt>
        <dd>
          {r?.copy ? (
            <>
              <a href={`/mentions/${r.copy.mentionId}`}>収集した投稿</a>（{formatJstDateTime(r.copy.linkedAt)} に結び付け）
            </>
          ) : (
            'まだ収集されていません（収集されると自動で結び付き、返信・引用を監視します）'
          )}
        </dd>
        {r && (r.replies > 0 || r.quotes > 0 || p.publishedExternalId) ? (
          <>
            <dt>返信・引用</dt>
            <dd>
              返信 {r.replies}件・引用 {r.quotes}件（うち否定的 {r.negative}件）
              {r.lastAt ? <span class="muted"> 最新 {formatJstDateTime(r.lastAt)}</span> : null}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
