import { formatJst } from '../display.ts';
import type { DetectionResult } from './step-detector.ts';

// Japanese explanation of a detection for e-mails and the UI: baseline vs observed first,
// because "38件（通常2件）" is what a PR person acts on, not a probability.

export interface SeverityLevel {
  ja: string;
  en: string;
  /** What it means for the person on call (Japanese, then English). */
  meaningJa: string;
  meaningEn: string;
}

export const severityLevels: Record<1 | 2 | 3 | 4 | 5, SeverityLevel> = {
  1: {
    ja: '注意',
    en: 'Watch',
    meaningJa: '通常より言及が多いが規模は小さい。内容を一読し、様子を見る。',
    meaningEn: 'More mentions than usual, but small. Skim them and keep an eye on it.',
  },
  2: {
    ja: '警戒',
    en: 'Elevated',
    meaningJa: '言及数の明確な急増、または否定的投稿の割合の上昇。担当者が当日中に内容を確認する。',
    meaningEn: 'A clear surge in mentions, or a rise in the share of negative posts. Someone reads them today.',
  },
  3: {
    ja: '要対応',
    en: 'Act',
    meaningJa:
      '否定的な投稿の急増・拡散、または重大ワード（医療ミス・死亡・個人情報流出など）の初出。1時間以内に事実確認を始め、院内で共有する。',
    meaningEn:
      'Negative posts surging or spreading, or a critical term (malpractice, death, data leak …) appears for the first time. Start fact-finding and tell management within the hour.',
  },
  4: {
    ja: '重大',
    en: 'Serious',
    meaningJa:
      '大規模な否定的急増が拡散している、または重大ワードと急増・拡散が重なっている。経営層・広報・法務で対応を決め、24時間以内の公式見解を準備する。',
    meaningEn:
      'A large negative surge that is spreading, or a critical term together with a surge. Management, PR and legal decide the response; prepare an official statement within 24 hours.',
  },
  5: {
    ja: '緊急',
    en: 'Critical',
    meaningJa: '重大ワード・大規模な急増・急速な拡散が同時に起きている。報道・まとめサイトへの波及が近い。直ちに危機対応体制を立ち上げる。',
    meaningEn: 'Critical terms, a massive surge and fast spread at once; news and aggregator pick-up is near. Convene the crisis team now.',
  },
};

