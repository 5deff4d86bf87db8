import { describe, expect, it } from 'vitest';
import type { StoredMention } from '../../../src/mention.ts';
import type { TextAnalysis } from '../../../src/analysis/types.ts';
import { bucketStartFor, buildBucketSignal } from '../../../src/detection/index.ts';

let n = 0;
function mention(text: string, analysis: Partial<TextAnalysis> | null, metrics: StoredMention['metrics'] = {}): StoredMention {
  n++;
  return {
    id: `m${n}`,
    externalId: `x${n}`,
    orgId: 'org',
    sourceId: 'src',
    watchTargetId: 't',
    postedAt: new Date(),
    text,
    metrics,
    analysis: analysis && { sentiment: { label: 'neutral', score: 0 }, risks: [], pii: [], terms: [], ...analysis },
  };
}

describe('buildBucketSignal', () => {
  const start = new Date('2026-11-25T01:00:00Z');

  it('counts sentiment, risk hits, reach of negative posts, critical terms and samples', () => {
    const signal = buildBucketSignal(start, [
      mention(
        'さくら医院で医療ミス',
        {
          sentiment: { label: 'negative', score: -0.9 },
          risks: [{ category: '医療過誤・誤診', score: 0.78, terms: ['医療ミス'] }],
          terms: ['医療ミス'],
        },
        { reposts: 40, replies: 5 },
      ),
      mention(
        'さくら医院はヤブ',
        { sentiment: { label: 'negative', score: -0.5 }, risks: [{ category: '医療過誤・誤診', score: 0.45, terms: ['ヤブ'] }] },
        { reposts: 1 },
      ),
      mention('さくら医院 最高', { sentiment: { label: 'positive', score: 0.8 } }, { likes: 100, reposts: 2 }),
      mention('未解析', null),
    ]);
    expect(signal).toMatchObject({
      count: 4,
      negative: 2,
      positive: 1,
      riskHits: { '医療過誤・誤診': 2 },
      reach: { reposts: 41, quotes: 0, replies: 5 },
    });
    expect(signal.criticalTerms).toEqual(['医療ミス']);
    expect(signal.samples!.map((s) => s.text)).toEqual(['さくら医院 最高', 'さくら医院で医療ミス', 'さくら医院はヤブ']);
  });

  it('requires the institution name for critical terms when names are given', () => {
    const posts = [
      mention('どこかの病院で医療ミスがあったらしい', {
        sentiment: { label: 'negative', score: -1 },
        risks: [{ category: '医療過誤・誤診', score: 0.78, terms: ['医療ミス'] }],
      }),
    ];
    expect(buildBucketSignal(start, posts, { institutionNames: ['さくら医院'] }).criticalTerms).toEqual([]);
    expect(buildBucketSignal(start, posts, { institutionNames: ['どこかの病院'] }).criticalTerms).toEqual(['医療ミス']);
  });

  it('reports sentiment as unknown, not zero, when nothing is analysed; empty buckets are zeros', () => {
    expect(buildBucketSignal(start, [mention('x', null)]).negative).toBeNull();
    expect(buildBucketSignal(start, [])).toMatchObject({ count: 0, negative: 0, positive: 0 });
  });

  it('aligns bucket starts to the epoch', () => {
    expect(bucketStartFor(new Date('2026-11-25T01:59:59Z'), 3_600_000).toISOString()).toBe('2026-11-25T01:00:00.000Z');
  });
});
