// Post templates for the demo stream: a fictional clinic, さくら内科クリニック. Every person,
// account and event here is invented. `{…}` slots are filled from the lists below.

export const demoClinic = {
  name: 'さくら内科クリニック',
  names: ['さくら内科クリニック', 'さくら内科', 'さくらクリニック'],
  keywords: ['さくら内科 駅前'],
  handles: { x: 'sakura_naika_demo' },
  exclusions: ['さくら内科医院 札幌'],
  orgName: 'さくら内科クリニック（デモ）',
  orgSlug: 'sakura-demo',
} as const;

export const slots: Record<string, readonly string[]> = {
  clinic: ['さくら内科クリニック', 'さくら内科', 'さくらクリニック', '駅前のさくら内科'],
  doctor: ['院長先生', '先生', '女医さん', '若い先生', '田中先生'],
  symptom: ['風邪', '発熱', '咳', '花粉症', '胃もたれ', '頭痛', '喉の痛み', '高血圧の薬', '健康診断', 'インフルの予防接種'],
  wait: ['30分', '1時間', '1時間半', '2時間', '40分'],
  staff: ['受付の人', '受付のお姉さん', '看護師さん', '会計の人'],
  weekday: ['月曜', '火曜', '水曜', '木曜', '金曜', '土曜'],
  emoji: ['😊', '🙏', '✨', '😭', '💦', '😷', '🌸', ''],
  grumble: ['😡', '😤', '💢', '…', '。'],
};

export type DemoCategory = 'praise' | 'neutral' | 'question' | 'wait' | 'staff' | 'cost' | 'other';

export const quietTemplates: Record<DemoCategory, readonly string[]> = {
  praise: [
    '{clinic}の{doctor}、話をちゃんと聞いてくれて説明も丁寧だった{emoji}',
    '{symptom}で{clinic}に行ったけど、{staff}がすごく親切で安心した{emoji}',
    '{clinic}、予約したら待ち時間ほぼなしで助かった。ありがたい{emoji}',
    '{doctor}が親身になって相談に乗ってくれて泣きそうになった。{clinic}おすすめです',
    '{clinic}で{symptom}診てもらった。薬の説明もわかりやすくて良かった',
    '子どもの{symptom}で{clinic}へ。小児も診てくれて神対応だった{emoji}',
    '{clinic}の{staff}、いつも笑顔で感じがいい。通いやすい病院です',
    '{clinic}、院内が清潔で消毒もしっかりしてる印象。安心して通える',
  ],
  neutral: [
    '今日は{symptom}で{clinic}。{weekday}の午前は混んでた',
    '{clinic}で{symptom}。とりあえず薬もらって様子見',
    '{clinic}の近くにカフェできてた。帰りに寄ってみよう',
    '会社の{symptom}、{clinic}で受けてきた',
    '{clinic}、来月から土曜午後も診療するらしい',
    '{clinic}で処方箋もらって隣の薬局へ。いつもの流れ',
  ],
  question: [
    '{clinic}ってWeb予約できますか？',
    '{clinic}は{weekday}の午後やってますか？',
    '{clinic}で{symptom}って診てもらえるのかな？誰か知ってる人いる？',
    '{clinic}の駐車場って何台くらい停められますか？',
    '{clinic}、マイナ保険証使えますか？',
    '{symptom}なんだけど、{clinic}と大学病院どっちに行くべき？',
  ],
  wait: [
    '{clinic}、予約してたのに{wait}待ち。予約の意味ある？{grumble}',
    '{clinic}の待ち時間長すぎ。{wait}待ってまだ呼ばれない{grumble}',
    '{symptom}でしんどいのに{clinic}で{wait}待たされた。せめて順番教えてほしい',
    '{clinic}、{weekday}の朝は激混み。{wait}待ちは覚悟した方がいい',
  ],
  staff: [
    '{clinic}の{staff}、態度悪すぎない？ため息つかれた{grumble}',
    '{clinic}の{doctor}、上から目線で質問しづらい。説明も足りない',
    '{clinic}で{staff}に怒られた。こっちは具合悪いのに{grumble}',
    '{clinic}、{doctor}はいいけど{staff}の対応が雑なのが残念',
  ],
  cost: ['{clinic}、説明なしで検査が増えて会計が高かった。最初に言ってほしい', '{clinic}の自費の料金、ホームページと違ってた気がする'],
  other: [
    '{clinic}の前の桜がきれい🌸',
    '{clinic}の前の道、工事中で通りにくい',
    '引っ越してきたので近所の内科を探し中。{clinic}が評判いいらしい',
  ],
};

