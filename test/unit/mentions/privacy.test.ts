import { describe, expect, it } from 'vitest';
import { PENDING_TEXT, presentMention, revealedPiiIds } from '../../../src/mentions/privacy.ts';
import type { MentionView } from '../../../src/mentions/queries.ts';

const text = '山田花子さんが誤診された 090-1234-5678';
const base: MentionView = {
  id: '1',
  orgId: '1',
  sourceId: '1',
  sourceType: 'x',
  sourceName: 'X',
  watchTargetId: null,
  watchTargetName: null,
  externalId: 'e1',
  url: null,
  author: { id: 'a', handle: 'h', name: '投稿者' },
  text,
  language: 'ja',
  postedAt: new Date(0),
  collectedAt: new Date(0),
  metrics: { likes: 0, reposts: 0, quotes: 0, replies: 0, views: null },
  replyToExternalId: null,
  quoteOfExternalId: null,
  repostOfExternalId: null,
  rating: null,
  isPrivate: false,
  isDemo: false,
  version: 1,
  deletedAt: null,
  sentiment: { label: 'negative', score: -0.8 },
  analysis: {
    sentiment: { label: 'negative', score: -0.8 },
    risks: [],
    pii: [
      { type: 'person_name', start: 0, end: 4 },
      { type: 'phone', start: text.indexOf('090'), end: text.length },
    ],
    terms: ['山田花子', '誤診'],
  },
  triage: { status: 'open', assignee: null, firstReplyAt: null, recordedReplyAt: null, notes: 0, updatedAt: null },
};

describe('presentMention', () => {
  it('masks PII spans and PII-bearing terms unless revealed', () => {
    const masked = presentMention(base, { revealPii: false });
    expect(masked.text).toBe('[氏名]さんが誤診された [電話番号]');
    expect(masked.analysis?.terms).toEqual(['誤診']);
    expect(masked).toMatchObject({ piiMasked: true, piiTypes: ['person_name', 'phone'] });
    expect(JSON.stringify(masked)).not.toMatch(/山田|090-1234/);
  });

  it('shows the whole text when revealed, and reports which ids were revealed for the audit log', () => {
    const shown = presentMention(base, { revealPii: true });
    expect(shown.text).toBe(text);
    expect(shown.piiMasked).toBe(false);
    const clean = presentMention({ ...base, id: '2', analysis: { ...base.analysis!, pii: [] } }, { revealPii: true });
    expect(revealedPiiIds([shown, clean], true)).toEqual(['1']);
    expect(revealedPiiIds([shown, clean], false)).toEqual([]);
  });

  it('leaves a post without PII as it is', () => {
    const clean = presentMention(
      { ...base, text: 'とても親切でした', analysis: { ...base.analysis!, pii: [], terms: [] } },
      { revealPii: false },
    );
    expect(clean.text).toBe('とても親切でした');
    expect(clean.piiMasked).toBe(false);
  });

  it('withholds a post nobody has checked for PII yet, except from those who may see PII (and that view is audited)', () => {
    const pending = presentMention({ ...base, analysis: null }, { revealPii: false });
    expect(pending.text).toBe(PENDING_TEXT);
    expect(pending.piiMasked).toBe(true);
    expect(JSON.stringify(pending)).not.toContain('090-1234');
    const revealed = presentMention({ ...base, analysis: null }, { revealPii: true });
    expect(revealed.text).toBe(text);
    expect(revealedPiiIds([revealed], true)).toEqual(['1']);
  });
});
