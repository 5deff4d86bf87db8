import { createHash } from 'node:crypto';
import { escapeHtml, formatJst } from '../display.ts';
import { roleLabels } from '../access/permissions.ts';
import { actorNameOfRef, describeEvent, eventKindLabels, taskStatusLabels } from '../incident-record/describe-event.ts';
import { kindLabels, statementStatusLabels, type StatementKind, type StatementStatus } from '../statements/lifecycle.ts';
import type { PostmortemFacts } from './facts.ts';
import { formatDuration, metricLabels, metricNames, type DeadlineOutcome } from './metrics.ts';
import type { PostmortemView } from './queries.ts';

// The post-mortem as Markdown and as a print-ready HTML page: Japanese, JST times, no external
// assets. Everything from posts, statements, notes and edited prose is hostile text: escaped for
// the format it lands in, and links are never built from it.

const when = (iso: string | null) => (iso ? formatJst(new Date(iso)) : '—');
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

const outcomeLabels: Record<DeadlineOutcome, string> = {
  met: '期限内 (met)',
  late: '期限超過で完了 (late)',
  missed: '未完了・期限超過 (missed)',
  skipped: '省略 (skipped)',
  open: '未完了 (open)',
};
export const postmortemStatusLabels: Record<string, string> = { draft: '下書き', approved: '承認済み' };

const ownerOf = (a: PostmortemView['actionItems'][number]) => a.assigneeName ?? `${roleLabels[a.ownerRole] ?? a.ownerRole}（未割り当て）`;
const itemStatus = (a: PostmortemView['actionItems'][number]) => taskStatusLabels[a.status] ?? a.status;
const statementLine = (st: PostmortemFacts['statements'][number]) =>
  `${kindLabels[st.kind as StatementKind] ?? st.kind} ・ ${statementStatusLabels[st.status as StatementStatus] ?? st.status} ・ 承認 ${when(st.approvedAt)} ・ 公開 ${when(st.publishedAt)}`;

/** Names for the people in a post-mortem (ids and 'user:4' references alike); built by the caller from the org's users. */
export type PeopleNames = (idOrRef: unknown) => string;

/** The timeline, a line per event — when, what, who, and what it said — as plain text, escaped by the caller. */
export function timelineLines(f: PostmortemFacts, name: PeopleNames): string[] {
  const titles = new Map(f.deadlines.map((d) => [d.stepKey, d.title]));
  const words = { name, taskTitle: (key: unknown) => titles.get(String(key)) ?? 'タスク' };
  return f.timeline.map((e) => {
    const label = eventKindLabels[e.kind as keyof typeof eventKindLabels] ?? '記録';
    const said = describeEvent(e.kind, e.data ?? {}, words);
    return `${when(e.at)} ${label}（${actorNameOfRef(e.actor, words)}）${said ? `: ${said}` : ''}`;
  });
}

/**
 * Markdown-inert text on one line: link, emphasis, code and table punctuation backslash-escaped
 * (an escaped `[` cannot open a link, so `](javascript:` is plain text), HTML characters as entities.
 */
