import { piiLabels, type PiiType } from '../analysis/pii.ts';
import { displayText, formatJstDateTime, httpLink } from '../display.ts';
import type { PresentedMention } from '../mentions/privacy.ts';
import { sentimentLabels, sourceLabels, triageLabels } from './labels.ts';

// The mention feed as a CSV file for Excel, which is what clinics open it in: UTF-8 with a BOM (or
// Excel reads Japanese as mojibake), CRLF, every cell quoted, times in JST. A cell a stranger wrote
// that starts like a formula (=, +, -, @, a tab or return, or their full-width forms) gets a
// leading apostrophe so a spreadsheet shows it as text instead of running it.

const formulaStart = /^[=+\-@\t\r＝＋－＠]/;

export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  s = displayText(s);
  if (formulaStart.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

const header = [
  '投稿日時 (JST)',
  '投稿元',
  '監視対象',
  '投稿者',
  'アカウント',
  '本文',
  '評価',
  '感情',
  'リスク区分',
  '個人情報',
  '対応状況',
  '担当者',
  '最初の返信 (JST)',
  '元の投稿',
  '削除',
  '非公開',
  'Hinoko 投稿ID',
];

export function mentionsCsv(items: readonly PresentedMention[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const m of items) {
    lines.push(
      [
        formatJstDateTime(m.postedAt),
        sourceLabels[m.sourceType] ?? m.sourceType,
        m.watchTargetName,
        m.author.name,
        m.author.handle,
        m.text,
        m.rating,
        m.sentiment ? sentimentLabels[m.sentiment.label] : '未分析',
        (m.analysis?.risks ?? []).map((r) => r.category).join('・'),
        m.piiTypes.map((t) => piiLabels[t as PiiType] ?? t).join('・'),
        triageLabels[m.triage.status],
        m.triage.assignee?.name,
        m.triage.firstReplyAt ? formatJstDateTime(m.triage.firstReplyAt) : '',
        httpLink(m.url),
        m.deletedAt ? formatJstDateTime(m.deletedAt) : '',
        m.isPrivate ? '非公開' : '',
        m.id,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
