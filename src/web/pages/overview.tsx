/** @jsxImportSource hono/jsx */
import { displayText, formatJstDateTime, formatJstTime } from '../../display.ts';
import type { PresentedMention } from '../../mentions/privacy.ts';
import { MentionItem } from './mentions.tsx';
import type { Overview } from '../../overview/load-overview.ts';
import { usualVerdictLabels, type UsualComparison } from '../../overview/usual.ts';
import { jsonForScript } from '../json.ts';
import { Layout, type Viewer } from '../layout.tsx';
import { alertKindLabels, incidentStatusLabels, severityLabel, sourceHealthLabels, sourceLabels } from '../labels.ts';
import { sinceJa } from '../time.ts';

// PR staff's wall screen: today against the usual, the volume chart (uPlot, drag to zoom), what is
// open, what people talk about, whether every source collects, and the latest posts.

function chartData(o: Overview) {
  const points = (ps: Overview['byWatchTarget'][number]['points']) => ps.map((p) => [p.start.getTime(), p.total, p.negative]);
  return {
    byWatchTarget: o.byWatchTarget.map((t) => ({
      key: `t:${t.watchTargetId ?? 'all'}`,
      label: displayText(t.name),
      points: points(t.points),
    })),
    bySource: (o.bySource ?? []).map((s) => ({ key: `s:${s.sourceId}`, label: displayText(s.name), points: points(s.points) })),
  };
}

function UsualFigure(props: { title: string; u: UsualComparison }) {
  const u = props.u;
  return (
    <div class={`figure ${u.verdict}`}>
      <span>{props.title}</span>
      <b>{u.now.toLocaleString('ja-JP')}件</b>
      <span>
        {usualVerdictLabels[u.verdict]}
        {u.usual !== null ? `（ふだんは${Math.round(u.usual).toLocaleString('ja-JP')}件前後）` : ''}
      </span>
    </div>
  );
}