export function mdInline(text: string): string {
  return (
    text
      .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
      .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
      .replace(/[\\`*_{}[\]|~]/g, (c) => `\\${c}`)
      // What only means something at the start of a line: headings, list items, quotes, setext underlines.
      .replace(/^(\s*)([#+\-=])/, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/, '$1\\$2')
  );
}

/** Multi-line prose: each line inert, line breaks kept as hard breaks. */
function mdBlock(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => mdInline(l))
    .join('  \n');
}

function metricRows(f: PostmortemFacts): [string, string][] {
  return metricNames.map((m) => [metricLabels[m], f.metrics[m] === null ? '—（該当なし）' : formatDuration(f.metrics[m])]);
}

function impactRows(f: PostmortemFacts): [string, string][] {
  const i = f.impact;
  return [
    ['エピソード (episode)', `${when(f.episode.start)} 〜 ${when(f.episode.end)}（${formatDuration(i.durationMs)}）`],
    ['最初の否定的投稿 (first negative post)', when(f.episode.firstNegativeAt)],
    ['最初のアラート (first alert)', when(f.episode.firstAlertAt)],
    ['投稿数 / 否定的 (mentions / negative)', `${i.mentions}件 / ${i.negative}件（否定割合 ${pct(i.negativeShare)}）`],
    ['ピーク (peak volume per hour)', i.peakVolume ? `${i.peakVolume.count}件/時（${when(i.peakVolume.bucketStart)}〜）` : '—'],
    ['投稿者数 (unique authors)', `${i.uniqueAuthors}人（否定的な投稿者 ${i.negativeAuthors}人）`],
    [
      '反応数 (reach: likes+reposts+quotes+replies)',
      `${i.reach.engagement}${i.reach.views === null ? '' : `（表示回数 ${i.reach.views}）`}`,
    ],
    ['平常時の否定割合 (baseline share)', `${pct(f.baseline.share)}（${when(f.baseline.from)} 〜 ${when(f.baseline.to)}）`],
    ['回復 (back within the baseline band)', f.recovery.recoveredAt ? when(f.recovery.recoveredAt) : '記録期間内に回復せず (not reached)'],
  ];
}

/** Resolutions over open required tasks: when, who, why and which tasks (empty: none, or facts from before). */
function overOpenTasksLines(f: PostmortemFacts): string[] {
  return (f.resolvedOverOpenTasks ?? []).map(
    (r) => `${when(r.at)} 理由: ${r.reason} ・ 未完了: ${r.tasks.map((t) => `「${t}」`).join('')}`,
  );
}

const definitions = [
  '時間は1時間単位の集計（日本時間）。平常時: 最初のアラートの48時間前までの7日間。',
  'エピソード開始: 否定的投稿数が平常時の同じ時刻の期待値から見て 1% 未満の確率でしか起きない（ポアソン分布）時間帯の連続（1時間の途切れは許容）の最初の時間。',
  '検知までの時間: エピソード最初の否定的投稿から、最初のアラートを出した5分間の集計枠が閉じた時刻まで。',
  '平常の範囲: 投稿 n 件の時間帯で否定割合 ≤ p0 + 2√(p0(1−p0)/n)（p0 は平常時の否定割合）。回復時間はピーク（否定的投稿が最多の時間帯）からその範囲に戻り続けた最初の時間帯まで。',
  '未発生の出来事（公式発表なし等）の指標は 0 ではなく「—」。',
];

export function renderMarkdown(pm: PostmortemView, orgName: string, name: PeopleNames): string {
  const f = pm.facts;
  const lines: string[] = [];
  const table = (rows: [string, string][]) => {
    lines.push('| 項目 | 値 |', '|---|---|');
    for (const [k, v] of rows) lines.push(`| ${mdInline(k)} | ${mdInline(v)} |`);
    lines.push('');
  };
  lines.push(`# ポストモーテム: ${mdInline(f.incident.title)}`, '');
  lines.push(
    `${mdInline(orgName)} ・ インシデント \\#${f.incident.id} ・ 深刻度 ${f.incident.severity} ・ ${mdInline(postmortemStatusLabels[pm.status] ?? pm.status)} ・ 第${pm.version}版`,
    '',
  );
  if (pm.approvedAt) lines.push(`承認: ${mdInline(name(pm.approvedBy))} ${mdInline(formatJst(new Date(pm.approvedAt)))}`, '');
  lines.push('## 概要 (summary)', '', mdBlock(pm.summary), '');
  lines.push('## 指標 (metrics)', '');
  table(metricRows(f));
  lines.push('## 影響 (impact)', '');
  table(impactRows(f));
  lines.push('## 経緯 (timeline)', '');
  for (const l of timelineLines(f, name)) lines.push(`- ${mdInline(l)}`);
  lines.push('');
  lines.push('## 未完了の必須タスクを残した解決 (resolved with required tasks open)', '');
  const over = overOpenTasksLines(f);
  if (over.length === 0) lines.push('（なし）');
  for (const l of over) lines.push(`- ${mdInline(l)}`);
  lines.push('');
  lines.push('## タスクの期限 (playbook deadlines)', '');
  lines.push('| タスク | 期限 | 完了 | 結果 |', '|---|---|---|---|');
  for (const d of f.deadlines)
    lines.push(
      `| ${mdInline(d.title)} | ${mdInline(when(d.dueAt))} | ${mdInline(when(d.doneAt))} | ${mdInline(outcomeLabels[d.outcome])} |`,
    );
  lines.push('');
  lines.push('## うまくいったこと (what went well)', '', mdBlock(pm.wentWell), '');
  lines.push('## うまくいかなかったこと (what went badly)', '', mdBlock(pm.wentBadly), '');
  lines.push('## アクション項目 (action items)', '');
  if (pm.actionItems.length === 0) lines.push('（なし）');
  for (const a of pm.actionItems) {
    lines.push(
      `- ${mdInline(a.title)} — 担当: ${mdInline(ownerOf(a))} ・ 期限 ${mdInline(formatJst(new Date(a.dueAt)))} ・ ${mdInline(itemStatus(a))}`,
    );
  }
  lines.push('');
  lines.push('## 使用した声明文 (statements)', '');
  if (f.statements.length === 0) lines.push('（なし）');
  for (const s of f.statements) {
    lines.push(`### ${mdInline(s.title)}`, '', mdInline(statementLine(s)), '');
    lines.push(mdBlock(s.body), '');
  }
  lines.push('## 主な否定的投稿 (key negative posts)', '');
  if (f.keyPosts.length === 0) lines.push('（なし）');
  for (const p of f.keyPosts)
    lines.push(`- ${mdInline(when(p.postedAt))} ${mdInline(p.author)}（反応 ${p.engagement}）: ${mdInline(p.text)}`);
  lines.push('', '## 定義 (definitions)', '');
  for (const d of definitions) lines.push(`- ${mdInline(d)}`);
  lines.push('', `生成: ${mdInline(when(f.generatedAt))}`, '');
  return lines.join('\n');
}

const h = escapeHtml;
const multiline = (s: string) => h(s).replace(/\r\n?|\n/g, '<br>');

/** Print CSS shared by the post-mortem and the report pages: A4, no external assets. */
export const printCss = `
body{font-family:"Hiragino Kaku Gothic ProN","Noto Sans JP","Yu Gothic",sans-serif;color:#111;margin:2rem auto;max-width:60rem;line-height:1.6;padding:0 1rem}
h1{font-size:1.5rem;border-bottom:2px solid #111}h2{font-size:1.15rem;margin-top:1.6rem;border-left:4px solid #c33;padding-left:.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}.kv th{width:35%}.meta{color:#444}.badge{display:inline-block;padding:0 .4rem;border:1px solid #555;border-radius:3px}
.statement{border:1px solid #ccc;padding:.5rem;margin:.5rem 0}.small{font-size:.85rem;color:#444}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,.statement,li{break-inside:avoid}a{color:inherit;text-decoration:none}@page{size:A4;margin:15mm}}
`;

/** The print stylesheet's CSP hash: the only inline style the app allows (src/server/app.ts). */
export const printCssHash = `'sha256-${createHash('sha256').update(printCss).digest('base64')}'`;

export function htmlPage(title: string, body: string): string {
  return (
    `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${h(title)}</title><style>${printCss}</style></head><body>${body}</body></html>`
  );
}

export function renderHtml(pm: PostmortemView, orgName: string, name: PeopleNames): string {
  const f = pm.facts;
  const table = (rows: [string, string][]) =>
    `<table class="kv">${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</table>`;
  const parts: string[] = [];
  parts.push(`<h1>ポストモーテム: ${h(f.incident.title)}</h1>`);
  parts.push(
    `<p class="meta">${h(orgName)} ・ インシデント #${h(f.incident.id)} ・ 深刻度 ${f.incident.severity} ・ <span class="badge">${h(postmortemStatusLabels[pm.status] ?? pm.status)}</span> ・ 第${pm.version}版` +
      `${pm.approvedAt ? ` ・ 承認 ${h(name(pm.approvedBy))} ${h(formatJst(new Date(pm.approvedAt)))}` : ''}</p>`,
  );
  parts.push(`<h2>概要 (summary)</h2><p>${multiline(pm.summary)}</p>`);
  parts.push(`<h2>指標 (metrics)</h2>${table(metricRows(f))}`);
  parts.push(`<h2>影響 (impact)</h2>${table(impactRows(f))}`);
  parts.push(
    `<h2>経緯 (timeline)</h2><ul>${timelineLines(f, name)
      .map((l) => `<li>${h(l)}</li>`)
      .join('')}</ul>`,
  );
  const over = overOpenTasksLines(f);
  parts.push(
    `<h2>未完了の必須タスクを残した解決 (resolved with required tasks open)</h2>${over.length === 0 ? '<p>（なし）</p>' : `<ul>${over.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`}`,
  );
  parts.push(
    `<h2>タスクの期限 (playbook deadlines)</h2><table><tr><th>タスク</th><th>期限</th><th>完了</th><th>結果</th></tr>` +
      f.deadlines
        .map(
          (d) =>
            `<tr><td>${h(d.title)}</td><td>${h(when(d.dueAt))}</td><td>${h(when(d.doneAt))}</td><td>${h(outcomeLabels[d.outcome])}</td></tr>`,
        )
        .join('') +
      '</table>',
  );
  parts.push(`<h2>うまくいったこと (what went well)</h2><p>${multiline(pm.wentWell)}</p>`);
  parts.push(`<h2>うまくいかなかったこと (what went badly)</h2><p>${multiline(pm.wentBadly)}</p>`);
  parts.push(
    `<h2>アクション項目 (action items)</h2>${
      pm.actionItems.length === 0
        ? '<p>（なし）</p>'
        : `<ul>${pm.actionItems
            .map((a) => `<li>${h(a.title)} — 担当: ${h(ownerOf(a))} ・ 期限 ${h(formatJst(new Date(a.dueAt)))} ・ ${h(itemStatus(a))}</li>`)
            .join('')}</ul>`
    }`,
  );
  parts.push(
    `<h2>使用した声明文 (statements)</h2>${
      f.statements.length === 0
        ? '<p>（なし）</p>'
        : f.statements
            .map(
              (s) =>
                `<div class="statement"><strong>${h(s.title)}</strong><div class="small">${h(statementLine(s))}</div><p>${multiline(s.body)}</p></div>`,
            )
            .join('')
    }`,
  );
  parts.push(
    `<h2>主な否定的投稿 (key negative posts)</h2>${
      f.keyPosts.length === 0
        ? '<p>（なし）</p>'
        : `<ul>${f.keyPosts
            .map((p) => `<li>${h(when(p.postedAt))} ${h(p.author)}（反応 ${p.engagement}）: ${h(p.text)}</li>`)
            .join('')}</ul>`
    }`,
  );
  parts.push(`<h2>定義 (definitions)</h2><ul class="small">${definitions.map((d) => `<li>${h(d)}</li>`).join('')}</ul>`);
  parts.push(`<p class="small">生成: ${h(when(f.generatedAt))}</p>`);
  return htmlPage(`ポストモーテム: ${f.incident.title}`, parts.join('\n'));
}
