// Does a post share, quote or react to a report of trouble? A 炎上 that starts as news-sharing is
// carried by posts whose own words are neutral — 「〇〇クリニックの件ニュースになってる」 with a
// link, 「まとめられてた」 — so the lexicon does not call them negative, yet each one is the
// organisation's trouble being passed on. Detection counts them as negative evidence
// (src/detection/episode-kind.ts). A link or a mention of the news alone is not enough: a TV
// feature praising the clinic is shared the same way, so a trouble word must come with it. Talk
// of the 炎上 itself (炎上してる, 叩かれてる, 晒されてる) or of the matter having become news
// (ニュースになってる, まとめられてる) needs nothing more. Only posts neutral in their own words
// count as reports (a negative post counts as negative already; one that praises passes on no trouble).

// Sites whose links carry news or aggregated controversy (hostnames, matched on a dot boundary).
const reportHosts = [
  // news
  'news.yahoo.co.jp',
  'nhk.or.jp',
  'asahi.com',
  'mainichi.jp',
  'yomiuri.co.jp',
  'nikkei.com',
  'sankei.com',
  'jiji.com',
  'kyodonews.jp',
  'tokyo-np.co.jp',
  'newsdig.tbs.co.jp',
  'fnn.jp',
  'news.tv-asahi.co.jp',
  'news.ntv.co.jp',
  'tv-tokyo.co.jp',
  'bunshun.jp',
  'dailyshincho.jp',
  'friday.kodansha.co.jp',
  'j-cast.com',
  'news.livedoor.com',
  'nordot.app',
  'mbs.jp',
  'ktv.jp',
  'bengo4.com',
  'm3.com',
  'nikkeibp.co.jp',
  // aggregators and まとめ
  'togetter.com',
  'posfie.com',
  'min-chi.material.jp',
  '5ch.net',
  '2ch.sc',
  'itest.5ch.net',
  'hamusoku.com',
  'jin115.com',
  'esuteru.com',
  'alfalfalfa.com',
  'itainews.com',
  'hosyusokuhou.jp',
  'kijosoku.com',
];

const urlHost = /https?:\/\/([a-z0-9.-]+)/gi;

/** Words that say the post is passing on a report: the news, an article, a まとめ. */
const reportWord =
  /ニュース|報道|記事|新聞|週刊誌|文春|ワイドショー|まとめ(?:られ|サイト|記事|てる)?|スレ(?:が立|立っ)|トレンド入り|取り上げられ|報じ|速報/u;

/** Trouble the report is about. */
const troubleWord =
  /炎上|不祥事|問題(?!な)|事故|事件|疑惑|告発|謝罪|逮捕|書類送検|処分|行政指導|業務停止|流出|漏洩|漏えい|被害|訴訟|提訴|訴え|批判|騒動|死亡|亡くな|ミス(?!タ)|過誤|誤診|不正|虐待|ハラスメント|パワハラ|セクハラ|暴言|隠蔽|改ざん|晒|拡散/u;

/** Talk of the 炎上 itself, or of the matter having become news: passing it on needs no other word. */
const flareTalk =
  /炎上(?:して|中|した|する|案件|騒ぎ)|大炎上|燃えてる|燃えてた|叩かれて|晒されて|拡散希望|拡散して(?:ください|下さい)|特定され|ニュースになって|報道されて|まとめられて|スレ(?:が)?立って/u;

function sharesReportLink(folded: string): boolean {
  if (!folded.includes('http')) return false;
  for (const m of folded.matchAll(urlHost)) {
    const host = m[1]!.toLowerCase();
    if (reportHosts.some((h) => host === h || host.endsWith(`.${h}`))) return true;
  }
  return false;
}

/**
 * True when the post passes on or reacts to a report of trouble. `folded` is the width-folded
 * text with its links (normalize.ts keeps them there), `text` the normalised text without them.
 */
export function sharesTroubleReport(text: string, folded: string): boolean {
  if (flareTalk.test(text)) return true;
  if (!troubleWord.test(text)) return false;
  return reportWord.test(text) || sharesReportLink(folded);
}
