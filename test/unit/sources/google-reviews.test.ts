import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedMention, Tombstone } from '../../../src/mention.ts';
import { googleReviewsSource, type GoogleReviewsConfig } from '../../../src/sources/google-reviews/index.ts';
import { SourceAuthError } from '../../../src/sources/types.ts';
import { runCollections } from '../../fakes/faulty-server.ts';
import { GoogleReviewsFake } from '../../fakes/google-reviews-fake.ts';
import { createTestRuntime, createVirtualClock, drainCollector, type TestRuntime, type VirtualClock } from '../../fakes/source-runtime.ts';

const loc = 'accounts/111/locations/222';
let clock: VirtualClock;
let fake: GoogleReviewsFake;
let runtime: TestRuntime;

beforeEach(async () => {
  clock = createVirtualClock();
  fake = await new GoogleReviewsFake({ now: () => clock.now().getTime() }).start();
  runtime = createTestRuntime({
    clock,
    secrets: {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      refreshToken: fake.refreshToken,
      accessToken: 'static-access-token',
    },
  });
});
afterEach(async () => {
  await fake.close();
});

function config(extra: Record<string, unknown> = {}): GoogleReviewsConfig {
  return googleReviewsSource.parseConfig({
    baseUrl: fake.baseUrl,
    locations: [{ name: loc, ownerName: 'さくら内科クリニック' }],
    oauth: { tokenUrl: fake.tokenUrl, clientIdEnv: 'G_CLIENT_ID', clientSecretEnv: 'G_CLIENT_SECRET', refreshTokenEnv: 'G_REFRESH' },
    requestTimeoutMs: 1000,
    ...extra,
  });
}

async function run(cursor: unknown, cfg = config(), stopAfterPages = Infinity) {
  const { pages, error } = await drainCollector(
    () =>
      googleReviewsSource.collect!({
        config: cfg,
        cursor,
        targets: [{ id: 't1', names: ['さくら内科'], keywords: [], handles: { google_reviews: loc }, exclusions: [] }],
        runtime,
      }),
    { stopAfterPages },
  );
  const mentions: NormalizedMention[] = pages.flatMap((p) => p.mentions);
  const tombstones: Tombstone[] = pages.flatMap((p) => p.tombstones ?? []);
  return { pages, mentions, tombstones, cursor: pages.at(-1)?.cursor ?? cursor, error };
}

function seed(count: number): void {
  for (let i = 0; i < count; i += 1) {
    fake.addReview(loc, {
      reviewId: `r${String(i).padStart(3, '0')}`,
      rating: ((i % 5) + 1) as 1,
      comment: `口コミ ${i}`,
      author: i % 7 === 0 ? null : `患者${i}`,
      at: new Date(Date.UTC(2026, 10, 1, 0, i)),
    });
  }
}

