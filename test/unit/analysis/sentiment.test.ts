import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

function label(text: string, rating?: number | null): string {
  return analyzer.analyze(text, { rating }).sentiment.label;
}

function score(text: string): number {
  return analyzer.analyze(text).sentiment.score;
}

describe('sentiment', () => {
  it('reads clinic praise and complaints from our lexicon', () => {
    expect(label('先生が親身で丁寧でした')).toBe('positive');
    expect(label('医師が高圧的だった')).toBe('negative');
    expect(label('誤診されました')).toBe('negative');
    expect(label('たらい回しにされた')).toBe('negative');
    expect(label('説明不足です')).toBe('negative');
  });

  it('calls plain facts and questions neutral', () => {
    expect(label('明日は内科の予約があります')).toBe('neutral');
    expect(label('土曜日も診療していますか？')).toBe('neutral');
  });

  it('flips negated words (ない, ず, ません, なし)', () => {
    expect(label('丁寧')).toBe('positive');
    expect(label('丁寧じゃなかった')).toBe('negative');
    expect(label('良くないです')).toBe('negative');
    expect(label('清潔感なし')).toBe('negative');
    expect(label('満足できませんでした')).toBe('negative');
    expect(label('痛くなかった')).toBe('positive');
    expect(label('嫌な顔ひとつせず対応してくれた')).toBe('positive');
  });

  it('treats negated negatives as milder than plain positives', () => {
    expect(score('悪くない')).toBeGreaterThan(0);
    expect(score('悪くない')).toBeLessThan(score('良い'));
  });

  it('does not read しか…ない or 〜でならない as negation', () => {
    expect(label('不安しかない')).toBe('negative');
    expect(label('残念でなりません')).toBe('negative');
  });

  it('lets the clause after a contrast (けど, が, しかし) decide', () => {
    expect(label('先生は丁寧だけど、待ち時間が長すぎる')).toBe('negative');
    expect(label('待ち時間は長いですが、先生はとても親切でした')).toBe('positive');
    expect(label('設備は新しい。しかし受付の対応が最悪')).toBe('negative');
  });

  it('scales with intensifiers and downtoners', () => {
    expect(score('とても丁寧')).toBeGreaterThan(score('丁寧'));
    expect(score('少し狭い')).toBeGreaterThan(score('狭い'));
    expect(label('少し狭い')).toBe('negative');
  });

  it('reads "if only" wishes as complaints', () => {
    expect(label('もう少し丁寧に説明してほしかった')).toBe('negative');
    expect(label('駐車場があれば良かった')).toBe('negative');
  });

  it('reads emoji, emoticons and kaomoji', () => {
    expect(label('今日の診察😊')).toBe('positive');
    expect(label('今日の診察😡')).toBe('negative');
    expect(label('先生と話した(^^)')).toBe('positive');
    expect(label('診察待ち(T_T)')).toBe('negative');
  });

  it('reads praise next to a complaint and an ironic marker as sarcasm', () => {
    expect(label('最高の受付でしたね、ずっと無視されてましたけど')).toBe('negative');
    expect(label('さすがですね、また誤診ですか')).toBe('negative');
    expect(label('完璧な対応、ほんと感動しました(棒)')).toBe('negative');
    // A wink alone, without a complaint, is just a friendly post.
    expect(label('先生最高でしたw')).toBe('positive');
    expect(label('ちょっと狭いけど最高でした(笑)')).toBe('positive');
  });

  it('knows net slang', () => {
    expect(label('受付さん神対応')).toBe('positive');
    expect(label('塩対応でした')).toBe('negative');
    expect(label('ひどすぎ')).toBe('negative');
    expect(label('微妙')).toBe('negative');
  });

  it('normalises width and repeats before matching', () => {
    expect(label('ｻｲｺｳ、ｷﾚｲ')).toBe('positive');
    expect(label('さいあくーーー')).toBe('neutral'); // not a word we know: no false evidence
    expect(label('最悪！！！')).toBe('negative');
  });

  it('handles English and mixed posts', () => {
    expect(label('The staff were very friendly')).toBe('positive');
    expect(label('The doctor was not helpful')).toBe('negative');
    expect(label('Good doctor but rude receptionist')).toBe('negative');
    expect(label('受付がrudeでした')).toBe('negative');
  });

  it('uses a star rating as a prior', () => {
    expect(label('診察を受けた', 5)).toBe('positive');
    expect(label('診察を受けた', 1)).toBe('negative');
    expect(label('診察を受けた', null)).toBe('neutral');
    expect(analyzer.analyze('最悪でした', { rating: 5 }).sentiment.score).toBeGreaterThan(score('最悪でした'));
    expect(label('診察を受けた', Number.NaN)).toBe('neutral');
  });

  it('keeps the score in [-1, 1]', () => {
    const s1 = score('最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪');
    const s2 = score('最高最高最高最高最高最高最高最高最高最高最高最高');
    expect(s1).toBeGreaterThanOrEqual(-1);
    expect(s2).toBeLessThanOrEqual(1);
    expect(s1).toBeLessThan(-0.9);
  });
});
