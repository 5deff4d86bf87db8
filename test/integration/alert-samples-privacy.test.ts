import { afterAll, beforeAll, expect, it } from 'vitest';
import { MENTION_BUCKET_MS } from '../../src/mention.ts';
import { loadBucketSignals } from '../../src/detection-pass/signals.ts';
import { loadAnalyzer } from '../../src/analysis/index.ts';
import { ingest, ingestDepsFrom } from '../../src/ingest/pipeline.ts';
import { makeOrg, makeSource, mentionFixture, testContext } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('alert samples (which go into e-mail and the alert API) carry masked PII, while the stored post keeps the evidence', async () => {
  const ctx = testContext(db, { analyzer: await loadAnalyzer() });
  const { org } = await makeOrg(ctx);
  const src = await makeSource(ctx, org.id);
  const postedAt = new Date('2026-11-20T01:02:00Z');
  const long = 'あ'.repeat(270);
  await ingest(ingestDepsFrom(ctx), {
    orgId: org.id,
    sourceId: src.id,
    mentions: [
      mentionFixture(1, { postedAt, text: 'テスト内科で誤診された。連絡先 090-1234-5678 まで' }),
      // A number that straddles the 280-character cut must not leak half-way either.
      mentionFixture(2, { postedAt, text: `${long}テスト内科 電話 03-1234-5678` }),
    ],
  });
  const from = new Date(Math.floor(postedAt.getTime() / MENTION_BUCKET_MS) * MENTION_BUCKET_MS);
  const signals = await loadBucketSignals(ctx.sql, {
    orgId: org.id,
    watchTargetId: null,
    from,
    to: new Date(from.getTime() + MENTION_BUCKET_MS),
    institutionNames: ['テスト内科'],
  });
  const texts = JSON.stringify(signals);
  expect(texts).not.toContain('090-1234-5678');
  expect(texts).not.toContain('1234-5678');
  expect(texts).toContain('[電話番号]');
  const stored = await ctx.sql<{ text: string }[]>`select text from mentions where org_id = ${org.id} order by external_id`;
  expect(stored[0]!.text).toContain('090-1234-5678');
});
