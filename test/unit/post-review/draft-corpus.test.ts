import { describe, expect, it } from 'vitest';
import { loadDraftCorpus, precision, recall, ruleCategories, scoreDraftCorpus } from '../../support/draft-corpus.ts';

// Issue 17's proof on our own clinic drafts (test/fixtures/clinic-drafts.tsv): every rule at least
// five times, no false negative on patient PII, 虚偽 and 誇大, precision ≥ 0.9 so clean posts do
// not drown in warnings. The held-out set (never used to change a rule) keeps a floor of its own;
// `npm run eval:drafts` prints both tables.

describe('the clinic-draft set', () => {
  it('holds at least 240 realistic drafts, half clean, every rule at least five times', () => {
    const corpus = loadDraftCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(240);
    const clean = corpus.filter((c) => c.expected.length === 0).length;
    expect(clean).toBe(corpus.length / 2);
    const rules = ruleCategories();
    for (const rule of rules.keys()) {
      expect(corpus.filter((c) => c.expected.includes(rule)).length, rule).toBeGreaterThanOrEqual(5);
    }
    for (const c of corpus) for (const rule of c.expected) expect(rules.has(rule), `line ${c.line}: ${rule}`).toBe(true);
  });

  it('misses no patient PII, 虚偽 or 誇大, and keeps overall precision at 0.9 or more', async () => {
    const s = await scoreDraftCorpus();
    const mustCatch = ['個人情報', '患者の特定', '虚偽', '誇大'];
    for (const category of mustCatch) {
      const t = s.byCategory.get(category)!;
      expect({ category, misses: s.misses.filter((m) => ruleCategories().get(m.rule) === category) }).toEqual({ category, misses: [] });
      expect(t.tp).toBeGreaterThan(0);
    }
    expect(precision(s.overall)).toBeGreaterThanOrEqual(0.9);
    expect(recall(s.overall)).toBeGreaterThanOrEqual(0.95);
    expect(s.cleanFlagged / s.clean).toBeLessThanOrEqual(0.05);
  }, 60_000);

  it('keeps its floors on the held-out drafts written after the rules last changed', async () => {
    const s = await scoreDraftCorpus(loadDraftCorpus('clinic-drafts-holdout.tsv'));
    expect(s.drafts).toBe(40);
    expect(precision(s.overall)).toBeGreaterThanOrEqual(0.9);
    expect(recall(s.overall)).toBeGreaterThanOrEqual(0.75);
  }, 60_000);
});
