// The short, human title of an alert and of the incident it opens — 「職員の不適切投稿の疑い・深刻度5」 —
// for mail subjects, page headings, the banner and the acknowledgement page. The long explanation
// (observed against the usual, detectors, samples) stays in the body. Read from the stored
// explanation defensively: it is jsonb.

/** What a flare-up is about, by the risk category that leads it (data/risk-categories.json). */
const categoryPhrases: Record<string, string> = {
  '医療過誤・誤診': '医療過誤・誤診の指摘',
  '接遇・態度': '接遇・態度への批判',
  '待ち時間・予約': '待ち時間・予約への不満',
  '費用・請求': '費用・請求への不満',
  '衛生・感染': '衛生・感染の指摘',
  '個人情報・プライバシー': '個人情報流出の疑い',
  職員の不適切投稿: '職員の不適切投稿の疑い',
  '差別・ハラスメント': '差別・ハラスメントの指摘',
  '誹謗中傷・脅迫': '誹謗中傷・脅迫',
  炎上シグナル: '炎上の兆候',
};

/** Without a risk category: what the detectors saw, strongest first in the explanation's order. */
const detectorPhrases: Record<string, string> = {
  criticalTerms: '重大ワードの出現',
  velocity: '否定的な投稿の拡散',
  sentiment: '否定的な投稿の急増',
  volume: '投稿の急増',
};

const MAX_TOPIC_CHARS = 24;

/** The topic alone: 「待ち時間・予約への不満」, 「炎上の兆候のない話題の急増」. */
export function alertTopic(kind: 'crisis' | 'notice', explanation: unknown): string {
  if (kind === 'notice') return '炎上の兆候のない話題の急増';
  const e = (explanation && typeof explanation === 'object' ? explanation : {}) as { riskCategories?: unknown; fired?: unknown };
  const risks = (Array.isArray(e.riskCategories) ? e.riskCategories : [])
    .map((r) => (r && typeof r === 'object' ? (r as { category?: unknown; count?: unknown }) : {}))
    .filter((r): r is { category: string; count?: unknown } => typeof r.category === 'string' && r.category.length > 0)
    .sort((a, b) => (typeof b.count === 'number' ? b.count : 0) - (typeof a.count === 'number' ? a.count : 0));
  const lead = risks[0]?.category;
  if (lead) {
    const phrase = categoryPhrases[lead] ?? `「${lead.slice(0, 12)}」に関する投稿の急増`;
    return phrase.slice(0, MAX_TOPIC_CHARS);
  }
  const fired = Array.isArray(e.fired) ? e.fired.filter((d): d is string => typeof d === 'string') : [];
  for (const detector of ['criticalTerms', 'velocity', 'sentiment', 'volume'])
    if (fired.includes(detector)) return detectorPhrases[detector]!;
  return '炎上の疑い';
}

/** 「職員の不適切投稿の疑い・深刻度5」; a notice says so instead of a severity. */
export function shortTitle(kind: 'crisis' | 'notice', severity: number, explanation: unknown): string {
  const topic = alertTopic(kind, explanation);
  return kind === 'notice' ? `${topic}（お知らせ）` : `${topic}・深刻度${Math.min(5, Math.max(1, Math.round(severity)))}`;
}

/** A title that ends in our 「・深刻度N」 follows the incident's severity; any other title is a person's and stays. */
export function withSeverity(title: string, severity: number): string {
  return title.replace(/・深刻度[1-5]$/, `・深刻度${Math.min(5, Math.max(1, Math.round(severity)))}`);
}