/** Weights of the quiet stream (Japanese clinic reviews lean positive; waiting time tops complaints). */
export const quietMix: readonly (readonly [number, DemoCategory])[] = [
  [30, 'praise'],
  [24, 'neutral'],
  [14, 'question'],
  [14, 'wait'],
  [9, 'staff'],
  [4, 'cost'],
  [5, 'other'],
];

export interface FlareScenario {
  key: string;
  origin: string;
  angry: readonly string[];
  doubtful: readonly string[];
  defending: readonly string[];
}

export const flareScenarios: readonly FlareScenario[] = [
  {
    key: 'staff-post',
    origin:
      '【拡散希望】{clinic}の看護師が裏アカで「今日のクレーマー患者」って待合室の写真上げてる。患者の顔も写ってるし完全にアウトでしょ #拡散希望',
    angry: [
      '{clinic}の看護師の投稿ひどすぎ。患者の写真晒すとか信じられない{grumble}',
      'これ{clinic}？個人情報の扱いどうなってるの。もう二度と行かない',
      '{clinic}最悪。患者ネタで笑ってる職員がいる病院なんて怖くて行けない',
      '{clinic}は謝罪しろ。患者のプライバシーを何だと思ってるんだ',
      '{clinic}の件、保健所に通報しました。許せない',
      '{clinic}の職員の投稿、特定されてるじゃん。病院として説明して',
      'うちの親も{clinic}通ってる…写真に写ってないか心配{grumble}',
      '{clinic}、院長は知ってるの？公式見解出さないの？',
      '{clinic}の看護師の件、拡散して。患者を晒す病院は許せない #拡散希望',
      '勤務中に患者の写真撮ってSNSとか、{clinic}どういう教育してるの',
    ],
    doubtful: ['{clinic}の件、本当なの？元の投稿もう消えてる？', '{clinic}の話、スクショしか出回ってないけど事実確認まだだよね'],
    defending: [
      '{clinic}の{doctor}には本当にお世話になってるから、ちゃんと説明してほしい',
      '{clinic}自体はいい病院なのに…一人の職員のせいで残念',
    ],
  },
  {
    key: 'misdiagnosis',
    origin:
      '{clinic}で「ただの風邪」って言われた母が翌日救急搬送されて肺炎だった。誤診じゃないの？ちゃんと検査もしてくれなかった #拡散希望',
    angry: [
      '{clinic}の誤診の話こわすぎる。検査もせずに帰すとかありえない',
      '{clinic}で見落とされた人、他にもいるみたい。医療ミスでしょ{grumble}',
      '{clinic}は説明と謝罪をすべき。患者の命を何だと思ってる',
      '{clinic}、{doctor}の対応ひどい。訴えられてもおかしくない',
      '{clinic}には二度と行かない。たらい回しの上に誤診とか最悪',
      '{clinic}の件、弁護士に相談した方がいいよ。拡散します',
    ],
    doubtful: ['{clinic}の件、片方の話だけで判断するのは早い気もする', '風邪と肺炎の見分けって初診だと難しいのでは？{clinic}の説明待ち'],
    defending: ['{clinic}の{doctor}はいつも丁寧なのに。何があったんだろう'],
  },
];
