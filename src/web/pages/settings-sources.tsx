/** @jsxImportSource hono/jsx */
import type { ConnectionTestResult } from '../../collection/test-source.ts';
import type { SourceRecord } from '../../collection/sources.ts';
import type { SourceRun } from '../../collection/source-runs.ts';
import { displayText, formatJstDateTime } from '../../display.ts';
import type { SourceType } from '../../mention.ts';
import { configForms, type ConfigField } from '../../sources/config-form.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { sourceHealthLabels, sourceLabels } from '../labels.ts';
import { FormErrors, SettingsNav } from './settings-nav.tsx';

// Sources: each with its state (health, last runs, next run), credentials (set or not, never their
// values), the webhook URL to give the platform, and the connection test; a form per type.

export interface SourceSummary {
  source: SourceRecord;
  runs: SourceRun[];
  nextRun: Date | null;
  /** Where the platform delivers (push sources), to copy into its settings. */
  webhookUrl: string | null;
}

const runStatusLabels: Record<string, string> = { running: '実行中', succeeded: '成功', failed: '失敗', skipped: '見送り' };
const healthBadge = { unknown: '', ok: 'ok', failing: 'failing', unhealthy: 'unhealthy' } as const;

function SourceState(props: { s: SourceSummary }) {
  const { source: src, runs, nextRun, webhookUrl } = props.s;
  return (
    <>
      <dl class="facts">
        <dt>状態</dt>
        <dd>
          {src.enabled ? '有効' : '無効（収集しません）'} ・{' '}
          <span class={`badge ${healthBadge[src.health]}`}>{sourceHealthLabels[src.health]}</span>
          {src.healthMessage ? <p class="error">{displayText(src.healthMessage)}</p> : null}
        </dd>
        {src.schedule && !webhookUrl ? (
          <>
            <dt>スケジュール</dt>
            <dd>
              <code>{displayText(src.schedule)}</code>
              {src.enabled && nextRun ? `・次回 ${formatJstDateTime(nextRun)}` : ''}
            </dd>
          </>
        ) : null}
        <dt>最後の成功</dt>
        <dd>{src.lastSuccessAt ? formatJstDateTime(src.lastSuccessAt) : 'まだありません'}</dd>
        <dt>認証情報</dt>
        <dd>
          {src.credentials.length === 0
            ? '不要'
            : src.credentials
                .map(
                  (c) =>
                    `${c.label}: ${c.set ? (c.via === 'environment' ? '設定済み（環境変数）' : '設定済み') : c.required ? '未設定（必須）' : '未設定'}`,
                )
                .join('、')}
        </dd>
        {webhookUrl ? (
          <>
            <dt>Webhook の URL</dt>
            <dd>
              <input type="text" readonly value={webhookUrl} aria-label={`${src.name} の Webhook の URL`} class="copy" />
            </dd>
          </>
        ) : null}
      </dl>
      {runs.length > 0 ? (
        <div class="table-scroll">
          <table class="figures-table">
            <caption>最近の収集</caption>
            <thead>
              <tr>
                <th scope="col">開始</th>
                <th scope="col">結果</th>
                <th scope="col">取得</th>
                <th scope="col">新規</th>
                <th scope="col">エラー</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr>
                  <td>{formatJstDateTime(r.started_at)}</td>
                  <td>{runStatusLabels[r.status] ?? r.status}</td>
                  <td>{r.fetched}</td>
                  <td>{r.inserted}</td>
                  <td>{r.error ? displayText(r.error) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">収集の記録はまだありません。</p>
      )}
    </>
  );
}

export function SourcesPage(props: {
  viewer: Viewer;
  sources: SourceSummary[];
  addable: { type: SourceType; label: string }[];
  flash?: string;
}) {
  const v = props.viewer;
  const mayChange = v.may('sources.manage');
  return (
    <Layout viewer={v} title="収集元" current="/settings">
      <SettingsNav viewer={v} current="/settings/sources" />
      <h1>
        収集元 <span class="en">Sources</span>
      </h1>
      <Flash message={props.flash} />
      {mayChange ? (
        <section class="card" aria-labelledby="src-add">
          <h2 id="src-add">収集元を追加</h2>
          <ul class="terms">
            {props.addable.map((a) => (
              <li>
                <a href={`/settings/sources/new?type=${a.type}`}>{a.label}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p class="muted">変更できるのは管理者です。</p>
      )}
      {props.sources.length === 0 ? <p class="card">収集元がありません。</p> : null}
      {props.sources.map((s) => (
        <section class="card" aria-labelledby={`src-${s.source.id}`}>
          <h2 id={`src-${s.source.id}`}>
            {displayText(s.source.name)} <span class="en">{sourceLabels[s.source.type] ?? s.source.type}</span>
          </h2>
          <SourceState s={s} />
          {mayChange ? (
            <div class="actions">
              <a class="button inline secondary" href={`/settings/sources/${s.source.id}`}>
                設定を変更
              </a>
              <form method="post" action={`/settings/sources/${s.source.id}/test`}>
                <input type="hidden" name="_csrf" value={v.csrfToken} />
                <button type="submit" class="secondary">
                  接続テスト
                </button>
              </form>
              <form method="post" action={`/settings/sources/${s.source.id}/${s.source.enabled ? 'disable' : 'enable'}`}>
                <input type="hidden" name="_csrf" value={v.csrfToken} />
                <button
                  type="submit"
                  class="secondary"
                  data-confirm={s.source.enabled ? `「${s.source.name}」の収集を止めます。よろしいですか？` : undefined}
                >
                  {s.source.enabled ? '無効にする' : '有効にする'}
                </button>
              </form>
            </div>
          ) : null}
        </section>
      ))}
    </Layout>
  );
}

/** The form as typed or as stored: strings per field, the JSON of the rest, credentials never. */
export interface SourceFormValues {
  name: string;
  schedule: string;
  fields: Record<string, string | boolean>;
  otherConfig: string;
}

export function sourceFormValues(type: SourceType, config: Record<string, unknown>): Pick<SourceFormValues, 'fields'> {
  const fields: Record<string, string | boolean> = {};
  for (const f of configForms[type]) {
    const v = config[f.name];
    if (f.kind === 'boolean') fields[f.name] = typeof v === 'boolean' ? v : (f.defaultValue ?? false);
    else if (f.kind === 'list') fields[f.name] = Array.isArray(v) ? v.map(String).join('\n') : '';
    else if (f.kind === 'rssFeeds') {
      const feeds = Array.isArray(v) ? (v as { url?: unknown; matchAll?: unknown }[]) : [];
      const url = (e: unknown) => {
        const u = typeof e === 'string' ? e : (e as { url?: unknown }).url;
        return typeof u === 'string' ? u : '';
      };
      fields.feeds = feeds
        .filter((e) => typeof e === 'string' || !e.matchAll)
        .map(url)
        .join('\n');
      fields.feedsAll = feeds
        .filter((e) => typeof e !== 'string' && e.matchAll === true)
        .map(url)
        .join('\n');
    } else fields[f.name] = v === undefined || v === null ? '' : String(v as string | number);
  }
  return { fields };
}

function ConfigInput(props: { f: ConfigField; value: string | boolean | undefined; all: Record<string, string | boolean> }) {
  const { f } = props;
  const id = `cfg-${f.name}`;
  const help = f.help ? <span class="muted"> {f.help}</span> : null;
  switch (f.kind) {
    case 'boolean':
      return (
        <div class="field check">
          <input id={id} type="checkbox" name={`cfg_${f.name}`} value="on" checked={props.value === true} />
          <label for={id}>{f.label}</label>
        </div>
      );
    case 'list':
      return (
        <div class="field">
          <label for={id}>
            {f.label}
            {help}
          </label>
          <textarea id={id} name={`cfg_${f.name}`}>
            {String(props.value ?? '')}
          </textarea>
        </div>
      );
    case 'rssFeeds':
      return (
        <>
          <div class="field">
            <label for="cfg-feeds">フィードの URL（1行に1つ。監視対象の名前を含む記事だけ取り込む。ニュースサイトなど）</label>
            <textarea id="cfg-feeds" name="cfg_feeds">
              {String(props.all.feeds ?? '')}
            </textarea>
          </div>
          <div class="field">
            <label for="cfg-feedsAll">すべての記事を取り込むフィード（1行に1つ。Google アラートや病院のブログなど）</label>
            <textarea id="cfg-feedsAll" name="cfg_feedsAll">
              {String(props.all.feedsAll ?? '')}
            </textarea>
          </div>
        </>
      );
    default:
      return (
        <div class="field">
          <label for={id}>
            {f.label}
            {help}
          </label>
          <input
            id={id}
            type="text"
            inputmode={f.kind === 'integer' ? 'numeric' : undefined}
            name={`cfg_${f.name}`}
            value={String(props.value ?? '')}
          />
        </div>
      );
  }
}

export function SourceFormPage(props: {
  viewer: Viewer;
  type: SourceType;
  typeLabel: string;
  /** null: a new source. */
  summary: SourceSummary | null;
  values: SourceFormValues;
  credentials: { name: string; label: string; required: boolean; set: boolean }[];
  pull: boolean;
  errors: string[];
  test?: ConnectionTestResult;
  flash?: string;
}) {
  const v = props.viewer;
  const f = props.values;
  const src = props.summary?.source ?? null;
  const title = src ? `収集元: ${src.name}` : `収集元の追加: ${props.typeLabel}`;
  const action = src ? `/settings/sources/${src.id}` : `/settings/sources/new?type=${props.type}`;
  return (
    <Layout viewer={v} title={title} current="/settings">
      <SettingsNav viewer={v} current="/settings/sources" />
      <p>
        <a href="/settings/sources">← 収集元の一覧</a>
      </p>
      <h1>{displayText(title)}</h1>
      <Flash message={props.flash} />
      {props.test ? (
        <section class={`card ${props.test.ok ? 'test-ok' : 'test-failed'}`} aria-labelledby="src-test" role="status">
          <h2 id="src-test">接続テストの結果: {props.test.ok ? '成功' : '失敗'}</h2>
          <p>{displayText(props.test.message)}</p>
          {props.test.request ? (
            <dl class="facts">
              <dt>要求先</dt>
              <dd>
                <code>{displayText(props.test.request.url)}</code>
              </dd>
              <dt>応答</dt>
              <dd>
                HTTP {props.test.request.status}
                {props.test.request.contentType ? `（${displayText(props.test.request.contentType)}）` : ''}・{props.test.request.ms} ms
              </dd>
            </dl>
          ) : null}
        </section>
      ) : null}
      <FormErrors errors={props.errors} />
      <div class="grid two">
        <form class="card" method="post" action={action}>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          <div class="field">
            <label for="src-name">名前（必須）</label>
            <input id="src-name" type="text" name="name" value={f.name} maxlength={200} required />
          </div>
          {props.pull ? (
            <div class="field">
              <label for="src-schedule">
                スケジュール（cron）<span class="muted"> 例: */10 * * * *（10分ごと）</span>
              </label>
              <input id="src-schedule" type="text" name="schedule" value={f.schedule} maxlength={100} />
            </div>
          ) : null}
          {configForms[props.type].map((field) => (
            <ConfigInput f={field} value={f.fields[field.name]} all={f.fields} />
          ))}
          {props.credentials.length > 0 ? (
            <fieldset>
              <legend>認証情報（保存後は表示されません。空欄なら変更しません）</legend>
              {props.credentials.map((c) => (
                <div class="field">
                  <label for={`cred-${c.name}`}>
                    {c.label}
                    <span class="muted"> {c.set ? '設定済み' : c.required ? '未設定（必須）' : '未設定'}</span>
                  </label>
                  <input id={`cred-${c.name}`} type="password" name={`cred_${c.name}`} autocomplete="off" maxlength={4096} />
                  {c.set ? (
                    <div class="field check">
                      <input id={`clear-${c.name}`} type="checkbox" name={`clear_${c.name}`} value="on" />
                      <label for={`clear-${c.name}`}>消去する</label>
                    </div>
                  ) : null}
                </div>
              ))}
            </fieldset>
          ) : null}
          <details open={f.otherConfig !== '' ? true : undefined}>
            <summary>詳細設定（JSON）</summary>
            <div class="field">
              <label for="src-other">その他の設定（ページ数・タイムアウトなど。空なら既定値）</label>
              <textarea id="src-other" name="otherConfig" class="mono">
                {f.otherConfig}
              </textarea>
            </div>
          </details>
          <button type="submit">{src ? '保存する（監査ログに記録）' : '追加する（監査ログに記録）'}</button>
        </form>
        {props.summary ? (
          <section class="card" aria-labelledby="src-state">
            <h2 id="src-state">いまの状態</h2>
            <SourceState s={props.summary} />
            <form method="post" action={`/settings/sources/${props.summary.source.id}/test`}>
              <input type="hidden" name="_csrf" value={v.csrfToken} />
              <button type="submit" class="secondary">
                接続テスト（1回だけ実際に要求します）
              </button>
            </form>
          </section>
        ) : (
          <section class="card">
            <h2>追加したあと</h2>
            <p class="muted">保存すると一覧に戻ります。「接続テスト」で実際に1回要求して、返ってきた内容を確かめられます。</p>
          </section>
        )}
      </div>
    </Layout>
  );
}