export function OverviewPage(props: { viewer: Viewer; overview: Overview; mentions: PresentedMention[] }) {
  const o = props.overview;
  const all = o.byWatchTarget[0]!;
  const total = all.points.reduce((n, p) => n + p.total, 0);
  const negative = all.points.reduce((n, p) => n + p.negative, 0);
  return (
    <Layout viewer={props.viewer} title="概要" current="/" scripts={['uplot.js', 'volume-chart.js']} styles={['uplot.css']} live="refresh">
      <h1>
        概要 <span class="en">Overview — {formatJstDateTime(o.now)} 時点 (JST)</span>
      </h1>
      {props.viewer.org.isDemo ? (
        <p class="notice">
          <span class="badge demo">デモ</span>{' '}
          これはデモデータです。架空のクリニックと架空の投稿で、起動から数分後に炎上のエピソードが始まります。
        </p>
      ) : null}
      <div class="stack">
        <section class="card" aria-labelledby="today">
          <h2 id="today">今日の状況</h2>
          <div class="figures">
            <UsualFigure title="今日（0時から）" u={o.today.sinceMidnight} />
            <UsualFigure title="この1時間" u={o.today.thisHour} />
            {o.alerts ? (
              <div class="figure">
                <span>継続中のアラート</span>
                <b>{o.alerts.open}件</b>
              </div>
            ) : null}
            {o.incidents ? (
              <div class="figure">
                <span>対応中のインシデント</span>
                <b>{o.incidents.open.length}件</b>
              </div>
            ) : null}
          </div>
        </section>

        <section class="card" aria-labelledby="volume">
          <h2 id="volume">
            過去24時間の投稿数とネガティブ率 <span class="en">15分ごと・ドラッグで拡大、ダブルクリックで元に戻す</span>
          </h2>
          <p>
            合計 <b>{total}</b> 件 / ネガティブ <b>{negative}</b> 件
          </p>
          <div class="field">
            <label for="overview-series">表示する系列</label>
            <select id="overview-series">
              <optgroup label="監視対象">
                {o.byWatchTarget.map((t) => (
                  <option value={`t:${t.watchTargetId ?? 'all'}`}>{displayText(t.name)}</option>
                ))}
              </optgroup>
              {o.bySource && o.bySource.length > 0 ? (
                <optgroup label="媒体">
                  {o.bySource.map((s) => (
                    <option value={`s:${s.sourceId}`}>
                      {displayText(s.name)}（{sourceLabels[s.type] ?? s.type}）
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          </div>
          <div
            id="overview-chart"
            class="chart"
            role="img"
            aria-label="投稿数とネガティブ率の推移 (mentions and negative share over time)"
          />
          <script type="application/json" id="overview-data" dangerouslySetInnerHTML={{ __html: jsonForScript(chartData(o)) }} />
          <details id="overview-table" class="chart-fallback">
            <summary>数値で見る（1時間ごと）</summary>
            <ul class="rows">
              {hourly(all.points).map((h) => (
                <li>
                  {formatJstDateTime(h.start)}〜 {h.total}件（ネガティブ {h.negative}件）
                </li>
              ))}
            </ul>
          </details>
        </section>

        <div class="grid halves">
          {o.incidents ? (
            <section class="card" aria-labelledby="incidents">
              <h2 id="incidents">対応中のインシデント</h2>
              {o.incidents.open.length === 0 ? <p class="muted">ありません。</p> : null}
              <ul class="rows">
                {o.incidents.open.map((i) => (
                  <li>
                    <div class="meta">
                      <span class={`badge sev-${i.severity}`}>{severityLabel(i.severity)}</span>
                      <span>{incidentStatusLabels[i.status]}</span>
                      <span>検知から{sinceJa(i.detected_at, o.now)}</span>
                    </div>
                    <a href={`/incidents/${i.id}`}>{displayText(i.title)}</a>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {o.alerts ? (
            <section class="card" aria-labelledby="alerts">
              <h2 id="alerts">継続中のアラート</h2>
              {o.alerts.latest.length === 0 ? <p class="muted">ありません。</p> : null}
              <ul class="rows">
                {o.alerts.latest.map((a) => (
                  <li>
                    <div class="meta">
                      <span class={`badge ${a.kind}`}>{alertKindLabels[a.kind]}</span>
                      <span class={`badge sev-${a.severity}`}>{severityLabel(a.severity)}</span>
                      <span>{formatJstTime(a.openedAt)} から</span>
                    </div>
                    <span>{displayText(a.latest.summary)}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>

        <div class="grid halves">
          <section class="card" aria-labelledby="terms">
            <h2 id="terms">
              急増している語 <span class="en">直近1時間</span>
            </h2>
            {o.risingTerms.items.length === 0 ? <p class="muted">目立って増えている語はありません。</p> : null}
            <ul class="terms">
              {o.risingTerms.items.map((t) => (
                <li>
                  {displayText(t.term)} <span class="muted">{t.count}件</span>
                </li>
              ))}
            </ul>
          </section>
          {o.sources ? (
            <section class="card" aria-labelledby="sources">
              <h2 id="sources">収集元の状態</h2>
              {o.sources.length === 0 ? <p class="muted">収集元はまだありません。</p> : null}
              <ul class="rows">
                {o.sources.map((s) => (
                  <li>
                    <div class="meta">
                      <span class={`badge ${s.health}`}>{sourceHealthLabels[s.health]}</span>
                      <b>{displayText(s.name)}</b>
                      <span>{sourceLabels[s.type] ?? s.type}</span>
                      {!s.enabled ? <span class="badge">停止中</span> : null}
                    </div>
                    <span class="muted">
                      最終実行 {s.lastRunAt ? formatJstDateTime(s.lastRunAt) : 'まだありません'}
                      {s.lastSuccessAt ? `・最終成功 ${formatJstDateTime(s.lastSuccessAt)}` : ''}
                    </span>
                    {s.missingCredentials.length > 0 ? (
                      <span class="error">未設定の認証情報: {s.missingCredentials.join('、')}</span>
                    ) : null}
                    {s.healthMessage ? <span class="muted">{displayText(s.healthMessage)}</span> : null}
                    {s.lastRun?.error ? <span class="error">直近のエラー: {displayText(s.lastRun.error)}</span> : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>

        <section class="card" aria-labelledby="latest">
          <h2 id="latest">
            最新の投稿 <span class="en">latest mentions</span>
          </h2>
          <ul class="rows mentions">
            {props.mentions.map((m) => (
              <MentionItem m={m} now={o.now} />
            ))}
          </ul>
          {props.mentions.length === 0 ? (
            <p class="muted">まだ投稿がありません。(No mentions yet.)</p>
          ) : (
            <p>
              <a href="/mentions">すべての投稿を見る（検索・絞り込み・対応）</a>
            </p>
          )}
        </section>
      </div>
    </Layout>
  );
}

/** The fallback table's hourly sums of the chart's buckets. */
function hourly(points: { start: Date; total: number; negative: number }[]) {
  const out = new Map<number, { start: Date; total: number; negative: number }>();
  for (const p of points) {
    const h = Math.floor(p.start.getTime() / 3_600_000) * 3_600_000;
    const row = out.get(h) ?? { start: new Date(h), total: 0, negative: 0 };
    row.total += p.total;
    row.negative += p.negative;
    out.set(h, row);
  }
  return [...out.values()];
}
