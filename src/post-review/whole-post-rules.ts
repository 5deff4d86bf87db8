// The rules that weigh several parts of a post together (check-post.ts applies them): their
// patterns and their texts. Phrase rules are data (rules.json); these need code because they
// look for what is missing (the explanation a before/after photo needs) or for a combination.

export const beforeAfter =
  /術前術後|施術前後|治療前後|ビフォー[・ -]?アフター|before\s*[/&・]?\s*after|症例写真|術前[^。\n]{0,20}術後|施術前[^。\n]{0,20}施術後/i;
export const freeCare = /自由診療|保険適用外|保険外診療|保険外|自費(?:診療)?/;
export const price = /\d[\d,]*\s*円|[¥￥]\s*\d/;
export const disclosure = {
  content: {
    re: /(?:治療|施術|手術)(?:内容|名|方法)|内容\s*[:：]|使用(?:する)?(?:薬剤|機器)|(?:による|を用いた|を使った|で行う)(?:治療|施術)/,
    ja: '治療の内容',
  },
  cost: { re: /費用|料金|価格|\d[\d,]*\s*円|[¥￥]\s*\d/, ja: '費用' },
  period: { re: /期間|回数|\d+\s*回|\d+\s*(?:か月|ヶ月|カ月|週間|日間)|通院/, ja: '期間・回数' },
  risk: { re: /リスク|副作用|ダウンタイム|合併症/, ja: '主なリスク・副作用' },
  contact: { re: /お問い?合わせ|問合せ|電話|TEL|tel|窓口|ご予約|予約/, ja: '問い合わせ先' },
} as const;

export const age = /\d{1,3}\s*(?:歳|才)|\d0\s*代|[一二三四五六七八九十]+\s*(?:歳|才)/u;
export const condition =
  /がん|癌|腫瘍|糖尿病|認知症|うつ病|鬱病|統合失調症|骨折|肺炎|脳梗塞|心筋梗塞|感染症|HIV|エイズ|梅毒|妊娠|出産|流産|中絶|透析|難病|依存症|アトピー|喘息|障害/u;
export const placeOrDate = /病棟|病室|\d+\s*号室|\d+\s*階|\d{1,2}\s*月\s*\d{1,2}\s*日|昨日|今日|本日|先日|先週|今朝|入院中/u;
export const namedPatient =
  /(?:患者|入院中の|通院中の|来院された|手術を受けた|受診された)[^。\n]{0,12}?([\p{Script=Han}\p{Script=Katakana}]{1,4})(?:さん|様|さま|ちゃん|くん)/u;
export const patientInImage =
  /(?:患者|利用者|来院者)(?:さん|様|さま)?(?:の)?(?:顔|姿|後ろ姿|横顔)|(?:患者|利用者)(?:さん|様)?が[^。\n]{0,10}(?:写|映)|背景に[^。\n]{0,12}(?:患者|人|方)|(?:待合室|順番を待|受診|診察中|入院中|来院)[^。\n]{0,12}(?:顔|姿)|名札|ネームプレート|リストバンド|カルテ|診察券|問診票|待合室の(?:様子|患者)/u;
export const personInImage = /顔|人物|スタッフ|職員|医師|看護師|子ども|子供|赤ちゃん/u;
/** A description that says nobody is in the picture: 「人物なし」「人は写っていない」. */
export const nobodyInImage =
  /(?:人物|人|顔)(?:は|が)?(?:なし|無し|写っていない|写っていません|映っていない|映っていません|いない|いません)/u;
export const consent = /同意|許可|承諾/u;

export const identifiable = {
  id: 'identifiable_patient',
  category: '患者の特定',
  severity: 'block' as const,
  overridable: false,
  message_ja: '年齢・病名・日付や病棟の組み合わせで、患者が特定されるおそれがあります。',
  advice_ja: '個別の患者の話は、年齢・病名・日時・場所を組み合わせず、一般的な説明に置き換えてください。',
  cite: '個人情報保護法（要配慮個人情報）・刑法134条（秘密漏示）・../shared/DOMAIN.md §2（間接的な特定）',
};
export const imagePatient = {
  id: 'image_patient',
  category: '患者の特定',
  severity: 'block' as const,
  overridable: false,
  message_ja: '画像に患者の顔・名札・カルテなど、患者を特定できるものが写っているとの記載があります。',
  advice_ja: '患者が写っている画像、名札・カルテ・診察券が読める画像は使わないでください。',
  cite: '個人情報保護法・医療広告ガイドライン（患者の写真）・病院SNSポリシー（写真の同意）',
};
export const imagePerson = {
  id: 'image_person',
  category: '患者の特定',
  severity: 'warn' as const,
  overridable: true,
  message_ja: '画像に人物が写っています。掲載の同意が記載されていません。',
  advice_ja: '写っている方全員の掲載同意を確認し、画像の説明に「同意取得済み」と書いてください。',
  cite: '病院SNSポリシー（写真の同意）',
};
export const beforeAfterRule = {
  id: 'before_after',
  category: '術前術後写真',
  severity: 'block' as const,
  overridable: true,
  message_ja: '',
  advice_ja: '術前術後の写真には、治療内容・費用・期間（回数）・主なリスクや副作用を同じ投稿に書いてください。写真の加工はできません。',
  cite: '医療広告ガイドライン 第3の1(5)・第4の5 限定解除（術前術後の写真）',
};
export const freePriceRule = {
  id: 'free_care_disclosure',
  category: '自由診療の限定解除',
  severity: 'block' as const,
  overridable: true,
  message_ja: '',
  advice_ja: '自由診療の料金を示すときは、治療内容・標準的な費用・期間や回数・主なリスクと副作用・問い合わせ先を同じ場所に書いてください。',
  cite: '医療法施行規則1条の9の2・医療広告ガイドライン 第4の5 広告可能事項の限定解除',
};
export const lengthRule = {
  id: 'channel_limits',
  category: 'チャネルの制限',
  severity: 'block' as const,
  overridable: false,
  message_ja: '',
  advice_ja: '文字数・ハッシュタグ・画像の数をチャネルの上限内に収めてください。',
  cite: '各チャネルの仕様（X: 重み付き280文字、Instagram: 2,200文字・ハッシュタグ30個、LINE: 5,000文字、Google 口コミへの返信: 4,096バイト）',
};
