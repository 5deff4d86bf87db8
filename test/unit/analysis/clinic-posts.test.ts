import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAnalyzer, type Analyzer } from '../../../src/analysis/index.ts';

// Our own test set (test/fixtures/clinic-posts.tsv, written by the project). Clear cases must be
// exactly right; the whole set, including sarcasm and mixed feelings, has an accuracy floor.

interface Post {
  line: number;
  label: string;
  risks: string[];
  pii: string[];
  clear: boolean;
  text: string;
}

const posts: Post[] = readFileSync(new URL('../../fixtures/clinic-posts.tsv', import.meta.url), 'utf8')
  .split('\n')
  .map((raw, i) => ({ raw, line: i + 1 }))
  .filter(({ raw }) => raw.trim() !== '' && !raw.startsWith('#'))
  .map(({ raw, line }) => {
    const [label, risks, pii, clear, text] = raw.split('\t');
    return {
      line,
      label: label!,
      risks: risks ? risks.split(',').sort() : [],
      pii: pii ? pii.split(',') : [],
      clear: clear === '1',
      text: text!,
    };
  });

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

describe('clinic-post test set', () => {
  it('has at least 300 posts of every kind', () => {
    expect(posts.length).toBeGreaterThanOrEqual(300);
    for (const label of ['positive', 'neutral', 'negative']) {
      expect(posts.filter((p) => p.label === label).length).toBeGreaterThan(60);
    }
    expect(posts.filter((p) => p.pii.length > 0).length).toBeGreaterThanOrEqual(20);
    expect(posts.filter((p) => !p.clear).length).toBeGreaterThanOrEqual(20);
  });

  it('gets the clear cases exactly right (label, risk categories, PII types)', () => {
    const wrong: string[] = [];
    for (const p of posts.filter((x) => x.clear)) {
      const a = analyzer.analyze(p.text);
      const got = {
        label: a.sentiment.label,
        risks: a.risks.map((r) => r.category).sort(),
        pii: a.pii.map((x) => x.type),
      };
      if (got.label !== p.label || got.risks.join() !== p.risks.join() || got.pii.join() !== p.pii.join()) {
        wrong.push(`line ${p.line}: ${p.text} → ${JSON.stringify(got)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps label accuracy over the whole set at or above 0.90', () => {
    const correct = posts.filter((p) => analyzer.analyze(p.text).sentiment.label === p.label).length;
    expect(correct / posts.length).toBeGreaterThanOrEqual(0.9);
  });

  it('finds at least 95% of the expected risk categories across the whole set', () => {
    let expected = 0;
    let found = 0;
    for (const p of posts) {
      const got = new Set(analyzer.analyze(p.text).risks.map((r) => r.category));
      expected += p.risks.length;
      found += p.risks.filter((r) => got.has(r)).length;
    }
    expect(found / expected).toBeGreaterThanOrEqual(0.95);
  });
});
