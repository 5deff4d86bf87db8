/** @jsxImportSource hono/jsx */
import type { Sensitivity } from '../../detection/index.ts';
import { sensitivities } from '../../detection/index.ts';
import { jsonForScript } from '../json.ts';
import { Flash, Layout, type Viewer } from '../layout.tsx';
import { alertKindLabels } from '../labels.ts';
import { SettingsNav } from './settings-nav.tsx';

// Detection sensitivity, with what each setting would have raised over the last 30 days of this
// clinic's own posts (the detectors replayed, src/detection-pass/backtest.ts) — before saving.

export const sensitivityLabels: Record<Sensitivity, { name: string; about: string }> = {
  fewer: { name: '少なめ', about: 'はっきりした急増だけを知らせます。知らせは減り、気づくのが遅れることがあります。' },
  balanced: { name: '標準', about: 'おすすめ。いつもの量と比べて目立つ動きを知らせます。' },
  more: { name: '多め', about: '小さな動きも早めに知らせます。知らせは増えます。' },
};

export interface SensitivityPreview {
  sensitivity: Sensitivity;
  /** Per day (JST), in the order of `days`. */
  perDay: number[];
  byKind: { crisis: number; notice: number };
  /** Highest severity raised, or null. */
  topSeverity: number | null;
}

export function DetectionSettingsPage(props: {
  viewer: Viewer;
  current: Sensitivity;
  days: string[];
  previews: SensitivityPreview[];
  flash?: string;
}) {
  const v = props.viewer;
  const data = {
    days: props.days,
    max: Math.max(0, ...props.previews.flatMap((p) => p.perDay)),
    series: props.previews.map((p) => ({
      label: sensitivityLabels[p.sensitivity].name,
      counts: p.perDay,
      current: p.sensitivity === props.current,
    })),
  };
  return (
    <Layout viewer={v} title="検知の感度" current="/settings" scripts={['uplot.js', 'backtest-chart.js']} styles={['uplot.css']}>
      <SettingsNav viewer={v} current="/settings/detection" />
      <h1>
        検知の感度 <span class="en">Detection sensitivity</span>
      </h1>
      <Flash message={props.flash} />
      <section class="card" aria-labelledby="det-preview">
        <h2 id="det-preview">過去30日にあてはめると</h2>
        <p class="muted">
          この病院の過去30日の投稿で検知をやり直した結果です（{props.days[0]}〜{props.days[props.days.length - 1]}
          、日本時間）。実際の通知は変わりません。
        </p>
        <div
          id="backtest-chart"
          class="chart"
          role="img"
          aria-label="感度ごとの1日あたりの知らせの数（折れ線）。同じ数を下の表に示します。"
        />
        <script type="application/json" id="backtest-data" dangerouslySetInnerHTML={{ __html: jsonForScript(data) }} />
        <div class="table-scroll">
          <table class="figures-table">
            <caption>感度ごとの知らせ（30日間）</caption>
            <thead>
              <tr>
                <th scope="col">感度</th>
                <th scope="col">{alertKindLabels.crisis}</th>
                <th scope="col">{alertKindLabels.notice}</th>
                <th scope="col">最も高い深刻度</th>
              </tr>
            </thead>
            <tbody>
              {props.previews.map((p) => (
                <tr>
                  <th scope="row">
                    {sensitivityLabels[p.sensitivity].name}
                    {p.sensitivity === props.current ? '（いまの設定）' : ''}
                  </th>
                  <td>{p.byKind.crisis} 件</td>
                  <td>{p.byKind.notice} 件</td>
                  <td>{p.topSeverity === null ? '—' : p.topSeverity}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {v.may('settings.manage') ? (
        <form class="card" method="post" action="/settings/detection" aria-labelledby="det-set">
          <h2 id="det-set">感度を選ぶ</h2>
          <input type="hidden" name="_csrf" value={v.csrfToken} />
          {sensitivities.map((s) => (
            <div class="field check">
              <input id={`det-${s}`} type="radio" name="sensitivity" value={s} checked={s === props.current} />
              <label for={`det-${s}`}>
                {sensitivityLabels[s].name}: <span class="muted">{sensitivityLabels[s].about}</span>
              </label>
            </div>
          ))}
          <p class="muted">学習したいつもの量はそのままです。次の集計単位から新しい感度で判断します。</p>
          <button type="submit">保存する（監査ログに記録）</button>
        </form>
      ) : (
        <p class="muted">いまの設定: {sensitivityLabels[props.current].name}。変更できるのは管理者です。</p>
      )}
    </Layout>
  );
}
