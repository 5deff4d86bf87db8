import { alertTopic } from '../detection/short-title.ts';
import { bucketLengthJa, severityLevels } from '../detection/describe-alert.ts';
import { escapeHtml, formatJst, formatJstWindow, httpLink } from '../display.ts';

// The crisis alert e-mail, Japanese first, as plain text and HTML. Pure: the same input always
// gives the same mail, so the outbox row can be written inside the detection transaction.
//
// Everything that comes from a post (sample texts, URLs, terms) is written by strangers: HTML
// escapes it, headers get it only after control characters are removed.

export interface AlertMailInput {
  orgId: string;
  orgName: string;
  /** The watch target's name, or null for the org as a whole. */
  targetName: string | null;
  alertId: string;
  /** 'escalate' only when the recipients were already mailed about this alert; else it reads as news. */
  action: 'open' | 'escalate' | string;
  kind: 'crisis' | 'notice' | string;
  severity: number;
  /** The one-line Japanese summary detection wrote (describeAlert). */
  summary: string;
  /** The alert's explanation as stored (jsonb): read defensively. */
  explanation: unknown;
  /** Start of the bucket that raised this event. */
  at: Date;
  /** Base URL of the dashboard, without a trailing slash. */
  dashboardUrl: string;
  /** The incident the alert belongs to: the mail links to its page (login first, then back to it). */
  incidentId?: string | null;
  /** This recipient's acknowledgement link (opens a confirm page), when the mail is about an incident. */
  ackUrl?: string | null;
  /** A line above the headline, e.g. which escalation level this page is. */
  note?: string | null;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

const MAX_SUBJECT_CHARS = 200;
const MAX_SAMPLES = 5;
const MAX_SAMPLE_CHARS = 280;
const MAX_TERMS = 10;
const MAX_TERM_CHARS = 40;

/** One line with no control characters (CR/LF would start a new header), at most `max` characters. */
export function headerSafe(s: string, max = MAX_SUBJECT_CHARS): string {
  // \p{Cc} covers C0, DEL and C1; U+2028/2029 are line breaks to some clients too.
  const line = s
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

/** Body text: keeps line breaks, drops other control characters, caps the length. */
function bodySafe(s: string, max: number): string {
  const clean = s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown, max: number): string | null {
  return typeof v === 'string' && v.length > 0 ? bodySafe(v, max) : null;
}

function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const detectorNames: Record<string, string> = {
  volume: '投稿量',
  sentiment: '否定割合',
  velocity: '拡散速度',
  criticalTerms: '重大ワード',
};

export interface MailFacts {
  bucket: string | null;
  bucketMs: number | null;
  observed: number | null;
  expected: number | null;
  negativeObserved: number | null;
  negativeBaseline: number | null;
  reachObserved: number | null;
  reachExpected: number | null;
  fired: string[];
  criticalNew: string[];
  risks: { category: string; count: number }[];
  terms: string[];
  samples: { text: string; url: string | null; engagement: number | null; negative: boolean }[];
  /** The clinic's own published post whose replies and quotes carry the surge (issue 17). */
  ownPost: { postId: string; line: string; url: string | null } | null;
}

/** 「X（旧Twitter）の投稿「…」（… 公開）への否定的な返信・引用 N件（直近60分の否定的投稿 M件のうち）」 */
function ownPostOf(v: unknown): MailFacts['ownPost'] {
  const o = rec(v);
  const postId = typeof o.postId === 'string' && /^\d{1,20}$/.test(o.postId) ? o.postId : null;
  const negative = num(o.negative);
  if (!postId || negative === null) return null;
  const published = typeof o.publishedAt === 'string' ? new Date(o.publishedAt) : null;
  const when = published && Number.isFinite(published.getTime()) ? `（${formatJst(published)} 公開）` : '';
  const within =
    num(o.windowNegative) !== null ? `（直近${num(o.windowMinutes) ?? 60}分の否定的投稿 ${count(num(o.windowNegative)!)}件のうち）` : '';
  const line = `${str(o.channelJa, 40) ?? ''}の投稿「${str(o.excerpt, 40) ?? ''}」${when}への否定的な返信・引用 ${count(negative)}件${within}`;
  return { postId, line, url: httpLink(o.url) };
}

/** The stored explanation read defensively (jsonb): what the mail and the alert page show. */
export function factsOf(explanation: unknown): MailFacts {
  const e = rec(explanation);
  const volume = rec(e.volume);
  const negative = rec(e.negativeShare);
  const reach = rec(e.reach);
  const detectors = rec(e.detectors);
  const bucketMs = num(e.bucketMs);
  const fired = list(e.fired)
    .filter((d): d is string => typeof d === 'string')
    .slice(0, 8)
    .map((d) => {
      const strength = num(rec(detectors[d]).strength);
      const name = detectorNames[d] ?? bodySafe(d, 40);
      return strength === null ? name : `${name} ${Math.round(strength * 100)}%`;
    });
  const emerging = list(e.emergingTerms).map((t) => str(rec(t).term, MAX_TERM_CHARS));
  const top = list(e.topTerms).map((t) => str(rec(t).term, MAX_TERM_CHARS));
  const terms = [...new Set([...emerging, ...top].filter((t): t is string => t !== null))].slice(0, MAX_TERMS);
  return {
    bucket: bucketMs !== null && bucketMs > 0 ? bucketLengthJa(bucketMs) : null,
    bucketMs: bucketMs !== null && bucketMs > 0 && bucketMs <= 86_400_000 ? bucketMs : null,
    observed: num(volume.observed),
    expected: num(volume.expected),
    negativeObserved: num(negative.observed),
    negativeBaseline: num(negative.baseline),
    reachObserved: num(reach.observed),
    reachExpected: num(reach.expected),
    fired,
    criticalNew: list(rec(e.criticalTerms).new)
      .map((t) => str(t, MAX_TERM_CHARS))
      .filter((t): t is string => t !== null)
      .slice(0, MAX_TERMS),
    risks: list(e.riskCategories)
      .flatMap((r) => {
        const category = str(rec(r).category, 40);
        return category ? [{ category, count: num(rec(r).count) ?? 0 }] : [];
      })
      .slice(0, 10),
    terms,
    samples: list(e.samples)
      .flatMap((s) => {
        const text = str(rec(s).text, MAX_SAMPLE_CHARS);
        return text ? [{ text, url: httpLink(rec(s).url), engagement: num(rec(s).engagement), negative: rec(s).negative === true }] : [];
      })
      .slice(0, MAX_SAMPLES),
    ownPost: ownPostOf(e.ownPost),
  };
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const approx = (n: number) => (n < 1 ? (n < 0.1 ? '0.1件未満' : `約${n.toFixed(1)}件`) : `約${count(n)}件`);
const percent = (share: number) => `${Math.round(share * 100)}%`;

function levelOf(severity: number) {
  return severityLevels[Math.min(5, Math.max(1, Math.round(severity))) as 1 | 2 | 3 | 4 | 5];
}

export function alertSubject(
  input: Pick<AlertMailInput, 'orgName' | 'targetName' | 'kind' | 'severity' | 'action'> & { explanation?: unknown },
): string {
  const level = levelOf(input.severity);
  const where = input.targetName ?? input.orgName;
  // The short title's topic (src/detection/short-title.ts): 「…で職員の不適切投稿の疑い」.
  const what = `で${alertTopic(input.kind === 'notice' ? 'notice' : 'crisis', input.explanation)}`;
  const escalated = input.action === 'escalate' ? '（深刻度が上がりました）' : '';
  // The prefix is ours and never cut; a long clinic name is.
  const prefix = `【火の粉・深刻度${Math.round(input.severity)} ${level.ja}】`;
  return prefix + headerSafe(`${where}${what}${escalated}`, MAX_SUBJECT_CHARS - prefix.length);
}

/**
 * Where the mail sends a person: the incident's page when there is one (a manager on a phone acts
 * there), and the overview. Pages, not the JSON API: a login page comes first and returns to them.
 */
export function alertLinks(input: Pick<AlertMailInput, 'dashboardUrl' | 'incidentId' | 'alertId'>, ownPostId: string | null = null) {
  const base = input.dashboardUrl.replace(/\/+$/, '');
  return {
    ownPost: ownPostId ? `${base}/posts/${encodeURIComponent(ownPostId)}` : null,
    incident: input.incidentId ? `${base}/incidents/${encodeURIComponent(input.incidentId)}` : null,
    alert: input.alertId ? `${base}/alerts/${encodeURIComponent(input.alertId)}` : null,
    overview: `${base}/`,
  };
}

/** The explanation as labelled lines, shared by the text and HTML parts (values not yet escaped). */
function factLines(f: MailFacts): { label: string; value: string }[] {
  const lines: { label: string; value: string }[] = [];
  if (f.observed !== null && f.expected !== null) {
    const ratio = f.expected >= 1 ? f.observed / f.expected : 0;
    const ratioText = ratio >= 1.5 ? `（${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}倍）` : '';
    lines.push({
      label: '投稿量',
      value: `${count(f.observed)}件${ratioText}／通常 ${f.bucket ? `${f.bucket}あたり` : ''}${approx(f.expected)}`,
    });
  }
  if (f.negativeObserved !== null && f.negativeBaseline !== null) {
    lines.push({ label: '否定的投稿の割合', value: `${percent(f.negativeObserved)}（通常 ${percent(f.negativeBaseline)}）` });
  }
  if (f.reachObserved !== null && f.reachObserved > 0) {
    lines.push({ label: '拡散（リポスト・引用・返信）', value: `${count(f.reachObserved)}件（通常 ${approx(f.reachExpected ?? 0)}）` });
  }
  if (f.fired.length > 0) lines.push({ label: '反応した検知器', value: f.fired.join('、') });
  if (f.criticalNew.length > 0) lines.push({ label: '重大ワードの初出', value: f.criticalNew.join('、') });
  if (f.risks.length > 0) lines.push({ label: 'リスク分類', value: f.risks.map((r) => `${r.category}(${r.count})`).join('、') });
  if (f.terms.length > 0) lines.push({ label: '増えている語', value: f.terms.join('、') });
  if (f.ownPost) lines.push({ label: '発端とみられる当院の投稿', value: f.ownPost.line + (f.ownPost.url ? ` ${f.ownPost.url}` : '') });
  return lines;
}

export function composeAlertMail(input: AlertMailInput): ComposedMail {
  const subject = alertSubject(input);
  const level = levelOf(input.severity);
  const facts = factsOf(input.explanation);
  const lines = factLines(facts);
  const links = alertLinks(input, facts.ownPost?.postId ?? null);
  const where = bodySafe(input.targetName ? `${input.orgName}／${input.targetName}` : input.orgName, 400);
  const summary = bodySafe(input.summary, 2000);
  const when = formatJstWindow(input.at, facts.bucketMs);
  const headline =
    input.action === 'escalate'
      ? '炎上の疑いのある投稿の深刻度が上がりました。'
      : input.kind === 'notice'
        ? '炎上の兆候のない話題の急増を検知しました。'
        : '炎上の疑いのある投稿の急増を検知しました。';

  const ack = input.ackUrl ?? null;
  const note = input.note ? bodySafe(input.note, 400) : null;
  const text = [
    ...(note ? [note, ''] : []),
    headline,
    '',
    ...(ack
      ? [
          '■ 受領確認（対応を引き受ける / acknowledge）',
          '下のリンクを開き、確認画面のボタンを押すとエスカレーションが止まります。',
          ack,
          '',
        ]
      : []),
    `対象: ${where}`,
    `深刻度: ${Math.round(input.severity)} ${level.ja} (${level.en})`,
    `検知した時間帯: ${when}`,
    '',
    `■ 対応の目安`,
    level.meaningJa,
    '',
    // The detailed lines say what the one-line summary says; it stands in when they are missing.
    ...(lines.length > 0 ? ['■ 根拠（通常との比較）', ...lines.map((l) => `${l.label}: ${l.value}`), ''] : ['■ 概要', summary, '']),
    ...(facts.samples.length > 0
      ? [
          '■ 投稿の例（原文のまま・未確認の情報を含みます）',
          ...facts.samples.flatMap((s, i) => [`${i + 1}. ${s.text.replace(/\n/g, '\n   ')}`, ...(s.url ? [`   ${s.url}`] : [])]),
          '',
        ]
      : []),
    ...(links.incident ? [`インシデントを開く: ${links.incident}`] : []),
    ...(links.alert ? [`アラートの詳細を開く: ${links.alert}`] : []),
    ...(links.ownPost ? [`発端とみられる当院の投稿を開く: ${links.ownPost}`] : []),
    `概要（投稿の推移）を開く: ${links.overview}`,
    '',
    '--',
    '火の粉 (Hinoko) 自動送信です。このメールに返信しても届きません。',
    'This is an automatic crisis alert from Hinoko. English: severity ' +
      `${Math.round(input.severity)} (${level.en}) — ${level.meaningEn}`,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family: 'Hiragino Sans', 'Noto Sans JP', Meiryo, sans-serif; color: #222; line-height: 1.6">
${note ? `<p>${e(note)}</p>\n` : ''}<p style="font-size: 1.1em"><strong>${e(headline)}</strong></p>
${
  ack
    ? `<p><a href="${e(ack)}" style="display: inline-block; padding: 0.5em 1em; background: #b71c1c; color: #fff; text-decoration: none">受領確認（対応を引き受ける）</a><br>
<small>リンク先の確認画面でボタンを押すとエスカレーションが止まります (acknowledge: opens a confirmation page)。</small></p>`
    : ''
}
<table cellpadding="4" style="border-collapse: collapse">
<tr><th align="left">対象</th><td>${e(where)}</td></tr>
<tr><th align="left">深刻度</th><td><strong>${e(`${Math.round(input.severity)} ${level.ja}`)}</strong> (${e(level.en)})</td></tr>
<tr><th align="left">検知した時間帯</th><td>${e(when)}</td></tr>
</table>
<h3>対応の目安</h3>
<p>${e(level.meaningJa)}</p>
${
  lines.length > 0
    ? `<h3>根拠（通常との比較）</h3>
<table cellpadding="4" style="border-collapse: collapse">
${lines.map((l) => `<tr><th align="left">${e(l.label)}</th><td>${e(l.value)}</td></tr>`).join('\n')}
</table>`
    : `<h3>概要</h3>
<p>${e(summary).replace(/\n/g, '<br>')}</p>`
}
${
  facts.samples.length > 0
    ? `<h3>投稿の例（原文のまま・未確認の情報を含みます）</h3>
<ol>
${facts.samples.map((s) => `<li><blockquote style="margin: 0 0 0.5em; white-space: pre-wrap">${e(s.text)}</blockquote>${s.url ? `<a href="${e(s.url)}">${e(s.url)}</a>` : ''}</li>`).join('\n')}
</ol>`
    : ''
}
<p>${links.incident ? `<a href="${e(links.incident)}">インシデントを開く</a> · ` : ''}${links.alert ? `<a href="${e(links.alert)}">アラートの詳細を開く</a> · ` : ''}${links.ownPost ? `<a href="${e(links.ownPost)}">発端とみられる当院の投稿を開く</a> · ` : ''}<a href="${e(links.overview)}">概要（投稿の推移）を開く</a></p>
<hr>
<p style="color: #666; font-size: 0.9em">火の粉 (Hinoko) 自動送信です。このメールに返信しても届きません。<br>
Automatic crisis alert from Hinoko: severity ${e(`${Math.round(input.severity)} (${level.en})`)} — ${e(level.meaningEn)}</p>
</body></html>
`;
  return { subject, text, html };
}
