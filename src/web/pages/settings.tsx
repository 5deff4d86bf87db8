/** @jsxImportSource hono/jsx */
import { displayText, formatJstDateTime } from '../../display.ts';
import type { AlertingSettings } from '../../notify/recipients.ts';
import { MAX_RECIPIENTS } from '../../notify/recipients.ts';
import type { WatchTarget } from '../../organizations/organizations.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { severityLabel } from '../labels.ts';
import { SettingsNav } from './settings-nav.tsx';

// Settings, one page per subject. Alert mail: who gets it, from which severity, and whether the
// good-news notices go out too; the watch targets muted right now are listed beside it.

export function AlertingSettingsPage(props: {
  viewer: Viewer;
  settings: AlertingSettings;
  /** Recipients that are people here, by address. */
  people: Map<string, string>;
  muted: Pick<WatchTarget, 'id' | 'name' | 'mute'>[];
  /** What was typed, when it was refused (shown again so nothing is lost). */
  typed?: { recipients: string; minSeverity: number; notices: boolean; error: string };
  flash?: string;
}) {
  const v = props.viewer;
  const s = props.settings;
  const mayChange = v.may('settings.manage');
  return (
    <Layout viewer={v} title="通知の設定" current="/settings">
      <SettingsNav viewer={v} current="/settings/alerting" />
      <h1>
        通知の設定 <span class="en">Alert e-mail</span>
      </h1>
      <Flash message={props.flash} />
      {props.typed ? (
        <p class="error" role="alert">
          {props.typed.error}
        </p>
      ) : null}
      <div class="grid two">
        <section class="card" aria-labelledby="set-now">
          <h2 id="set-now">いまの設定</h2>
          <dl class="facts">
            <dt>通知先</dt>
            <dd>
              {s.recipients.length === 0 ? (
                <span class="error">未設定です。炎上の疑いを検知してもメールは送られません。</span>
              ) : (
                <ul class="plain">
                  {s.recipients.map((r) => (
                    <li>
                      {displayText(r)}
                      {props.people.has(r.toLowerCase()) ? `（${displayText(props.people.get(r.toLowerCase())!)}）` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>送る深刻度</dt>
            <dd>{severityLabel(s.minSeverity)} 以上</dd>
            <dt>お知らせ</dt>
            <dd>{s.notices ? '送る（炎上の兆候のない話題の急増も知らせる）' : '送らない（炎上の疑いだけ）'}</dd>
          </dl>
          <p class="muted">
            エスカレーションポリシーがあるときは、インシデントの呼び出しはポリシーに従います。ここでの通知先は、ポリシーがないときの呼び出し先と、インシデントになる前のアラートの送り先です。
          </p>
        </section>
        <section class="card" aria-labelledby="set-muted">
          <h2 id="set-muted">ミュート中の監視対象</h2>
          {props.muted.length === 0 ? <p class="muted">ありません。ミュートはアラートのページから設定します。</p> : null}
          <ul class="rows">
            {props.muted.map((t) => (
              <li>
                <strong>{displayText(t.name)}</strong>
                <span class="meta">
                  {formatJstDateTime(t.mute!.until)}（JST）まで・理由: {displayText(t.mute!.reason)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {mayChange ? (
        <section class="card" aria-labelledby="set-edit">
          <h2 id="set-edit">変更する</h2>
          <form method="post" action="/settings/alerting">
            <input type="hidden" name="_csrf" value={v.csrfToken} />
            <div class="field">
              <label for="set-recipients">通知先のメールアドレス（1行に1つ・最大{MAX_RECIPIENTS}件）</label>
              <textarea id="set-recipients" name="recipients" maxlength={6000}>
                {props.typed?.recipients ?? s.recipients.join('\n')}
              </textarea>
            </div>
            <div class="field">
              <label for="set-severity">送る深刻度（この深刻度以上の炎上の疑い）</label>
              <select id="set-severity" name="minSeverity">
                {[1, 2, 3, 4, 5].map((n) => (
                  <option value={String(n)} selected={(props.typed?.minSeverity ?? s.minSeverity) === n}>
                    {severityLabel(n)} 以上
                  </option>
                ))}
              </select>
            </div>
            <div class="field check">
              <input id="set-notices" type="checkbox" name="notices" value="on" checked={props.typed?.notices ?? s.notices} />
              <label for="set-notices">お知らせ（炎上の兆候のない話題の急増）もメールで送る</label>
            </div>
            <button type="submit">保存する（監査ログに記録）</button>
          </form>
        </section>
      ) : (
        <p class="muted">変更できるのは管理者です。</p>
      )}
    </Layout>
  );
}