describe('google reviews collector', () => {
  it('walks every page on the first run, keeps ratings and the clinic replies, and leaves a since-cursor', async () => {
    seed(120);
    fake.reply(loc, 'r005', 'ご不便をおかけし申し訳ございません。', new Date(Date.UTC(2026, 10, 20)));
    const result = await run(null);
    expect(result.error).toBeNull();
    expect(result.pages).toHaveLength(3);
    const reviews = result.mentions.filter((m) => m.replyToExternalId == null);
    expect(new Set(reviews.map((m) => m.externalId)).size).toBe(120);
    const r3 = reviews.find((m) => m.externalId === 'r003');
    expect(r3).toMatchObject({ rating: 4, text: '口コミ 3', authorName: '患者3', watchTargetId: 't1' });
    expect(reviews.find((m) => m.externalId === 'r000')?.authorName).toBeNull(); // anonymous
    const reply = result.mentions.find((m) => m.externalId === 'r005/reply');
    expect(reply).toMatchObject({
      replyToExternalId: 'r005',
      authorName: 'さくら内科クリニック',
      text: 'ご不便をおかけし申し訳ございません。',
    });
    // Pages 1 and 2 keep the listing's page token; the last page closes it.
    expect((result.pages[0]?.cursor as any).locations[loc].scan.pageToken).toBeTruthy();
    expect((result.cursor as any).locations[loc]).toMatchObject({ scan: null, since: '2026-11-20T00:00:00.000Z' });
    // OAuth: one token minted, sent on every API call.
    expect(fake.http.answered('/token')).toHaveLength(1);
    expect(fake.http.answered(`/v4/${loc}/reviews`).every((r) => r.headers.authorization === 'Bearer minted-access-token-1')).toBe(true);
  });

  it('on the next run fetches only what changed: edits arrive under the same id with the new text', async () => {
    seed(120);
    const first = await run(null);
    fake.editReview(loc, 'r010', '対応が改善されました', new Date(Date.UTC(2026, 10, 22)), 4);
    fake.addReview(loc, {
      reviewId: 'new1',
      rating: 1,
      comment: '待ち時間が長すぎる',
      author: '匿名希望',
      at: new Date(Date.UTC(2026, 10, 23)),
    });
    const second = await run(first.cursor);
    expect(second.error).toBeNull();
    expect(second.mentions.map((m) => m.externalId).sort()).toEqual(['new1', 'r010', 'r119']);
    expect(second.mentions.find((m) => m.externalId === 'r010')).toMatchObject({ text: '対応が改善されました', rating: 4 });
    expect(fake.http.answered(`/v4/${loc}/reviews`).length).toBe(3 + 1);
  });

  it('resumes an interrupted listing from the stored page token without losing or repeating pages', async () => {
    seed(120);
    const partial = await run(null, config(), 1);
    expect(partial.mentions).toHaveLength(50);
    const rest = await run(partial.cursor);
    const ids = [...partial.mentions, ...rest.mentions].map((m) => m.externalId);
    expect(new Set(ids).size).toBe(120);
    expect(ids).toHaveLength(120);
  });

  it('stops at maxPagesPerRun and continues the same listing next run', async () => {
    seed(120);
    const first = await run(null, config({ maxPagesPerRun: 1 }));
    expect(first.mentions).toHaveLength(50);
    const second = await run(first.cursor, config({ maxPagesPerRun: 1 }));
    const third = await run(second.cursor, config({ maxPagesPerRun: 1 }));
    expect(new Set([...first.mentions, ...second.mentions, ...third.mentions].map((m) => m.externalId)).size).toBe(120);
    expect((third.cursor as any).locations[loc].scan).toBeNull();
  });

  it('re-mints an expired access token once, and reports a revoked refresh token as an auth error', async () => {
    seed(3);
    const cfg = config();
    const first = await run(null, cfg);
    fake.expireAccessTokens();
    fake.addReview(loc, { reviewId: 'late', rating: 2, at: new Date(Date.UTC(2026, 10, 24)) });
    const second = await run(first.cursor, cfg);
    expect(second.error).toBeNull();
    expect(second.mentions.map((m) => m.externalId)).toContain('late');
    fake.refreshToken = 'rotated';
    fake.expireAccessTokens();
    const third = await run(second.cursor, cfg);
    expect(third.error).toBeInstanceOf(SourceAuthError);
    expect(String(third.error)).not.toContain(fake.clientSecret);
  });

  it('waits out a 429, retries 5xx, timeouts and resets, and fails cleanly on oversized or malformed bodies', async () => {
    seed(60);
    fake.http.failNext('rate-limit');
    fake.http.failNext('server-error');
    fake.http.failNext('hang');
    fake.http.failNext('reset');
    const result = await run(null);
    expect(result.error).toBeNull();
    expect(new Set(result.mentions.map((m) => m.externalId)).size).toBe(60);
    // Google's 429 names no reset time, so every wait is a capped, jittered backoff step.
    expect(runtime.sleeps).toHaveLength(4);
    expect(runtime.sleeps.every((ms, i) => ms >= 0 && ms < 1000 * 2 ** i)).toBe(true);
    expect(fake.http.requests.filter((r) => r.fault !== null).map((r) => r.fault)).toEqual(['rate-limit', 'server-error', 'hang', 'reset']);

    // Streaming 11 MB takes longer than the 1 s timeout on a busy machine: the size cap, not the
    // clock, must be what stops it.
    fake.http.failNext('oversized');
    const big = await run(null, config({ requestTimeoutMs: 120_000 }));
    expect(String(big.error)).toMatch(/too large|大きすぎ|over/);
    expect(big.mentions).toHaveLength(0);
    fake.http.failNext('malformed');
    const bad = await run(null);
    expect(String(bad.error)).toMatch(/JSON/);
  });

  it('skips a malformed review with a log line naming it, keeping the rest of the page', async () => {
    seed(5);
    fake.reviews(loc).push({ ...fake.reviews(loc)[0]!, reviewId: 'broken', createTime: 'yesterday', updateTime: '2026-11-30T00:00:00Z' });
    const result = await run(null);
    expect(result.mentions.map((m) => m.externalId)).not.toContain('broken');
    expect(result.mentions.filter((m) => m.replyToExternalId == null)).toHaveLength(5);
    expect(runtime.logs.some((l) => l.id === 'broken' && l.msg === 'skipping malformed review')).toBe(true);
  });

  it('turns a review missing from a full listing into a tombstone only after reviews.get says 404', async () => {
    seed(70);
    const first = await run(null);
    fake.deleteReview(loc, 'r050');
    clock.advance(25 * 3_600_000);
    const second = await run(first.cursor);
    expect(second.error).toBeNull();
    expect(second.tombstones.map((t) => t.externalId)).toEqual(['r050']);
    expect(fake.http.answered(`/v4/${loc}/reviews/r050`)).toHaveLength(1);
    expect((second.cursor as any).locations[loc].known).not.toContain('r050');
    // A later full listing does not tombstone it again.
    clock.advance(25 * 3_600_000);
    const third = await run(second.cursor);
    expect(third.tombstones).toHaveLength(0);
  });

  it('tombstones a withdrawn clinic reply at the next full listing even when updateTime did not move', async () => {
    seed(10);
    fake.reply(loc, 'r003', '貴重なご意見ありがとうございます', new Date(Date.UTC(2026, 10, 2)));
    fake.addReview(loc, { reviewId: 'newest', rating: 5, comment: '良い', at: new Date(Date.UTC(2026, 10, 3)) });
    const first = await run(null);
    expect(first.mentions.map((m) => m.externalId)).toContain('r003/reply');
    fake.deleteReply(loc, 'r003');
    // An incremental run stops above r003 (older than the newest stored review): not seen yet.
    const incremental = await run(first.cursor);
    expect(incremental.tombstones).toHaveLength(0);
    clock.advance(25 * 3_600_000);
    const full = await run(incremental.cursor);
    expect(full.tombstones.map((t) => [t.externalId, t.reason])).toEqual([['r003/reply', 'deleted']]);
    expect(full.mentions.filter((m) => m.replyToExternalId == null)).toHaveLength(11);
    clock.advance(25 * 3_600_000);
    expect((await run(full.cursor)).tombstones).toHaveLength(0);
  });

  it("converges to exactly the fake's reviews under random 429s, 5xx, hangs, resets and bad bodies", async () => {
    seed(130);
    fake.http.setFaults({ rate: 0.3, seed: 7 });
    const result = await runCollections({
      runs: 45,
      collect: (cursor) => googleReviewsSource.collect!({ config: config({ requestTimeoutMs: 400 }), cursor, targets: [], runtime }),
      between: (run) => {
        if (run === 40) fake.http.setFaults({ rate: 0 });
        // Google stamps updateTime when a review is written, so it only moves forward.
        const hour = (h: number) => new Date(Date.UTC(2026, 10, 21) + h * 3_600_000);
        if (run < 35) fake.addReview(loc, { reviewId: `live${run}`, rating: 2, comment: `新着${run}`, at: hour(run) });
        if (run < 35 && run % 5 === 0) fake.editReview(loc, `r${String(run).padStart(3, '0')}`, `編集${run}`, hour(run + 0.5));
      },
    });
    expect(result.failedRuns).toBeGreaterThan(0);
    expect(fake.http.requests.some((r) => r.fault === 'hang')).toBe(true);
    expect([...result.stored.keys()].sort()).toEqual(
      fake
        .reviews(loc)
        .map((r) => r.reviewId)
        .sort(),
    );
    for (const review of fake.reviews(loc)) expect(result.stored.get(review.reviewId)).toBe(review.comment ?? '');
  });

  it('validates its config, naming the field', () => {
    expect(() => googleReviewsSource.parseConfig({ locations: ['locations/1'], accessTokenEnv: 'X' })).toThrow(/locations\[0\]/);
    expect(() => googleReviewsSource.parseConfig({ locations: [loc], oauth: 'yes' })).toThrow(/oauth/);
    expect(() => googleReviewsSource.parseConfig({ locations: [loc], accessTokenEnv: 'ya29.secret value' })).toThrow(/accessTokenEnv/);
    expect(() => googleReviewsSource.parseConfig({ locations: [loc], accessTokenEnv: 'T', pageSize: 500 })).toThrow(/pageSize/);
    const ok = googleReviewsSource.parseConfig({ locations: [loc], accessTokenEnv: 'G_TOKEN' });
    expect(ok.baseUrl).toBe('https://mybusiness.googleapis.com');
    expect(googleReviewsSource.requiredCredentials(ok)).toEqual(['accessToken']);
    expect(googleReviewsSource.credentials.find((s) => s.name === 'accessToken')!.envName(ok)).toBe('G_TOKEN');
    const oauth = googleReviewsSource.parseConfig({ locations: [loc], oauth: {} });
    expect(googleReviewsSource.requiredCredentials(oauth)).toEqual(['clientId', 'clientSecret', 'refreshToken']);
    // The refresh token goes to the token endpoint too, and nowhere else.
    expect(googleReviewsSource.endpoints(oauth).credentialOrigins).toEqual([
      'https://mybusiness.googleapis.com',
      'https://oauth2.googleapis.com',
    ]);
  });
});