export function bucketLengthJa(bucketMs: number): string {
  const minutes = Math.round(bucketMs / 60_000);
  if (minutes < 1) return `${Math.round(bucketMs / 1000)}秒`;
  if (minutes < 60) return `${minutes}分`;
  if (minutes % 1440 === 0) return minutes === 1440 ? '1日' : `${minutes / 1440}日`;
  if (minutes % 60 === 0) return `${minutes / 60}時間`;
  return `${minutes}分`;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const percent = (share: number) => `${Math.round(share * 100)}%`;

function approx(n: number): string {
  if (n < 1) return `${n < 0.1 ? '0.1件未満' : `約${n.toFixed(1)}件`}`;
  return `約${count(n)}件`;
}

export function describeAlert(result: DetectionResult): string {
  const e = result.explanation;
  const parts: string[] = [];
  const level = severityLevels[result.severity as 1 | 2 | 3 | 4 | 5];
  const kindJa = result.kind === 'notice' ? 'お知らせ（炎上の兆候のない話題の急増）' : result.kind === 'crisis' ? '炎上の疑い' : null;
  if (level) parts.push(`【深刻度${result.severity} ${level.ja}${kindJa ? `・${kindJa}` : ''}】`);

  const ratio = e.volume.expected > 0 ? e.volume.observed / e.volume.expected : 0;
  // Against an expectation below one post, "250倍" says more about the division than the clinic.
  const ratioText = ratio >= 1.5 && e.volume.expected >= 1 ? `（${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}倍）` : '';
  parts.push(`通常 ${bucketLengthJa(e.bucketMs)}あたり${approx(e.volume.expected)}のところ ${count(e.volume.observed)}件${ratioText}。`);

  if (e.negativeShare.observed !== null && e.volume.observed > 0) {
    const reported =
      e.negativeShare.reported > 0
        ? `、ほかにニュース・まとめの共有や炎上への言及 ${count(e.negativeShare.reported)}件（否定的な反応として数える）`
        : '';
    parts.push(`否定的投稿の割合 ${percent(e.negativeShare.observed)}（通常 ${percent(e.negativeShare.baseline)}）${reported}。`);
  }
  if (e.volume.catchUp)
    parts.push('長い空白の後にまとめて届いた投稿のため（収集の遅れの可能性）、空白期間に想定される件数と合わせて判定。');
  const kindSentence = describeKind(result);
  if (kindSentence) parts.push(kindSentence);
  if (e.reach.observed > 0) {
    parts.push(`否定的投稿の拡散（リポスト・引用・返信） ${count(e.reach.observed)}件（通常 ${approx(e.reach.expected)}）。`);
  }
  if (e.criticalTerms.new.length > 0) parts.push(`重大ワードの初出: ${e.criticalTerms.new.join('、')}。`);
  if (e.riskCategories.length > 0) {
    parts.push(`リスク分類: ${e.riskCategories.map((r) => `${r.category}(${r.count})`).join('、')}。`);
  }
  if (e.topTerms.length > 0) parts.push(`増えている語: ${e.topTerms.map((t) => t.term).join('、')}。`);
  if (e.fired.length > 0) {
    const names = { volume: '投稿量', sentiment: '否定割合', velocity: '拡散速度', criticalTerms: '重大ワード' } as const;
    const strengths = e.fired.map((d) => `${names[d]} ${Math.round(result.detectors[d].strength * 100)}%`);
    parts.push(`反応した検知器: ${strengths.join('、')}。`);
  }
  if (e.ownPost) {
    const o = e.ownPost;
    parts.push(
      `当院の${o.channelJa}の投稿「${o.excerpt.replace(/\s+/g, ' ').slice(0, 40)}${o.excerpt.length > 40 ? '…' : ''}」（${formatJst(new Date(o.publishedAt))} 公開）への返信・引用に否定的な反応 ${count(o.negative)}件（直近${o.windowMinutes}分の否定的投稿 ${count(o.windowNegative)}件のうち）。`,
    );
  }
  if (e.underWay) parts.push('※監視の開始時点ですでに進行中だった可能性があります（それ以前の履歴が短いため、始まりは分かりません）。');
  if (e.provisional) parts.push('※履歴が短いため、基準値は同規模の診療所の標準的な値を交えた暫定値です。');
  return parts.join('');
}

const kindNames = { crisis: '炎上の疑い', notice: 'お知らせ' } as const;

/** Why this is a crisis or a notice, and a change of kind when this decision made one. */
function describeKind(result: DetectionResult): string {
  const v = result.explanation.kind;
  const ev = v.evidence;
  const parts: string[] = [];
  const from = result.alert?.kindFrom;
  if (from && result.kind && from !== result.kind) parts.push(`種別を「${kindNames[from]}」から「${kindNames[result.kind]}」に変更。`);
  const shared = ev.reported >= 0.5 ? `（ニュース・まとめの共有や炎上への言及 ${count(ev.reported)}件を含む）` : '';
  const span = ev.span === 'run' ? '否定的な投稿が増え始めてからの' : '直近約1時間の';
  const tally = `${span}否定的な反応 ${count(ev.negative)}/${count(ev.total)}件${shared}`;
  if (v.reason === 'negative-evidence') {
    parts.push(`${tally}: 好意的な話題でも見られる水準（${percent(ev.nullShare)}）を明らかに上回る（下限 ${percent(ev.lowerBound)}）。`);
  } else if (v.reason === 'within-good-news' && result.kind === 'notice') {
    parts.push(`${tally}: 好意的な話題でも見られる水準（${percent(ev.nullShare)}）の範囲内。`);
  } else if (v.reason === 'not-significant' && result.kind === 'notice' && ev.total >= 0.5) {
    parts.push(`${tally}: 好意的な話題でも見られる水準（${percent(ev.nullShare)}）を上回るとは言えない。`);
  } else if (v.reason === 'unconfirmed' && result.kind === 'notice') {
    parts.push(`${tally}: 好意的な話題でも見られる水準（${percent(ev.nullShare)}）を上回り始めた（続けば「炎上の疑い」に切り替え）。`);
  } else if (v.reason === 'unknown-sentiment' && result.kind === 'crisis') {
    parts.push('投稿の感情が分からない件数のみの系列のため、炎上の可能性として扱う。');
  }
  return parts.join('');
}
